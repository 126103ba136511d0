/**
 * Static files with `wrk` keep-alive (`wrk -t1 -c50`): a 4 KiB and a 1 MiB file from Spindle (the
 * web demo compiled by tsc, run as a user runs it: `node dist/demos/web.js --path DIR`), Express
 * with `serve-static`, a plain node:http server piping `fs.createReadStream`, and nginx (Debian's
 * `nginx-light`, one process, `sendfile on`), each in its own process on 127.0.0.1, serving the
 * same folder. Runs alternate A B C D A B C D …; the table gives medians in requests per second.
 * Run: `npm run bench -- web`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchScript, Child, compiledScript, giveUpAfter, listeningPort, startServer } from './_children.js';
import { median, printSection, table } from './_report.js';

const rounds = 7;
const seconds = 4;
const title = 'Static files (`test/bench/web.ts`)';

giveUpAfter('web', 12 * 60);

type Contender = 'spindle' | 'express' | 'node' | 'nginx';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (web demo: `staticFiles`)',
  express: 'Express + `serve-static`',
  node: 'node:http piping `fs.createReadStream`',
  nginx: 'nginx (`nginx-light`, one process)',
};
const files = { '4 KiB': 'file-4k.bin', '1 MiB': 'file-1m.bin' } as const;
type Size = keyof typeof files;

for (const program of ['wrk', 'nginx']) {
  if (spawnSync(program, ['-v'], { encoding: 'utf8' }).error !== undefined) {
    printSection(title, `Skipped: \`${program}\` is not installed (\`apt-get install wrk nginx-light\`).`);
    process.exit(0);
  }
}

const work = mkdtempSync(join(tmpdir(), 'spindle-bench-web-'));
process.once('exit', () => rmSync(work, { recursive: true, force: true }));
const site = join(work, 'site');
mkdirSync(site);
writeFileSync(join(site, files['4 KiB']), randomBytes(4096));
writeFileSync(join(site, files['1 MiB']), randomBytes(1024 * 1024));

/** A free port on 127.0.0.1 (nginx takes its port from its configuration, not from 0). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  return address.port;
}

/** Whether something accepts connections on `port` (within 10 s). */
async function accepting(port: number): Promise<boolean> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, '127.0.0.1');
      const settle = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.once('connect', () => settle(true)).once('error', () => settle(false));
      socket.setTimeout(1000, () => settle(false));
    });
    if (connected) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** nginx in the foreground, one process, its configuration and temporary files in `work`. */
async function startNginx(): Promise<{ child: Child; port: number }> {
  const port = await freePort();
  const temp = join(work, 'nginx');
  mkdirSync(temp);
  const config = join(temp, 'nginx.conf');
  writeFileSync(
    config,
    `daemon off;
master_process off;
worker_processes 1;
pid ${temp}/nginx.pid;
error_log ${temp}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp}/client-body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  default_type application/octet-stream;
  sendfile on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    root ${site};
  }
}
`,
  );
  // A process group of its own, stopped by its PID (SIGTERM: nginx's fast shutdown).
  const child = new Child('nginx', 'nginx', ['-p', temp, '-c', config, '-e', `${temp}/error.log`], {
    group: true,
  });
  if (!(await accepting(port))) {
    child.kill();
    throw new Error(`nginx did not listen on ${port}: ${readFileSync(`${temp}/error.log`, 'utf8')}`);
  }
  return { child, port };
}

const servers = new Map<Contender, { child: Child; port: number }>();
servers.set(
  'spindle',
  // The demo exits on SIGTERM, not when its stdin closes: a process group, stopped as one.
  await startServer(
    'compiled web demo',
    process.execPath,
    [compiledScript('demos/web'), '--listen', 'tcp:0:interface=127.0.0.1', '--path', site],
    { port: listeningPort, group: true },
  ),
);
servers.set(
  'express',
  await startServer('express', process.execPath, [benchScript('_web-express-server'), site]),
);
servers.set(
  'node',
  await startServer('node:http', process.execPath, [benchScript('_web-node-server'), site]),
);
servers.set('nginx', await startNginx());

// Each server must send each file's bytes, whole, before its rate means anything.
for (const [name, { port }] of servers) {
  for (const file of Object.values(files)) {
    const response = await fetch(`http://127.0.0.1:${port}/${file}`, { signal: AbortSignal.timeout(10_000) });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || !body.equals(readFileSync(join(site, file)))) {
      throw new Error(`${name} answered ${response.status} with other bytes for /${file}`);
    }
  }
}

/** One wrk run: requests and bytes per second. */
function wrk(port: number, file: string, runSeconds = seconds): { rate: number; bytes: number } {
  const args = ['-t1', '-c50', `-d${runSeconds}s`, `http://127.0.0.1:${port}/${file}`];
  const run = spawnSync('wrk', args, { encoding: 'utf8', timeout: (runSeconds + 20) * 1000 });
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(run.stdout ?? '');
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(run.stdout ?? '');
  if (run.status !== 0 || rate === null || transfer === null)
    throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(run.stdout);
  if (errors !== null) console.error(`${file} on ${port}: ${errors[0]}`);
  const unit = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 }[transfer[2] as 'B' | 'KB' | 'MB' | 'GB'];
  return { rate: Number(rate[1]), bytes: Number(transfer[1]) * unit };
}

for (const { port } of servers.values()) for (const file of Object.values(files)) wrk(port, file, 1); // warm-up
const samples = new Map<string, { rate: number; bytes: number }[]>();
for (let round = 0; round < rounds; round++) {
  for (const size of Object.keys(files) as Size[]) {
    for (const [name, { port }] of servers) {
      const sample = wrk(port, files[size]);
      samples.set(`${name}:${size}`, [...(samples.get(`${name}:${size}`) ?? []), sample]);
      console.error(`round ${round + 1}: ${size}: ${name}: ${Math.round(sample.rate)} req/s`);
    }
  }
}
await Promise.all([...servers.values()].map(({ child }) => child.stop()));

const of = (name: Contender, size: Size) => samples.get(`${name}:${size}`) ?? [];
const med = (name: Contender, size: Size) => median(of(name, size).map((sample) => sample.rate));
const rows: string[][] = [];
for (const size of Object.keys(files) as Size[]) {
  for (const name of servers.keys()) {
    const rates = of(name, size).map((sample) => sample.rate);
    const bytes = median(of(name, size).map((sample) => sample.bytes));
    rows.push([
      labels[name],
      size,
      Math.round(med(name, size)).toLocaleString('en'),
      `${Math.round(Math.min(...rates)).toLocaleString('en')}–${Math.round(Math.max(...rates)).toLocaleString('en')}`,
      (bytes / 2 ** 20).toFixed(0),
      (med('spindle', size) / med(name, size)).toFixed(2),
    ]);
  }
}
const goal = (ratio: number, wanted: number) =>
  `${ratio.toFixed(2)}× (${ratio >= wanted ? 'met' : '**not met**'})`;
printSection(
  title,
  `\`wrk -t1 -c50 -d${seconds}s\` (keep-alive) for one file, from each server in its own process on 127.0.0.1, ` +
    `all serving one folder of random bytes; nginx with \`sendfile on\` and \`keepalive_requests 1000000\`. ` +
    `Median of ${rounds} alternating rounds, requests per second; MiB/s is the median of wrk's transfer rate. ` +
    `Goals: Spindle ≥ 1.5× Express + serve-static on 4 KiB: ${goal(med('spindle', '4 KiB') / med('express', '4 KiB'), 1.5)}; ` +
    `≥ 1.0× plain node:http on 1 MiB: ${goal(med('spindle', '1 MiB') / med('node', '1 MiB'), 1)}; ` +
    `nginx (aim 0.5×): ${(med('spindle', '4 KiB') / med('nginx', '4 KiB')).toFixed(2)}× on 4 KiB, ` +
    `${(med('spindle', '1 MiB') / med('nginx', '1 MiB')).toFixed(2)}× on 1 MiB.\n\n` +
    table(['server', 'file', 'requests/s (median)', 'range', 'MiB/s', 'Spindle ÷ this'], rows),
);
