/**
 * FTP throughput: RETR and STOR of a 256 MiB file over loopback with one client, curl (`-o
 * /dev/null` to download, `-T file` to upload), one transfer at a time, against Spindle (the
 * ftp-server demo compiled, as a user runs it), pyftpdlib (Debian's `python3-pyftpdlib`), ftp-srv
 * (npm) and vsftpd (when installed: `apt-get install vsftpd`), each in its own process on
 * 127.0.0.1. Rounds alternate A B C D A B C D …; the table gives medians in MB/s and each server's
 * peak memory growth (VmHWM in /proc/PID/status, less its VmRSS before the first transfer).
 * Run: `npm run bench -- ftp`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPyftpdlib } from '../support/ftp-peers.js';
import { freePort, startPeer } from '../support/peer-process.js';
import { benchScript, compiledScript, giveUpAfter, listeningPort, startServer } from './_children.js';
import { alternate, median, printSection, table } from './_report.js';

const MiB = 1024 ** 2;
const size = 256 * MiB;
const rounds = 5;
const title = 'FTP transfers over loopback (`test/bench/ftp.ts`)';

giveUpAfter('ftp', 10 * 60);

type Contender = 'spindle' | 'pyftpdlib' | 'ftpsrv' | 'vsftpd';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (`node dist/demos/ftp-server.js`)',
  pyftpdlib: 'pyftpdlib (`python3 -m pyftpdlib`)',
  ftpsrv: 'ftp-srv (npm)',
  vsftpd: 'vsftpd (anonymous, a process per session)',
};

/** A running server: where it listens, how to log in, its PID (for memory), and how to stop it. */
interface FtpPeer {
  readonly port: number;
  readonly login: string;
  /** The process whose memory is measured; undefined when sessions run in processes of their own. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Whether an FTP server greets on `port` (a `220` line). */
async function greets(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    const [chunk] = (await Promise.race([once(socket, 'data'), once(socket, 'error')])) as [unknown];
    return Buffer.isBuffer(chunk) && chunk.toString('latin1').startsWith('220');
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** A field of /proc/PID/status, in bytes (`VmRSS`, `VmHWM`). */
function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) * 1024;
}

/** One curl transfer; MB/s (10^6 bytes a second), from curl's own total time. */
async function curl(args: readonly string[], counted: 'size_download' | 'size_upload'): Promise<number> {
  const child = spawn(
    'curl',
    ['--silent', '--show-error', '--max-time', '120', '-w', `%{time_total} %{${counted}}`, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number];
  const [seconds, bytes] = out.trim().split(' ').map(Number);
  if (code !== 0 || bytes !== size) throw new Error(`curl ${args.join(' ')}: exit ${code}, ${out}`);
  return size / seconds! / 1e6;
}

const folder = mkdtempSync(join(tmpdir(), 'spindle-bench-ftp-'));
const root = join(folder, 'root');
mkdirSync(root, { mode: 0o777 });
const source = join(folder, 'source.bin');
{
  const fd = openSync(source, 'w');
  const chunk = Buffer.alloc(4 * MiB);
  for (let written = 0; written < size; written += chunk.length) writeSync(fd, randomFillSync(chunk));
  closeSync(fd);
}
linkSync(source, join(root, 'big.bin'));

const peers = new Map<Contender, FtpPeer>();
const withVsftpd = spawnSync('vsftpd', ['-v'], { stdio: 'ignore' }).error === undefined;
let samples: Partial<Record<`${Contender} ${'retr' | 'stor'}`, number[]>> = {};
const growth: Partial<Record<Contender, number>> = {};
try {
  {
    const args = ['--root', root, '--user', 'user:pass', '--listen', 'tcp:0:interface=127.0.0.1'];
    const { child, port } = await startServer(
      'spindle ftp demo',
      process.execPath,
      [compiledScript('demos/ftp-server'), ...args],
      {
        port: listeningPort,
        group: true,
      },
    );
    peers.set('spindle', { port, login: 'user:pass@', pid: child.process.pid, stop: () => child.stop() });
  }
  {
    const peer = await startPyftpdlib(root);
    peers.set('pyftpdlib', { port: peer.port, login: 'user:pass@', pid: peer.pid, stop: () => peer.stop() });
  }
  {
    const port = await freePort();
    const { child } = await startServer('ftp-srv', process.execPath, [
      benchScript('_ftp-ftpsrv-server'),
      root,
      String(port),
    ]);
    peers.set('ftpsrv', { port, login: 'user:pass@', pid: child.process.pid, stop: () => child.stop() });
  }
  if (withVsftpd) {
    const config = join(folder, 'vsftpd.conf');
    mkdirSync(join(folder, 'empty'));
    const peer = await startPeer({
      name: 'vsftpd',
      hint: "Debian's vsftpd has it",
      command: (port) => {
        const lines = [
          ...[
            'listen=YES',
            'listen_ipv6=NO',
            'listen_address=127.0.0.1',
            `listen_port=${port}`,
            'background=NO',
          ],
          ...['anonymous_enable=YES', `anon_root=${root}`, 'no_anon_password=YES', 'write_enable=YES'],
          ...['anon_upload_enable=YES', 'anon_other_write_enable=YES', 'anon_world_readable_only=NO'],
          ...['local_enable=NO', 'run_as_launching_user=YES', 'seccomp_sandbox=NO', 'xferlog_enable=NO'],
          ...[`secure_chroot_dir=${join(folder, 'empty')}`, 'check_shell=NO'],
        ];
        writeFileSync(config, `${lines.join('\n')}\n`);
        return ['vsftpd', config];
      },
      answers: greets,
    });
    peers.set('vsftpd', { port: peer.port, login: '', pid: undefined, stop: () => peer.stop() });
  }
  const url = (peer: FtpPeer, name: string) => `ftp://${peer.login}127.0.0.1:${peer.port}/${name}`;
  const retr = (peer: FtpPeer) => curl(['-o', '/dev/null', url(peer, 'big.bin')], 'size_download');
  const stor = async (contender: Contender, peer: FtpPeer) => {
    const rate = await curl(['-T', source, url(peer, `up-${contender}.bin`)], 'size_upload');
    rmSync(join(root, `up-${contender}.bin`));
    return rate;
  };
  const baseline = new Map<Contender, number>();
  for (const [contender, peer] of peers) {
    if (peer.pid !== undefined) baseline.set(contender, procMemory(peer.pid, 'VmRSS'));
  }
  for (const [contender, peer] of peers) {
    await retr(peer); // warm-up
    await stor(contender, peer);
  }
  const runs: Record<string, () => Promise<number>> = {};
  for (const [contender, peer] of peers) {
    runs[`${contender} retr`] = () => retr(peer);
    runs[`${contender} stor`] = () => stor(contender, peer);
  }
  samples = await alternate(rounds, runs);
  for (const [contender, peer] of peers) {
    if (peer.pid !== undefined) growth[contender] = procMemory(peer.pid, 'VmHWM') - baseline.get(contender)!;
  }
} finally {
  await Promise.all([...peers.values()].map((peer) => peer.stop()));
  rmSync(folder, { recursive: true, force: true });
}

const med = (contender: Contender, way: 'retr' | 'stor') =>
  median(samples[`${contender} ${way}`] ?? [Number.NaN]);
const rate = (value: number) => Math.round(value).toLocaleString('en');
const range = (values: readonly number[]) => `${rate(Math.min(...values))}–${rate(Math.max(...values))}`;
const rows = (Object.keys(labels) as Contender[]).map((contender) => {
  if (!peers.has(contender))
    return [labels[contender], 'skipped: `vsftpd` is not installed', '—', '—', '—', '—', '—', '—'];
  const cells = (way: 'retr' | 'stor') => [
    rate(med(contender, way)),
    range(samples[`${contender} ${way}`]!),
    (med('spindle', way) / med(contender, way)).toFixed(2),
  ];
  const memory = growth[contender];
  return [
    labels[contender],
    ...cells('retr'),
    ...cells('stor'),
    memory === undefined ? '—' : `${(memory / MiB).toFixed(1)} MiB`,
  ];
});
const goal = (to: Contender, wanted: number) =>
  (['retr', 'stor'] as const)
    .map((way) => {
      const achieved = med('spindle', way) / med(to, way);
      return `${way.toUpperCase()} ${achieved.toFixed(2)}× (${achieved >= wanted ? 'met' : '**not met**'})`;
    })
    .join(', ');
const memoryGoal = (growth.spindle ?? Number.NaN) / MiB;
printSection(
  title,
  `curl, one transfer at a time, of a 256 MiB file of random bytes: RETR to \`/dev/null\`, STOR from a file ` +
    '(the upload deleted after each run), passive mode (EPSV), binary, over 127.0.0.1; every server serves ' +
    `the same folder of the same disk. Median of ${rounds} alternating rounds after one warm-up of each, MB/s ` +
    "(10⁶ bytes a second, by curl's total time, login included). Spindle fsyncs an upload before its 226 " +
    '(and writes it under a temporary name, renamed into place, in 1 MiB batches, an fdatasync every 8 MiB ' +
    'while it arrives); the others do not fsync. Peak memory growth: ' +
    "the server process's VmHWM after all runs less its VmRSS before the first transfer (vsftpd forks a " +
    'process per session: not measured). A Node server receiving at full speed grows by some 32 MiB or more: ' +
    'Node reads a socket into a fresh 64 KiB buffer each time, and V8 frees those only once 32 MiB of them ' +
    "wait (twice its young generation's largest semi-space); Node's `onread` (reads into the caller's buffers) " +
    'is offered for the sockets it connects, not for those a server accepts, such as passive data connections. ' +
    `Goals for Spindle: ≥ 1.0× pyftpdlib: ${goal('pyftpdlib', 1)}; ` +
    `≥ 1.2× ftp-srv: ${goal('ftpsrv', 1.2)}; peak memory growth < 32 MB: ${memoryGoal.toFixed(1)} MiB ` +
    `(${memoryGoal * MiB < 32e6 ? 'met' : '**not met**'}).` +
    `\n\n${table(
      [
        'server',
        'RETR MB/s (median)',
        'range',
        'Spindle ÷ this',
        'STOR MB/s (median)',
        'range',
        'Spindle ÷ this',
        'peak memory growth',
      ],
      rows,
    )}`,
);
