/**
 * HTTP client throughput against nginx (Debian's `nginx-light`) serving a small file: Spindle's
 * `Agent`, undici's `request`, node:http with a keep-alive Agent and Node's fetch, each making
 * 20,000 keep-alive GETs with 50 in flight, each run in a fresh process of its own
 * (`_http-client-load.ts`). Runs alternate A B C D A B C D …; the table gives medians in requests
 * per second. Run: `npm run bench -- http-client`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchScript, Child, giveUpAfter } from './_children.js';
import { alternate, median, printSection, table } from './_report.js';

const rounds = 7;
const requests = 20_000;
const inFlight = 50;
const fileSize = 1024;
const title = 'HTTP client against nginx (`test/bench/http-client.ts`)';

giveUpAfter('http-client', 10 * 60);

if (spawnSync('nginx', ['-v'], { encoding: 'utf8' }).error !== undefined) {
  printSection(title, 'Skipped: `nginx` is not installed (`apt-get install nginx-light`).');
  process.exit(0);
}

/** A port nobody listens on now, on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on `port`, trying for at most 10 s. */
async function acceptsConnections(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

const folder = mkdtempSync(join(tmpdir(), 'spindle-bench-nginx-'));
const port = await freePort();
mkdirSync(join(folder, 'www'));
writeFileSync(join(folder, 'www', 'small.txt'), 'x'.repeat(fileSize));
writeFileSync(
  join(folder, 'nginx.conf'),
  `daemon off;
master_process off;
worker_processes 1;
pid ${folder}/nginx.pid;
error_log ${folder}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${folder}/body;
  proxy_temp_path ${folder}/proxy;
  fastcgi_temp_path ${folder}/fastcgi;
  uwsgi_temp_path ${folder}/uwsgi;
  scgi_temp_path ${folder}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${port};
    root ${folder}/www;
  }
}
`,
);
const nginx = new Child(
  'nginx',
  'nginx',
  ['-c', join(folder, 'nginx.conf'), '-e', join(folder, 'error.log')],
  {
    group: true,
  },
);
try {
  await acceptsConnections(port);
  const url = `http://127.0.0.1:${port}/small.txt`;

  type Contender = 'spindle' | 'undici' | 'node' | 'fetch';
  const labels: Record<Contender, string> = {
    spindle: 'Spindle (`Agent`, 50 connections)',
    undici: "undici's `request` (global dispatcher)",
    node: 'node:http (keep-alive `Agent`, maxSockets 50)',
    fetch: "Node's `fetch`",
  };
  /** One run of `client` in a process of its own: its rate, requests per second. */
  const runOnce = (client: Contender) => {
    const run = spawnSync(
      process.execPath,
      [benchScript('_http-client-load'), client, url, String(requests), String(inFlight)],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const rate = Number(run.stdout.trim());
    if (run.status !== 0 || !(rate > 0)) throw new Error(`${client} failed: ${run.stderr || run.stdout}`);
    return rate;
  };
  const contenders = Object.keys(labels) as Contender[];
  const samples = await alternate(
    rounds,
    Object.fromEntries(contenders.map((client) => [client, () => runOnce(client)])) as Record<
      Contender,
      () => number
    >,
  );
  const med = (client: Contender) => median(samples[client]);
  const rows = contenders.map((client) => [
    labels[client],
    Math.round(med(client)).toLocaleString('en'),
    `${Math.round(Math.min(...samples[client])).toLocaleString('en')}–${Math.round(Math.max(...samples[client])).toLocaleString('en')}`,
    (med(client) / med('undici')).toFixed(2),
  ]);
  const ratio = med('spindle') / med('undici');
  printSection(
    title,
    `nginx (\`nginx-light\`, one worker, \`access_log off\`) serving a ${fileSize}-byte file on 127.0.0.1; each client ` +
      `makes ${requests.toLocaleString('en')} keep-alive GETs, ${inFlight} in flight, reading every body whole, after a ` +
      `warm-up of ${(requests / 10).toLocaleString('en')}, in a fresh process per run. Median of ${rounds} alternating ` +
      `rounds, requests per second. Goal: Spindle ≥ 1.0× undici's \`request\`: ${ratio.toFixed(2)}× ` +
      `(${ratio >= 1 ? 'met' : '**not met**'}). Where Spindle's lead comes from: the requests made while one batch ` +
      "of responses is read go out together at the end of the event loop's turn, waking nginx once for them all (a " +
      'write that wakes a sleeping peer over loopback costs several times one that does not), and each connection ' +
      'keeps one head and one idle deadline, moved per request, rather than two timers made and cancelled per request.\n\n' +
      table(['client', 'requests/s (median)', 'range', "ratio to undici's request"], rows),
  );
} finally {
  await nginx.stop();
  rmSync(folder, { recursive: true, force: true });
}
