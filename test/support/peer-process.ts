/**
 * Starts a real peer (a server program) on a free loopback port, for interop tests: it waits
 * until the port accepts, and stops the program by its PID.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect as netConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running peer. */
export interface PeerProcess {
  /** The loopback port it listens on. */
  readonly port: number;
  /** What it printed so far, on stdout and stderr. */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 seconds); resolves once it has exited. */
  stop(): Promise<void>;
}

/** How to run a peer. */
export interface PeerCommand {
  /** What error messages call it: `'twistd3 web'`. */
  readonly name: string;
  /** The program. */
  readonly command: string;
  /** Its arguments, given the port it is to listen on. */
  readonly args: (port: number) => readonly string[];
  /** Where it comes from, said when it cannot be run: `"Debian's python3-twisted has it"`. */
  readonly hint: string;
}

/** A TCP port nobody listens on now, on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Whether something accepts connections on `port`. */
function accepts(port: number): Promise<boolean> {
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
 * Runs the peer on a free port and resolves once that port accepts connections on 127.0.0.1
 * (within 20 seconds, or it is stopped and the promise rejects with what it printed).
 *
 * @example
 * ```ts
 * const peer = await startPeer({ name: 'echo', command: 'socat', args: (port) => [`TCP-LISTEN:${port},bind=127.0.0.1`, 'EXEC:cat'], hint: 'apt-get install socat' });
 * try { … } finally { await peer.stop(); }
 * ```
 */
export async function startPeer(peer: PeerCommand): Promise<PeerProcess> {
  const port = await freePort();
  const child = spawn(peer.command, peer.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // Not found (ENOENT) is an 'error' event and a negative exitCode: fail below, do not crash the run.
  child.once('error', (error) => collect(Buffer.from(`${error.message} (${peer.hint})\n`)));
  const running: PeerProcess = { port, output: () => output, stop: () => stop(child) };
  const deadline = Date.now() + 20_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child);
      throw new Error(`${peer.name} did not start on port ${port}:\n${output}`);
    }
    await sleep(50);
  }
  return running;
}
