/**
 * End-to-end TCP echo throughput: a Spindle server (`conn.data$.subscribe(conn)`), the echo demo
 * (`conn.send(conn.data$)`) compiled by tsc and run by plain node, the same demo run from its
 * TypeScript by tsx (`npx tsx demos/echo.ts`, its documented command before it moved to compiled
 * JavaScript), a plain node:net server (`socket.pipe(socket)`) and a Twisted server (`dataReceived`
 * → `transport.write`), each in its own process, driven by a node:net load generator in another
 * process that sends 1 GiB per run (over 1 and over 16 connections) and counts it echoed back. Runs
 * alternate A B C A B C …; the table gives medians in MB/s of echoed payload.
 * Run: `npm run bench -- echo`; while developing, `node .bench/test/bench/echo.js --rounds 3 --mib 256`
 * after `npm run bench -- echo` has compiled it (prints the section without writing RESULTS.md).
 */
import { parseArgs } from 'node:util';
import {
  benchScript,
  benchSource,
  Child,
  compiledScript,
  giveUpAfter,
  listeningPort,
  repositoryRoot,
  startServer,
  twistedAvailable,
  twistedPython,
} from './_children.js';
import { median, printSection, table } from './_report.js';

const { values: options } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, mib: { type: 'string', default: '1024' } },
});
const totalBytes = Number(options.mib) * 2 ** 20;
const rounds = Number(options.rounds);
const connectionCounts = [1, 16] as const;
/** Seconds one transfer may take before its load generator is killed (1 GiB at 100 MB/s is ~11 s). */
const runLimit = 60;
/** Seconds the whole benchmark may take. */
const benchmarkLimit = 15 * 60;

giveUpAfter('echo', benchmarkLimit);

type Contender = 'spindle' | 'demo' | 'tsx' | 'net' | 'twisted';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (`data$` piped into the connection)',
  demo: 'echo demo compiled by tsc (`node dist/demos/echo.js`)',
  tsx: 'echo demo under tsx (`npx tsx demos/echo.ts`)',
  net: 'node:net (`socket.pipe(socket)`)',
  twisted: 'Twisted (`dataReceived` → `transport.write`)',
};

const withTwisted = twistedAvailable();
const servers = new Map<Contender, { child: Child; port: number }>();
const demoArgs = ['--listen', 'tcp:0:interface=127.0.0.1'];
servers.set(
  'spindle',
  await startServer('spindle echo server', process.execPath, [benchScript('_echo-spindle-server')]),
);
// The demos exit on SIGTERM, not when their stdin closes; npx runs npm, tsx's CLI and node, so
// each demo runs as a process group, stopped and killed as one.
servers.set(
  'demo',
  await startServer('compiled echo demo', process.execPath, [compiledScript('demos/echo'), ...demoArgs], {
    port: listeningPort,
    group: true,
  }),
);
servers.set(
  'tsx',
  await startServer('echo demo under tsx', 'npx', ['tsx', 'demos/echo.ts', ...demoArgs], {
    cwd: repositoryRoot,
    port: listeningPort,
    group: true,
  }),
);
servers.set(
  'net',
  await startServer('node:net echo server', process.execPath, [benchScript('_echo-net-server')]),
);
if (withTwisted) {
  servers.set(
    'twisted',
    await startServer('Twisted echo server', twistedPython, [benchSource('_twisted-server.py'), 'echo']),
  );
}
const contenders = [...servers.keys()];

/** One transfer of `bytes` over `connections` connections; MB/s. */
async function run(contender: Contender, connections: number, bytes = totalBytes): Promise<number> {
  const { port } = servers.get(contender)!;
  const load = new Child(`echo load (${contender}, ${connections})`, process.execPath, [
    benchScript('_echo-load'),
    String(port),
    String(connections),
    String(bytes),
    String(runLimit),
  ]);
  const killer = setTimeout(() => load.kill(), (runLimit + 10) * 1000);
  try {
    const result = JSON.parse(await load.nextLine(runLimit + 15)) as { mbps: number };
    return result.mbps;
  } finally {
    clearTimeout(killer);
    await load.stop();
  }
}

// A short warm-up transfer (128 MiB) per server, so that no contender's first round pays for its JIT.
for (const contender of contenders)
  for (const connections of connectionCounts) await run(contender, connections, 2 ** 27);

const samples = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const connections of connectionCounts) {
    for (const contender of contenders) {
      const mbps = await run(contender, connections);
      const key = `${contender}/${connections}`;
      samples.set(key, [...(samples.get(key) ?? []), mbps]);
      console.error(`round ${round + 1}: ${contender} ×${connections}: ${mbps.toFixed(0)} MB/s`);
    }
  }
}
await Promise.all([...servers.values()].map(({ child }) => child.stop()));

const rows: string[][] = [];
const verdicts: string[] = [];
for (const connections of connectionCounts) {
  const net = median(samples.get(`net/${connections}`)!);
  for (const contender of contenders) {
    const mbps = median(samples.get(`${contender}/${connections}`)!);
    const all = samples.get(`${contender}/${connections}`)!;
    rows.push([
      labels[contender],
      String(connections),
      mbps.toFixed(0),
      `${Math.min(...all).toFixed(0)}–${Math.max(...all).toFixed(0)}`,
      (mbps / net).toFixed(2),
    ]);
    if (contender === 'spindle') {
      const ratio = mbps / net;
      verdicts.push(
        `${connections} connection${connections > 1 ? 's' : ''}: ${ratio.toFixed(2)}× ${ratio >= 0.9 ? '(met)' : '(**not met**)'}`,
      );
    }
  }
}
const demoRatios = connectionCounts.map((connections) => {
  const ratio = median(samples.get(`tsx/${connections}`)!) / median(samples.get(`demo/${connections}`)!);
  return `${ratio.toFixed(2)}× over ${connections} connection${connections > 1 ? 's' : ''}`;
});
const size = totalBytes % 2 ** 30 === 0 ? `${totalBytes / 2 ** 30} GiB` : `${totalBytes / 2 ** 20} MiB`;
const twistedNote = withTwisted
  ? ''
  : '\n\nTwisted column skipped: `/usr/bin/python3 -c "import twisted"` failed (install `python3-twisted`).';
printSection(
  'TCP echo throughput (`test/bench/echo.ts`)',
  `Each server runs in its own process; a node:net load generator in another process sends ${size} ` +
    'per run in 64 KiB writes, split evenly over the connections, each connection writing and reading at once, ' +
    'and times it from all connected to the last byte echoed. ' +
    `Median of ${rounds} alternating rounds (after one warm-up run each); MB/s of echoed payload (10^6 bytes/s). ` +
    `Goal: Spindle ≥ 0.9× node:net. Result: ${verdicts.join('; ')}. ` +
    `The echo demo run from its TypeScript by tsx does ${demoRatios.join(' and ')} of the same demo ` +
    'compiled by tsc (why: README, "Compiled JavaScript for running").\n\n' +
    table(['server', 'connections', 'MB/s (median)', 'range', 'ratio to node:net'], rows) +
    twistedNote,
);
