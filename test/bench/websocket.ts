/**
 * WebSocket echo throughput: Spindle's server (`httpServer(webSocketHandler(…))`, each socket's
 * messages piped back into it, as its documentation shows) beside a `ws` `WebSocketServer`
 * echoing the same way, each in its own process, driven by one load generator (a raw client: 50
 * connections, a window of 64-byte text messages in flight on each, echoes counted for a fixed
 * few seconds). The load costs less per message than either server, so the server is the
 * ceiling: the table gives each process's CPU over the count beside the rate, and a server well
 * under a whole core means the run measured something else. Runs alternate A B A B …; the table
 * gives medians. Run: `npm run bench -- websocket`.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchScript, Child, cpuSeconds, giveUpAfter, machineCpuSeconds, startServer } from './_children.js';
import { median, percent, printSection, table } from './_report.js';

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

/** One run's echoes per second, and the CPU of the server, the load and the whole machine (cores busy). */
interface Run {
  readonly rate: number;
  readonly server: number;
  readonly load: number;
  readonly machine: number;
}

/** One run against `contender`. */
async function run(contender: Contender, runSeconds = seconds): Promise<Run> {
  const { child, port } = servers.get(contender)!;
  const serverPid = child.process.pid!;
  const load = new Child(`websocket load (${contender})`, process.execPath, [
    benchScript('_websocket-load'),
    String(port),
    String(connections),
    String(runSeconds),
    String(window),
  ]);
  try {
    const first = await load.nextLine(40);
    if (first !== 'counting') throw new Error(`websocket load printed ${JSON.stringify(first)}`);
    const start = { time: performance.now(), server: cpuSeconds(serverPid), machine: machineCpuSeconds() };
    const result = JSON.parse(await load.nextLine(runSeconds + 40)) as { rate: number; cpu: number };
    const wall = (performance.now() - start.time) / 1000;
    const machine = machineCpuSeconds();
    const machineBusy = machine.busy - start.machine.busy;
    return {
      rate: result.rate,
      server: (cpuSeconds(serverPid) - start.server) / wall,
      load: result.cpu,
      machine: (machineBusy / (machineBusy + machine.idle - start.machine.idle)) * cpus().length,
    };
  } finally {
    await load.stop();
  }
}

for (const contender of servers.keys()) await run(contender, 1); // warm-up
const runs: Record<Contender, Run[]> = { spindle: [], ws: [] };
for (let round = 0; round < rounds; round++) {
  for (const contender of servers.keys()) {
    const result = await run(contender);
    runs[contender].push(result);
    console.error(
      `round ${round + 1}: ${contender}: ${Math.round(result.rate)} echoes/s; CPU: server ${percent(result.server)}, ` +
        `load ${percent(result.load)}; machine ${result.machine.toFixed(2)} of ${cpus().length} cores busy ` +
        `(other processes ${(result.machine - result.server - result.load).toFixed(2)})`,
    );
  }
}
await Promise.all([...servers.values()].map(({ child }) => child.stop()));

const samples = (name: Contender, field: keyof Run) => runs[name].map((result) => result[field]);
const med = (name: Contender, field: keyof Run = 'rate') => median(samples(name, field));
const ratio = med('spindle') / med('ws');
const rows = [...servers.keys()].map((name) => [
  labels[name],
  Math.round(med(name)).toLocaleString('en'),
  `${Math.round(Math.min(...samples(name, 'rate'))).toLocaleString('en')}–${Math.round(Math.max(...samples(name, 'rate'))).toLocaleString('en')}`,
  (med(name) / med('ws')).toFixed(2),
  Math.round(median(runs[name].map((result) => result.rate / result.server))).toLocaleString('en'),
  percent(med(name, 'server')),
  percent(med(name, 'load')),
]);
printSection(
  'WebSocket echo (`test/bench/websocket.ts`)',
  `${connections} connections from one load generator (a raw Node client, no extensions: frames masked ` +
    `once up front, the echoes of each read answered by one write of as many frames, only the echoes' headers ` +
    `read), ${window} 64-byte text messages in flight on each, echoes counted for ${seconds} s; each server in its ` +
    'own process on 127.0.0.1. Median of ' +
    `${rounds} alternating rounds, echoes per second, and the CPU each process used over the count (% of one ` +
    'core): the server near 100 % and the load below it means the server is what was measured (echoes per ' +
    'CPU-second of the server is the figure other processes on the machine disturb least). ' +
    `Goal: Spindle ≥ 1.0× \`ws\`: ${ratio.toFixed(2)}× (${ratio >= 1 ? 'met' : '**not met**'}).\n\n` +
    table(
      [
        'server',
        'echoes/s (median)',
        'range',
        'ratio to ws',
        'echoes per server CPU-second',
        'server CPU',
        'load CPU',
      ],
      rows,
    ),
);
