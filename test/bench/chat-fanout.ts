/**
 * Chat fan-out under a flood: Spindle's line chat (the compiled `demos/chat.ts`, `chat()` under
 * the reactor) beside the same chat written plainly on `node:net` (`_chat-net-server.ts`), each
 * in its own process on 127.0.0.1, with a room kept busy by a load process (`_chat-load.ts`):
 *
 * - `flood`: one member sends lines as fast as the server reads them, 50 members read;
 * - `talk`: five members send lines as fast as the server reads them and read nothing, 50 members
 *   say a line every 50 ms each and read everything.
 *
 * Meanwhile this process joins one new client after another (connect, the name prompt, a name,
 * the welcome) and times each join; at the end it sends the server SIGTERM and times its exit.
 * Runs alternate Spindle and node:net, fresh servers each run; the table gives medians over the
 * rounds of each run's figures. Run: `npm run bench -- chat-fanout`.
 */
import { connect } from 'node:net';
import { benchScript, Child, compiledScript, giveUpAfter, listeningPort, startServer } from './_children.js';
import { median, printSection, table } from './_report.js';

const rounds = 3;
const probeSeconds = 8;
const maxJoins = 400;
const joinTimeout = 15;

giveUpAfter('chat-fanout', 20 * 60);

type Contender = 'spindle' | 'net';
type Scenario = 'flood' | 'talk';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (`chat()`, demos/chat.ts)',
  net: 'node:net chat (a write per member per line)',
};
const scenarios: Record<Scenario, string> = {
  flood: '1 flooder, 50 readers',
  talk: '5 non-reading flooders, 50 talkers',
};

/** One run's figures. */
interface Run {
  /** Join times in ms, a join not welcomed within `joinTimeout` counted as infinite. */
  readonly joins: readonly number[];
  /** MB/s received by the reading members. */
  readonly delivered: number;
  /** From SIGTERM to the process's exit, in ms. */
  readonly sigterm: number;
}

function percentile(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function startContender(contender: Contender): Promise<{ child: Child; port: number }> {
  return contender === 'spindle'
    ? startServer(
        'spindle chat',
        process.execPath,
        [compiledScript('demos/chat'), '--listen', 'tcp:0:interface=127.0.0.1'],
        { port: listeningPort },
      )
    : startServer('node:net chat', process.execPath, [benchScript('_chat-net-server')]);
}

/** Joins as `name`: ms from connecting to the welcome, or Infinity if not welcomed in time. */
function timeJoin(port: number, name: string): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let text = '';
    let asked = false;
    const done = (ms: number) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(Number.POSITIVE_INFINITY), joinTimeout * 1000);
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      if (!asked && text.includes("What's your name?\r\n")) {
        asked = true;
        socket.write(`${name}\n`);
      }
      if (asked && text.includes(`Welcome, ${name}!\r\n`)) done(performance.now() - started);
    });
    socket.on('error', () => done(Number.POSITIVE_INFINITY));
  });
}

async function run(contender: Contender, scenario: Scenario, round: number): Promise<Run> {
  const server = await startContender(contender);
  const load = new Child(`chat load (${contender})`, process.execPath, [
    benchScript('_chat-load'),
    String(server.port),
    scenario,
    String(probeSeconds + 2 * joinTimeout + 60),
  ]);
  try {
    const ready = await load.nextLine(60);
    if (ready !== 'ready') throw new Error(`chat load said ${ready}`);
    const joins: number[] = [];
    const end = performance.now() + probeSeconds * 1000;
    while (performance.now() < end && joins.length < maxJoins) {
      joins.push(await timeJoin(server.port, `probe${round}.${joins.length}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stats = JSON.parse(await load.ask('stats', 30)) as { received: number; seconds: number };
    const signalled = performance.now();
    server.child.process.kill('SIGTERM');
    const cap = setTimeout(() => server.child.kill(), 30_000);
    await server.child.exited;
    clearTimeout(cap);
    return { joins, delivered: stats.received / stats.seconds / 1e6, sigterm: performance.now() - signalled };
  } finally {
    await load.stop();
    server.child.kill();
  }
}

const ms = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en') : `> ${joinTimeout * 1000}`;
const sections: string[] = [];
for (const scenario of Object.keys(scenarios) as Scenario[]) {
  const runs: Record<Contender, Run[]> = { spindle: [], net: [] };
  for (let round = 0; round < rounds; round++) {
    for (const contender of Object.keys(labels) as Contender[]) {
      const result = await run(contender, scenario, round);
      runs[contender].push(result);
      console.error(
        `${scenario} round ${round + 1}: ${contender}: ${result.joins.length} joins, p99 ${ms(percentile(result.joins, 0.99))} ms, ` +
          `median ${ms(median(result.joins))} ms, ${result.delivered.toFixed(1)} MB/s delivered, SIGTERM→exit ${ms(result.sigterm)} ms`,
      );
    }
  }
  const rows = (Object.keys(labels) as Contender[]).map((contender) => {
    const results = runs[contender];
    const unanswered = results.reduce((sum, r) => sum + r.joins.filter((j) => !Number.isFinite(j)).length, 0);
    const joins = results.reduce((sum, r) => sum + r.joins.length, 0);
    return [
      labels[contender],
      ms(median(results.map((r) => percentile(r.joins, 0.99)))),
      ms(median(results.map((r) => median(r.joins)))),
      `${unanswered} of ${joins}`,
      median(results.map((r) => r.delivered)).toFixed(1),
      ms(median(results.map((r) => r.sigterm))),
      ms(Math.max(...results.map((r) => r.sigterm))),
    ];
  });
  sections.push(
    `**${scenarios[scenario]}**\n\n` +
      table(
        [
          'server',
          'join p99 (ms)',
          'join median (ms)',
          `joins not welcomed in ${joinTimeout} s`,
          'MB/s to readers',
          'SIGTERM → exit (ms, median)',
          '(max)',
        ],
        rows,
      ),
  );
}

printSection(
  'Chat fan-out under a flood (`test/bench/chat-fanout.ts`)',
  'A line chat with a busy room, each server in its own process on 127.0.0.1; a load process keeps the room ' +
    'busy while this process joins new clients one after another for ' +
    `${probeSeconds} s (connect → name prompt → name → welcome, timed), then sends the server SIGTERM and times ` +
    `its exit. Medians over ${rounds} alternating rounds of each run's p99, median and figures. Goal: Spindle's ` +
    'join p99 no worse than the node:net chat, and SIGTERM acted on within a second.\n\n' +
    sections.join('\n\n'),
);
