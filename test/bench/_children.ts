/**
 * The parent side of the benchmarks that run servers and load generators in child processes:
 * starting them, reading their stdout line by line with a deadline, and killing every child that
 * is still running when the benchmark ends (normally, by an exception or by a signal).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The path of a compiled benchmark script next to this one (`_echo-net-server` → …/.bench/…/_echo-net-server.js). */
export function benchScript(name: string): string {
  return new URL(`${name}.js`, import.meta.url).pathname;
}

/** The path of a file kept in the source tree's test/bench/ (tsc does not copy non-TS files). */
export function benchSource(name: string): string {
  return new URL(`../../../test/bench/${name}`, import.meta.url).pathname;
}

/** Ends the benchmark `name` (exit 3, its children killed on exit) if it is not done within `seconds`. */
export function giveUpAfter(name: string, seconds: number): void {
  setTimeout(() => {
    console.error(`${name}: not done within ${seconds} s; giving up`);
    process.exit(3);
  }, seconds * 1000).unref();
}

/** Debian's Python, the only one here that can import Twisted. */
export const twistedPython = '/usr/bin/python3';

/** Whether `/usr/bin/python3 -c 'import twisted'` works. */
export function twistedAvailable(): boolean {
  const probe = spawnSync(twistedPython, ['-c', 'import twisted'], { stdio: 'ignore', timeout: 30_000 });
  return probe.status === 0;
}

const running = new Set<Child>();
const killAll = () => {
  for (const child of running) child.kill();
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * A child process whose stdout is read as lines. Its stdin stays open as a pipe: the benchmark's
 * children exit when it closes, so none outlives the benchmark even if the parent is killed.
 */
export class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  private readonly _lines: string[] = [];
  private _waiter: (() => void) | undefined;
  private _exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
  ) {
    this.process = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    running.add(this);
    this.process.stdin!.on('error', () => {}); // a child that died: its exit is what we report
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      this._lines.push(line);
      this._wake();
    });
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code) => {
        this._exitCode = code;
        running.delete(this);
        this._wake();
        resolve(code);
      });
    });
  }

  /** The next line the child prints; rejects if it exits first or nothing comes within `timeoutSeconds`. */
  async nextLine(timeoutSeconds: number): Promise<string> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const line = this._lines.shift();
      if (line !== undefined) return line;
      if (this._exitCode !== undefined) throw new Error(`${this.name} exited (code ${this._exitCode})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no answer within ${timeoutSeconds} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this._waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    this.process.stdin!.write(`${line}\n`);
  }

  /** Asks a line-protocol child something and returns its one-line answer. */
  async ask(question: string, timeoutSeconds: number): Promise<string> {
    this.send(question);
    return this.nextLine(timeoutSeconds);
  }

  /** Kills the child (SIGKILL) if it is still running. */
  kill(): void {
    if (this._exitCode === undefined) this.process.kill('SIGKILL');
  }

  /** Closes its stdin (a polite "exit now"), then kills it if it is still running after `graceSeconds`. */
  async stop(graceSeconds = 5): Promise<void> {
    if (this._exitCode !== undefined) return;
    this.process.stdin!.end();
    const timer = setTimeout(() => this.kill(), graceSeconds * 1000);
    await this.exited;
    clearTimeout(timer);
  }

  private _wake(): void {
    const waiter = this._waiter;
    this._waiter = undefined;
    waiter?.();
  }
}

/** Starts a server child and waits for the port it prints on its first line. */
export async function startServer(
  name: string,
  command: string,
  args: readonly string[],
): Promise<{ child: Child; port: number }> {
  const child = new Child(name, command, args);
  const line = await child.nextLine(30);
  const port = Number(line);
  if (!Number.isInteger(port) || port <= 0) {
    child.kill();
    throw new Error(`${name} printed ${JSON.stringify(line)} instead of its port`);
  }
  return { child, port };
}
