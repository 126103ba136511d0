/**
 * Runs a real peer (a server program such as `twistd3` or `dnsmasq`) in the foreground for an
 * interop test or a benchmark: on a loopback port nobody uses, polled a bounded number of times
 * until it answers, stopped by its PID (and killed by it when the test process exits first).
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, connect as netConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A peer program running in the foreground. */
export interface PeerProcess {
  /** Its process id. */
  readonly pid: number;
  /** The loopback port it serves on. */
  readonly port: number;
  /** What it printed so far, stdout and stderr together. */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 seconds); resolves once it has exited. */
  stop(): Promise<void>;
}

/** How to start a peer and tell it is ready. */
export interface PeerOptions {
  /** Its name in errors, e.g. `dnsmasq`. */
  readonly name: string;
  /** Added to the error when the program is not found, e.g. `Debian's dnsmasq has it`. */
  readonly hint: string;
  /** The program and its arguments, for the port it is to serve on. */
  readonly command: (port: number) => readonly [string, ...string[]];
  /** One probe of the running peer: whether it answers on `port` yet. */
  readonly answers: (port: number) => Promise<boolean>;
  /** How many probes before giving up, 100 ms apart after each failed one. Default 200. */
  readonly probes?: number;
}

/**
 * A port that nobody listens on now, neither TCP nor UDP, on 127.0.0.1 (a DNS server takes both;
 * for a TCP-only server it costs nothing). Tries a few ephemeral ports in turn.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const { port } = udp.address();
    const tcp = createServer();
    const free = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (free) {
      tcp.close();
      await once(tcp, 'close');
      return port;
    }
  }
  throw new Error('no port free for both TCP and UDP on 127.0.0.1 in 20 attempts');
}

/**
 * Whether something accepts TCP connections on 127.0.0.1:`port`: the readiness probe of a TCP
 * server peer.
 *
 * @example
 * ```ts
 * await startPeer({ name: 'twistd3 web', hint, command, answers: accepts });
 * ```
 */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

/**
 * Starts `options.command` on a free port and resolves once `options.answers` says it does; if it
 * exits first or every probe fails, it is stopped and the promise rejects with what it printed.
 *
 * @example
 * ```ts
 * const peer = await startPeer({ name: 'dnsmasq', hint: '…', command: (port) => ['dnsmasq', …], answers });
 * try { … } finally { await peer.stop(); }
 * ```
 */
export async function startPeer(options: PeerOptions): Promise<PeerProcess> {
  const port = await freePort();
  const [program, ...args] = options.command(port);
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // Not found (ENOENT) is an 'error' event and a negative exitCode: fail below, do not crash the run.
  child.once('error', (error) => collect(Buffer.from(`${error.message} (${options.hint})\n`)));
  const peer: PeerProcess = { pid: child.pid ?? -1, port, output: () => output, stop: () => stop(child) };
  const probes = options.probes ?? 200;
  for (let probe = 0; probe < probes && child.exitCode === null; probe++) {
    if (await options.answers(port)) return peer;
    await sleep(100);
  }
  await stop(child);
  throw new Error(`${options.name} did not start on port ${port}:\n${output}`);
}
