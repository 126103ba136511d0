/**
 * Memory per idle connection: a server process holding 10,000 open TCP connections, each one
 * reading (Spindle: `conn.data$` subscribed, as a protocol would) and acknowledged once, beside a
 * plain node:net server and a Twisted server. The client runs in another process (the file
 * descriptor limit is ~20,000 per process) and opens the connections in batches. The server's
 * growth in RSS and in V8 heap used (both after a full GC) from before to after, divided by the
 * connection count. Run: `npm run bench -- connections`.
 */
import {
  benchScript,
  benchSource,
  Child,
  giveUpAfter,
  startServer,
  twistedAvailable,
  twistedPython,
} from './_children.js';
import { median, printSection, table } from './_report.js';

const connections = 10_000;
const batch = 500;
const rounds = 5;
/** Seconds the client may take to have all connections acknowledged. */
const runLimit = 90;
/** Seconds the whole benchmark may take. */
const benchmarkLimit = 10 * 60;

giveUpAfter('connections', benchmarkLimit);

type Contender = 'spindle' | 'net' | 'twisted';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (`data$` subscribed)',
  net: "node:net (`socket.on('data')`)",
  twisted: 'Twisted (`Protocol`)',
};
const servers: Record<Contender, [string, string[]]> = {
  spindle: [process.execPath, ['--expose-gc', benchScript('_idle-spindle-server')]],
  net: [process.execPath, ['--expose-gc', benchScript('_idle-net-server')]],
  twisted: [twistedPython, [benchSource('_twisted-server.py'), 'idle']],
};

interface Memory {
  rss: number;
  heapUsed?: number;
  connections: number;
}

/** One run: a fresh server, its memory before and after `connections` are open; bytes per connection. */
async function run(contender: Contender): Promise<{ rss: number; heap: number | undefined }> {
  const [command, args] = servers[contender];
  const { child: server, port } = await startServer(`${contender} server`, command, args);
  let client: Child | undefined;
  try {
    const before = JSON.parse(await server.ask('mem', 30)) as Memory;
    client = new Child(`idle client (${contender})`, process.execPath, [
      benchScript('_idle-client'),
      String(port),
      String(connections),
      String(batch),
      String(runLimit),
    ]);
    const killer = setTimeout(() => client?.kill(), (runLimit + 10) * 1000);
    await client.nextLine(runLimit + 15);
    clearTimeout(killer);
    const after = JSON.parse(await server.ask('mem', 60)) as Memory;
    if (after.connections !== connections) {
      throw new Error(`${contender} server holds ${after.connections} connections, not ${connections}`);
    }
    return {
      rss: (after.rss - before.rss) / connections,
      heap:
        after.heapUsed !== undefined && before.heapUsed !== undefined
          ? (after.heapUsed - before.heapUsed) / connections
          : undefined,
    };
  } finally {
    server.kill();
    await server.exited;
    await client?.stop();
  }
}

const contenders: Contender[] = twistedAvailable() ? ['spindle', 'net', 'twisted'] : ['spindle', 'net'];
const rss = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
const heap = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
for (let round = 0; round < rounds; round++) {
  for (const contender of contenders) {
    const result = await run(contender);
    rss.get(contender)!.push(result.rss);
    if (result.heap !== undefined) heap.get(contender)!.push(result.heap);
    console.error(
      `round ${round + 1}: ${contender}: ${(result.rss / 1000).toFixed(2)} KB RSS, ` +
        `${result.heap === undefined ? '—' : (result.heap / 1000).toFixed(2)} KB heap per connection`,
    );
  }
}

const kb = (bytes: number) => (bytes / 1000).toFixed(2);
const netRss = median(rss.get('net')!);
const netHeap = median(heap.get('net')!);
const rows = contenders.map((contender) => {
  const r = median(rss.get(contender)!);
  const h = heap.get(contender)!.length > 0 ? median(heap.get(contender)!) : undefined;
  const all = rss.get(contender)!;
  return [
    labels[contender],
    kb(r),
    `${kb(Math.min(...all))}–${kb(Math.max(...all))}`,
    (r / netRss).toFixed(2),
    h === undefined ? '—' : kb(h),
    h === undefined ? '—' : (h / netHeap).toFixed(2),
  ];
});
const spindleRatio = median(rss.get('spindle')!) / netRss;
const twistedNote = contenders.includes('twisted')
  ? ' Twisted has no V8 heap: its heap columns are empty.'
  : '\n\nTwisted column skipped: `/usr/bin/python3 -c "import twisted"` failed (install `python3-twisted`).';
printSection(
  'Memory per idle connection (`test/bench/connections.ts`)',
  `${connections.toLocaleString('en')} concurrent idle TCP connections to a server in its own process, opened by a ` +
    `client in another process ${batch} at a time; each sends one byte that the server reads and acknowledges. ` +
    "The server's growth in RSS and in V8 heap used, both after a full GC, from before the first connection " +
    `to after the last is acknowledged, per connection; KB = 1,000 bytes; median of ${rounds} alternating rounds, ` +
    `each with a fresh server. Goal: Spindle ≤ 1.5× node:net (RSS). Result: ${spindleRatio.toFixed(2)}× ` +
    `${spindleRatio <= 1.5 ? '(met)' : '(**not met**)'}.${contenders.includes('twisted') ? twistedNote : ''}\n\n` +
    table(
      [
        'server',
        'KB RSS per connection',
        'RSS range',
        'ratio to node:net',
        'KB heap per connection',
        'ratio to node:net',
      ],
      rows,
    ) +
    (contenders.includes('twisted') ? '' : twistedNote),
);
