/**
 * The real programs the tests talk to (interop peers), how to tell each is installed, and the
 * Debian packages that provide it; and `ensurePeers`, `npm test`'s preflight: it installs what is
 * missing when it can (root with `apt-get`), or stops with the one command that would.
 *
 * Adding a peer is one line in `peers`. Benchmark-only programs (`wrk`, `dnsperf`) are not listed.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to tell a peer is here: a program found on PATH, or a command that must exit 0. */
export type Probe = { readonly onPath: string } | { readonly runs: readonly [string, ...string[]] };

/** A program found on PATH. */
export const onPath = (program: string): Probe => ({ onPath: program });

/** A command that exits 0 (within 10 seconds). */
export const runs = (command: string, ...args: string[]): Probe => ({ runs: [command, ...args] });

/** A real program the tests run. */
export interface Peer {
  /** What the tests run, as the error message names it. */
  readonly name: string;
  /** All must pass for the peer to count as here. */
  readonly probes: readonly Probe[];
  /** The Debian packages that provide it. */
  readonly packages: readonly string[];
}

/** Every real peer the tests use (benchmarks aside), one a line. */
export const peers: readonly Peer[] = [
  { name: 'openssl', probes: [onPath('openssl')], packages: ['openssl'] },
  { name: 'curl', probes: [onPath('curl')], packages: ['curl'] },
  { name: 'python3 (http.client)', probes: [onPath('python3')], packages: ['python3'] },
  // Only Debian's python3 imports Twisted; the tests run its `twistd3` from PATH.
  {
    name: 'twistd3',
    probes: [onPath('twistd3'), runs('/usr/bin/python3', '-c', 'import twisted')],
    packages: ['python3-twisted'],
  },
  { name: 'dig', probes: [onPath('dig')], packages: ['dnsutils'] },
  { name: 'kdig', probes: [onPath('kdig')], packages: ['knot-dnsutils'] },
  { name: 'dnsmasq', probes: [onPath('dnsmasq')], packages: ['dnsmasq'] },
  // The FTP client's interop tests run pyftpdlib, its TLS handler needing pyOpenSSL.
  {
    name: 'pyftpdlib',
    probes: [runs('/usr/bin/python3', '-c', 'import pyftpdlib, OpenSSL')],
    packages: ['python3-pyftpdlib', 'python3-openssl'],
  },
  // The FTP server's interop tests drive lftp (and Python's ftplib, in python3's stdlib).
  { name: 'lftp', probes: [onPath('lftp')], packages: ['lftp'] },
  // The SMTP server's interop tests run swaks, whose --tls needs Net::SSLeay.
  {
    name: 'swaks',
    probes: [onPath('swaks'), runs('perl', '-MNet::SSLeay', '-e', '1')],
    packages: ['swaks', 'libnet-ssleay-perl'],
  },
  // The SMTP client's interop tests send to aiosmtpd.
  {
    name: 'aiosmtpd',
    probes: [runs('/usr/bin/python3', '-c', 'import aiosmtpd')],
    packages: ['python3-aiosmtpd'],
  },
  // The web demo's test drives Debian's Chromium at this path through playwright-core.
  // `spindle demo` prints `nc` lines to try its echo and chat servers; a test runs them.
  { name: 'nc (OpenBSD netcat)', probes: [onPath('nc')], packages: ['netcat-openbsd'] },
  { name: 'chromium', probes: [runs('/usr/bin/chromium', '--version')], packages: ['chromium'] },
];

/** Whether `program` is an executable file in one of `path`'s folders. */
function foundOnPath(program: string, path: string): boolean {
  return path
    .split(delimiter)
    .filter((folder) => folder !== '')
    .some((folder) => {
      const file = join(folder, program);
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** Whether `command` runs and exits 0 within 10 seconds, its output ignored. */
function exitsZero(command: readonly [string, ...string[]], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: 'ignore', timeout: 10_000 });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** Whether `probe` passes on this machine, with `env`'s PATH. */
export function passes(probe: Probe, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if ('onPath' in probe) return Promise.resolve(foundOnPath(probe.onPath, env.PATH ?? ''));
  return exitsZero(probe.runs, env);
}

/** Whether every probe of `peer` passes on this machine. */
export async function isHere(peer: Peer, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const results = await Promise.all(peer.probes.map((probe) => passes(probe, env)));
  return results.every(Boolean);
}

/** What the preflight may do about missing peers. */
export interface Host {
  /** Whether this process runs as root. */
  readonly root: boolean;
  /** Whether `apt-get` is on PATH. */
  readonly apt: boolean;
}

/** This process's `Host`. */
export function thisHost(env: NodeJS.ProcessEnv = process.env): Host {
  return { root: process.getuid?.() === 0, apt: foundOnPath('apt-get', env.PATH ?? '') };
}

/** The preflight's decision: nothing to do, install these packages, or refuse to go on. */
export type Preflight =
  | { readonly kind: 'ready' }
  | { readonly kind: 'install'; readonly packages: readonly string[] }
  | { readonly kind: 'refuse'; readonly missing: readonly Peer[] };

/** The packages that provide `missing`, each once, in list order. */
export function packagesFor(missing: readonly Peer[]): string[] {
  return [...new Set(missing.flatMap((peer) => peer.packages))];
}

/** Decides what to do about the `missing` peers on `host`. */
export function decide(missing: readonly Peer[], host: Host): Preflight {
  if (missing.length === 0) return { kind: 'ready' };
  if (host.root && host.apt) return { kind: 'install', packages: packagesFor(missing) };
  return { kind: 'refuse', missing };
}

/** The `apt-get install` arguments for `packages`, as printed and as run. */
export const installArgs = (packages: readonly string[]): string[] => [
  'install',
  '-y',
  '--no-install-recommends',
  ...packages,
];

/** The line the preflight stops with when `missing` are still missing. */
export function missingLine(missing: readonly Peer[]): string {
  const names = missing.map((peer) => peer.name).join(', ');
  const install = ['apt-get', ...installArgs(packagesFor(missing))].join(' ');
  return `missing test peers: ${names}; install them with: ${install}`;
}

/** What a command printed (stdout and stderr together) and its exit code. */
export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

/** Runs `command` with `DEBIAN_FRONTEND=noninteractive`, collecting its output rather than showing it. */
function runQuietly(command: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => resolve({ code: 127, output: `${output}${error.message}\n` }));
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** What `ensurePeers` needs from the machine; every field defaults to the real one. */
export interface PreflightOptions {
  /** The peers to look for; default `peers`. */
  peers?: readonly Peer[];
  /** Whether a peer is installed; default: its probes on this machine. */
  isHere?: (peer: Peer) => Promise<boolean>;
  /** Default: this process (`thisHost()`). */
  host?: Host;
  /** Runs `apt-get`; default: a child process whose output is shown only if it fails. */
  run?: (command: string, args: readonly string[]) => Promise<CommandResult>;
  /** Where the lines go; default `console`. */
  console?: Pick<Console, 'log' | 'error'>;
}

/**
 * `npm test`'s preflight. Probes every peer; if some are missing and this is root with `apt-get`,
 * prints one `» apt-get install …` line, runs `apt-get update` (quietly) and that install, and
 * probes again. Resolves true when every peer is here; otherwise prints (to stderr) apt's output
 * if it failed, then `missing test peers: …; install them with: apt-get install …`, and resolves
 * false.
 */
export async function ensurePeers(options: PreflightOptions = {}): Promise<boolean> {
  const {
    peers: wanted = peers,
    isHere: probe = (peer: Peer) => isHere(peer),
    host = thisHost(),
    run = runQuietly,
    console: out = console,
  } = options;
  const missingOf = async (list: readonly Peer[]) => {
    const here = await Promise.all(list.map(probe));
    return list.filter((_peer, i) => !here[i]);
  };
  const missing = await missingOf(wanted);
  const decision = decide(missing, host);
  if (decision.kind === 'ready') return true;
  if (decision.kind === 'install') {
    const args = installArgs(decision.packages);
    out.log(`» apt-get ${args.join(' ')}`);
    for (const step of [['update', '-qq'], args]) {
      const result = await run('apt-get', step);
      if (result.code !== 0) {
        if (result.output.trim() !== '') out.error(result.output.trimEnd());
        out.error(missingLine(missing));
        return false;
      }
    }
    const still = await missingOf(missing);
    if (still.length === 0) return true;
    out.error(missingLine(still));
    return false;
  }
  out.error(missingLine(decision.missing));
  return false;
}
