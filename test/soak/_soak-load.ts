/**
 * A soak load process. Told its plan (argv[2], JSON), it prints `ready`; then each line
 * `run SECONDS SEED PORTS` on stdin (PORTS the servers', as JSON) runs the load for that long:
 * `clients` clients shared among the server kinds, each running one behaviour after another
 * (picked at random by weight) from `address`, and per TCP kind one crowd after another from
 * `crowdAddress` (`crowdsPerSecond` of them in all); then it prints one line of JSON, the tallies
 * by kind. It exits when stdin closes (the runner is done, or gone).
 *
 * Run by the soak runner: `node --import tsx test/soak/_soak-load.ts '{"address":…}'`.
 */

import { readFileSync } from 'node:fs';
import { serveParent } from '../bench/_child-side.js';
import { seededRandom } from '../support/seeded-random.js';
import { Attempt, type Behaviour, emptyTally, runAttempt, type Tally, type Target } from './_attempt.js';
import { runCrowd } from './_crowd.js';
import { type SoakKind, type SoakPorts, soakKinds } from './_soak-kinds.js';

/** What a load process is told as it starts. */
export interface LoadPlan {
  /** Where the clients connect from (127.0.0.x). */
  readonly address: string;
  /** Where the crowds connect from. */
  readonly crowdAddress: string;
  /** Clients at once, all kinds together (each kind has its share, the same for all). */
  readonly clients: number;
  /** Connections in one crowd. */
  readonly crowdSize: number;
  /** The PEM file of the servers' self-signed certificate, which the clients trust. */
  readonly certificate: string;
}

/**
 * Crowds a load process sends a second, all kinds together: the first soak's rate (six kinds,
 * each one every 1 to 2 s), shared among the kinds there are now.
 */
const crowdsPerSecond = 4;
const crowdKinds = soakKinds.filter((kind) => kind.admit !== undefined).length;

/** The `index`th of `count` shares of `total`, whole numbers that add up to it. */
function share(total: number, index: number, count: number): number {
  return Math.round((total * (index + 1)) / count) - Math.round((total * index) / count);
}

/** A behaviour picked by weight. */
function pick(behaviours: readonly Behaviour[], random: () => number): Behaviour {
  const total = behaviours.reduce((sum, b) => sum + b.weight, 0);
  let left = random() * total;
  for (const behaviour of behaviours) {
    left -= behaviour.weight;
    if (left < 0) return behaviour;
  }
  return behaviours[behaviours.length - 1]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One client: attempts one after another until `end`. */
async function client(
  kind: SoakKind,
  target: Target,
  from: string,
  random: () => number,
  end: number,
  tally: Tally,
): Promise<void> {
  const quick = kind.behaviours.filter((behaviour) => behaviour.long !== true);
  while (Date.now() < end) {
    const choices = end - Date.now() > 2500 ? kind.behaviours : quick;
    await runAttempt(pick(choices, random), new Attempt(tally, target, from, random));
    await sleep(Math.floor(random() * 5));
  }
}

/** Crowds one after another until a second before `end`, the kind's share of `crowdsPerSecond`. */
async function crowds(
  kind: SoakKind,
  target: Target,
  plan: LoadPlan,
  random: () => number,
  end: number,
  tally: Tally,
): Promise<void> {
  const gap = (crowdKinds / crowdsPerSecond) * 1000;
  for (;;) {
    await sleep(Math.floor(gap * (2 / 3 + (random() * 2) / 3)));
    if (kind.admit === undefined || Date.now() + 1000 >= end) return;
    await runCrowd(tally, target, plan.crowdAddress, plan.crowdSize, kind.admit);
  }
}

/** Runs the load for `seconds`; the tallies by kind. */
async function run(
  plan: LoadPlan,
  ports: SoakPorts,
  seconds: number,
  seed: number,
): Promise<Record<string, Tally>> {
  const random = seededRandom(seed);
  const end = Date.now() + seconds * 1000;
  const tallies: Record<string, Tally> = {};
  const running: Promise<void>[] = [];
  for (const [index, kind] of soakKinds.entries()) {
    const tally = emptyTally();
    tallies[kind.name] = tally;
    const target = { port: ports[kind.server], refusesByClosing: kind.refusesByClosing, tls: kind.tls, ca };
    for (let i = share(plan.clients, index, soakKinds.length); i > 0; i--) {
      running.push(client(kind, target, plan.address, seededRandom(random() * 2 ** 32), end, tally));
    }
    running.push(crowds(kind, target, plan, seededRandom(random() * 2 ** 32), end, tally));
  }
  await Promise.all(running);
  return tallies;
}

const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
const ca = readFileSync(plan.certificate);
serveParent(async (command) => {
  const [verb, seconds, seed, ...ports] = command.split(' '); // a server's name may hold a space
  if (verb !== 'run') return JSON.stringify({ error: `unknown command ${command}` });
  return JSON.stringify(await run(plan, JSON.parse(ports.join(' ')), Number(seconds), Number(seed)));
});
console.log('ready');
