/**
 * HTTP hello-world throughput with `wrk` (Debian's `wrk` package): Spindle (`httpServer`, as in
 * demos/hello.ts), node:http, a raw node:net responder (the runtime's ceiling) and Twisted web,
 * each in its own process; keep-alive (`wrk -t1 -c50`) and pipelined (16 requests per write).
 * Runs alternate A B C D A B C D …; the table gives medians in requests per second.
 * Run: `npm run bench -- http`.
 */
import { spawnSync } from 'node:child_process';
import {
  benchScript,
  benchSource,
  type Child,
  giveUpAfter,
  startServer,
  twistedAvailable,
  twistedPython,
} from './_children.js';
import { median, printSection, table } from './_report.js';

const rounds = 3;
const seconds = 4;
const benchmarkLimit = 10 * 60;

giveUpAfter('http', benchmarkLimit);

type Contender = 'spindle' | 'node' | 'raw' | 'twisted';
type Mode = 'keep-alive' | 'pipelined';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (`httpServer`)',
  node: 'node:http',
  raw: 'raw node:net responder (ceiling)',
  twisted: 'Twisted web',
};

function wrk(port: number, mode: Mode): number {
  const args = ['-t1', '-c50', `-d${seconds}s`];
  if (mode === 'pipelined') args.push('-s', benchSource('_pipeline.lua'));
  args.push(`http://127.0.0.1:${port}/`);
  const run = spawnSync('wrk', args, { encoding: 'utf8', timeout: (seconds + 20) * 1000 });
  const match = /Requests\/sec:\s+([\d.]+)/.exec(run.stdout ?? '');
  if (run.status !== 0 || match === null) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(run.stdout);
  if (errors !== null) console.error(`${mode} on ${port}: ${errors[0]}`);
  return Number(match[1]);
}

if (spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error !== undefined) {
  printSection(
    'HTTP hello world (`test/bench/http.ts`)',
    'Skipped: `wrk` is not installed (`apt-get install wrk`).',
  );
  process.exit(0);
}

const servers = new Map<Contender, { child: Child; port: number }>();
servers.set(
  'spindle',
  await startServer('spindle http', process.execPath, [benchScript('_http-spindle-server')]),
);
servers.set('node', await startServer('node:http', process.execPath, [benchScript('_http-node-server')]));
servers.set('raw', await startServer('raw responder', process.execPath, [benchScript('_http-raw-server')]));
const withTwisted = twistedAvailable();
if (withTwisted) {
  servers.set(
    'twisted',
    await startServer('twisted web', twistedPython, [benchSource('_twisted-server.py'), 'http']),
  );
}

const samples = new Map<string, number[]>();
for (const [, server] of servers) wrk(server.port, 'keep-alive'); // warm up each
for (let round = 0; round < rounds; round++) {
  for (const mode of ['keep-alive', 'pipelined'] as const) {
    for (const [name, server] of servers) {
      const key = `${name}:${mode}`;
      samples.set(key, [...(samples.get(key) ?? []), wrk(server.port, mode)]);
    }
  }
}
for (const [, server] of servers) await server.child.stop();

const med = (name: Contender, mode: Mode) => median(samples.get(`${name}:${mode}`) ?? [Number.NaN]);
const rows: string[][] = [];
for (const mode of ['keep-alive', 'pipelined'] as const) {
  for (const name of servers.keys()) {
    const rate = med(name, mode);
    rows.push([
      labels[name],
      mode,
      Math.round(rate).toLocaleString('en'),
      (rate / med('node', mode)).toFixed(2),
      withTwisted ? (rate / med('twisted', mode)).toFixed(1) : '—',
    ]);
  }
}
const goal = (ratio: number, wanted: number) =>
  `${ratio.toFixed(2)}× (${ratio >= wanted ? 'met' : '**not met**'})`;
printSection(
  'HTTP hello world (`test/bench/http.ts`)',
  `\`wrk -t1 -c50 -d${seconds}s\` against each server in its own process, 12-byte body; pipelined: 16 requests ` +
    `per write (a wrk Lua script). Median of ${rounds} alternating rounds, requests per second. Goals: Spindle ≥ 1.3× ` +
    `node:http keep-alive: ${goal(med('spindle', 'keep-alive') / med('node', 'keep-alive'), 1.3)}; ≥ 5× node:http ` +
    `pipelined: ${goal(med('spindle', 'pipelined') / med('node', 'pipelined'), 5)}` +
    (withTwisted
      ? `; ≥ 5× Twisted: ${goal(med('spindle', 'keep-alive') / med('twisted', 'keep-alive'), 5)}.`
      : '. Twisted skipped: `/usr/bin/python3 -c "import twisted"` failed.') +
    `\n\n${table(['server', 'mode', 'requests/s', 'ratio to node:http', 'ratio to Twisted'], rows)}`,
);
