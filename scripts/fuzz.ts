/**
 * `npm run fuzz -- --seconds N`: runs every codec's fuzz properties (test/fuzz/, the ones
 * `npm test` runs a few hundred cases of) with fresh random seeds for N seconds (default 60),
 * taking turns, then prints the cases run per codec. Exits non-zero when a property failed: its
 * report gives the shrunk input, the seed, the path and the command that replays it.
 *
 * - `--codec NAME` (repeatable) fuzzes only those codecs; `--property NAME` only the properties
 *   whose name is or contains NAME.
 * - `--seed S [--path P]` replays: runs the chosen properties once each with seed S (from the
 *   case at path P on, when given) and reports as a test would.
 * - The properties run in a child process that says which property and seed it starts each
 *   batch with; one silent for `--hang-seconds` (default 30) has hung: it is stopped, and the
 *   property and seed that hung are reported.
 */
import { fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FuzzProperty } from '../test/fuzz/_fuzz.js';
import { codecs } from '../test/fuzz/codecs.js';

/** What the child process tells its parent. */
type WorkerMessage =
  | { readonly type: 'batch'; readonly property: string; readonly seed: number }
  | { readonly type: 'ran'; readonly codec: string; readonly cases: number }
  | { readonly type: 'failure'; readonly report: string };

interface Chosen {
  readonly codec: string;
  readonly property: FuzzProperty;
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    codec: { type: 'string', multiple: true },
    property: { type: 'string' },
    seed: { type: 'string' },
    path: { type: 'string' },
    'hang-seconds': { type: 'string', default: '30' },
    worker: { type: 'boolean', default: false },
  },
});

const seconds = Number(values.seconds);
const hangSeconds = Number(values['hang-seconds']);
if (!(seconds > 0) || !(hangSeconds > 0)) {
  console.error(
    'usage: npm run fuzz -- [--seconds N] [--codec NAME]… [--property NAME] [--seed S [--path P]]',
  );
  process.exit(2);
}

const chosen = choose();
if (chosen.length === 0) {
  console.error(`no property matches; the codecs are ${codecs.map((codec) => codec.name).join(', ')}`);
  process.exit(2);
}

if (values.seed !== undefined) replay(Number(values.seed), values.path);
else if (values.worker) work();
else supervise();

/** The properties the options choose: an exact name alone, else every name containing it. */
function choose(): Chosen[] {
  const codecNames = values.codec;
  const all = codecs
    .filter((codec) => codecNames === undefined || codecNames.includes(codec.name))
    .flatMap((codec) => codec.properties.map((property) => ({ codec: codec.name, property })));
  const wanted = values.property;
  if (wanted === undefined) return all;
  const exact = all.filter(({ property }) => property.name === wanted);
  return exact.length > 0 ? exact : all.filter(({ property }) => property.name.includes(wanted));
}

/** Runs each chosen property once with `seed` (from `path`), as `npm test` would. */
function replay(seed: number, path: string | undefined): void {
  let failed = 0;
  for (const { property } of chosen) {
    const outcome = property.check({ seed, numRuns: property.runs, ...(path === undefined ? {} : { path }) });
    if (outcome.failure === undefined) console.log(`✔ ${property.name}: ${outcome.runs} cases`);
    else {
      failed++;
      console.log(`✘ ${outcome.failure}`);
    }
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

/** The child: runs the properties in turns, a fresh seed a batch, until the time is up. */
function work(): void {
  const send = (message: WorkerMessage): void => {
    process.send?.(message);
  };
  const deadline = Date.now() + seconds * 1000;
  const active = [...chosen];
  // a few turns each in the time given, each batch at most two seconds, so all get their share
  const slice = Math.min(2000, Math.max(100, (seconds * 1000) / (active.length * 4)));
  while (active.length > 0 && Date.now() < deadline) {
    for (const entry of [...active]) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const seed = randomInt(0x7fffffff);
      send({ type: 'batch', property: entry.property.name, seed });
      const outcome = entry.property.check({ seed, numRuns: 0x7fffffff, timeLimit: Math.min(slice, left) });
      send({ type: 'ran', codec: entry.codec, cases: outcome.runs });
      if (outcome.failure !== undefined) {
        send({ type: 'failure', report: outcome.failure });
        active.splice(active.indexOf(entry), 1);
      }
    }
  }
  process.disconnect?.();
}

/** The parent: forks the child, watches it for hangs, prints the counts and the failures. */
function supervise(): void {
  const started = Date.now();
  const failures: string[] = [];
  const counts = new Map(chosen.map(({ codec }) => [codec, 0]));
  let batch: { property: string; seed: number } | undefined;
  let hung = false;
  const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--worker'], {
    stdio: 'inherit',
  });
  let watchdog: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, hangSeconds * 1000);
  };
  arm();
  child.on('message', (message: WorkerMessage) => {
    arm();
    if (message.type === 'batch') batch = message;
    else if (message.type === 'ran') counts.set(message.codec, counts.get(message.codec)! + message.cases);
    else {
      failures.push(message.report);
      console.log(`✘ ${message.report}\n`);
    }
  });
  child.on('exit', (code) => {
    clearTimeout(watchdog);
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`fuzz cases run per codec, in ${elapsed} s:`);
    const width = Math.max(5, ...[...counts.keys()].map((name) => name.length));
    for (const [name, cases] of counts) {
      const properties = chosen.filter((entry) => entry.codec === name).length;
      console.log(`  ${name.padEnd(width)}  ${String(cases).padStart(9)} cases  (${properties} properties)`);
    }
    const total = [...counts.values()].reduce((sum, cases) => sum + cases, 0);
    console.log(`  ${'total'.padEnd(width)}  ${String(total).padStart(9)} cases`);
    if (hung && batch !== undefined) {
      failures.push(`hang: ${batch.property}`);
      console.log(
        `✘ a case of ${JSON.stringify(batch.property)} ran over ${hangSeconds} s without returning\n` +
          `replay: npm run fuzz -- --property ${JSON.stringify(batch.property)} --seed ${batch.seed}`,
      );
    } else if (code !== 0) {
      failures.push(`the fuzzing process ended with code ${code}`);
      console.log(`✘ the fuzzing process ended with code ${code}`);
    }
    console.log(failures.length === 0 ? 'no failures' : `${failures.length} failed`);
    process.exitCode = failures.length === 0 ? 0 : 1;
  });
}
