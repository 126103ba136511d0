/**
 * Starts a Twisted web server (Debian's `twistd3 web`) serving a folder on a free loopback port,
 * for interop tests: it waits until the port accepts, and stops the server by its PID.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect as netConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running `twistd3 web`. */
export interface TwistedWeb {
  /** The loopback port it listens on. */
  readonly port: number;
  /** What it printed so far (its log goes to stdout). */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 seconds); resolves once it has exited. */
  stop(): Promise<void>;
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
 * Runs `twistd3 -n --pidfile= -l - web --listen tcp:PORT:interface=127.0.0.1 --path DIRECTORY`
 * and resolves once its port accepts connections (within 20 seconds, or it is stopped and the
 * promise rejects with what it printed).
 *
 * @example
 * ```ts
 * const twisted = await startTwistedWeb(folder);
 * try { await request('GET', `http://127.0.0.1:${twisted.port}/a.txt`); } finally { await twisted.stop(); }
 * ```
 */
export async function startTwistedWeb(directory: string): Promise<TwistedWeb> {
  const port = await freePort();
  const child = spawn(
    'twistd3',
    [
      '-n',
      '--pidfile=',
      '-l',
      '-',
      'web',
      '--listen',
      `tcp:${port}:interface=127.0.0.1`,
      '--path',
      directory,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // Not found (ENOENT) is an 'error' event and a negative exitCode: fail below, do not crash the run.
  child.once('error', (error) =>
    collect(Buffer.from(`${error.message} (Debian's python3-twisted has it)\n`)),
  );
  const twisted: TwistedWeb = { port, output: () => output, stop: () => stop(child) };
  const deadline = Date.now() + 20_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child);
      throw new Error(`twistd3 web did not start on port ${port}:\n${output}`);
    }
    await sleep(50);
  }
  return twisted;
}
