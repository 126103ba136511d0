/**
 * WebSocket echo throughput: Spindle's server (`httpServer(webSocketHandler(…))`, each socket's
 * messages piped back into it) beside a `ws` `WebSocketServer` echoing the same way, each in its
 * own process, driven by one load generator (a Node process of `ws` clients: 50 connections, a
 * window of 64-byte text messages in flight on each, echoes counted for a fixed few seconds).
 * Runs alternate A B A B …; the table gives medians in echoes per second.
 * Run: `npm run bench -- websocket`.
 */
import { benchScript, Child, giveUpAfter, startServer } from './_children.js';
import { median, printSection, table } from './_report.js';

const rounds = 7;
const seconds = 4;
const connections = 50;
const window = 8;

giveUpAfter('websocket', 10 * 60);

type Contender = 'spindle' | 'ws';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (`webSocketHandler`, `messages$` piped into the socket)',
  ws: '`ws` (`WebSocketServer`, echo on `message`)',
};

const servers = new Map<Contender, { child: Child; port: number }>();
servers.set(
  'spindle',
  await startServer('spindle websocket server', process.execPath, [benchScript('_websocket-spindle-server')]),
);
servers.set('ws', await startServer('ws server', process.execPath, [benchScript('_websocket-ws-server')]));

/** One run against `contender`: echoes per second. */
async function run(contender: Contender, runSeconds = seconds): Promise<number> {
  const { port } = servers.get(contender)!;
  const load = new Child(`websocket load (${contender})`, process.execPath, [
    benchScript('_websocket-load'),
    String(port),
    String(connections),
    String(runSeconds),
    String(window),
  ]);
  try {
    const result = JSON.parse(await load.nextLine(runSeconds + 40)) as { rate: number };
    return result.rate;
  } finally {
    await load.stop();
  }
}

for (const contender of servers.keys()) await run(contender, 1); // warm-up
const samples: Record<Contender, number[]> = { spindle: [], ws: [] };
for (let round = 0; round < rounds; round++) {
  for (const contender of servers.keys()) {
    const rate = await run(contender);
    samples[contender].push(rate);
    console.error(`round ${round + 1}: ${contender}: ${Math.round(rate)} echoes/s`);
  }
}
await Promise.all([...servers.values()].map(({ child }) => child.stop()));

const med = (name: Contender) => median(samples[name]);
const ratio = med('spindle') / med('ws');
const rows = [...servers.keys()].map((name) => [
  labels[name],
  Math.round(med(name)).toLocaleString('en'),
  `${Math.round(Math.min(...samples[name])).toLocaleString('en')}–${Math.round(Math.max(...samples[name])).toLocaleString('en')}`,
  (med(name) / med('ws')).toFixed(2),
]);
printSection(
  'WebSocket echo (`test/bench/websocket.ts`)',
  `${connections} connections from one load generator (a Node process of \`ws\` clients, no permessage-deflate), ` +
    `${window} 64-byte text messages in flight on each, echoes counted for ${seconds} s; each server in its own ` +
    `process on 127.0.0.1. Median of ${rounds} alternating rounds, echoes per second. Goal: Spindle ≥ 1.0× \`ws\`: ` +
    `${ratio.toFixed(2)}× (${ratio >= 1 ? 'met' : '**not met**'}).\n\n` +
    table(['server', 'echoes/s (median)', 'range', 'ratio to ws'], rows),
);
