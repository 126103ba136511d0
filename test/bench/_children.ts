/**
 * The parent side of the benchmarks that run servers and load generators in child processes:
 * starting them, reading their stdout line by line with a deadline, and killing every child that
 * is still running when the benchmark ends (normally, by an exception or by a signal).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The path of a compiled benchmark script next to this one (`_echo-net-server` → …/.bench/…/_echo-net-server.js). */
export function benchScript(name: string): string {
  return new URL(`${name}.js`, import.meta.url).pathname;
}

/** The path of a file kept in the source tree's test/bench/ (tsc does not copy non-TS files). */
export function benchSource(name: string): string {
  return new URL(`../../../test/bench/${name}`, import.meta.url).pathname;
}

/** The path of a file of the repository compiled into .bench/ (`demos/echo` → …/.bench/demos/echo.js). */
export function compiledScript(path: string): string {
  return new URL(`../../${path}.js`, import.meta.url).pathname;
}

/** The repository's root folder, where `npx` finds the project's own tools. */
export const repositoryRoot = new URL('../../../', import.meta.url).pathname;

/** Ends the benchmark `name` (exit 3, its children killed on exit) if it is not done within `seconds`. */
export function giveUpAfter(name: string, seconds: number): void {
  setTimeout(() => {
    console.error(`${name}: not done within ${seconds} s; giving up`);
    process.exit(3);
  }, seconds * 1000).unref();
}

/**
 * The CPU time a process has used, user and system, in seconds (Linux's USER_HZ is 100).
 *
 * @example
 * ```ts
 * const before = cpuSeconds(server.child.process.pid!);
 * ```
 */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The whole machine's CPU time since boot, summed over its cores, in seconds: `busy` (user, nice,
 * system, interrupts) and `idle` (idle, waiting for I/O).
 *
 * @example
 * ```ts
 * const { busy, idle } = machineCpuSeconds();
 * ```
 */
export function machineCpuSeconds(): { busy: number; idle: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0] = fields;
  return { busy: (user + nice + system + irq + softirq) / 100, idle: (idle + iowait) / 100 };
}

/** Debian's Python, the only one here that can import Twisted. */
export const twistedPython = '/usr/bin/python3';

/** Whether `/usr/bin/python3 -c 'import twisted'` works. */
export function twistedAvailable(): boolean {
  const probe = spawnSync(twistedPython, ['-c', 'import twisted'], { stdio: 'ignore', timeout: 30_000 });
  return probe.status === 0;
}

/** How a child is started and stopped. */
export interface ChildOptions {
  /** Its working directory; by default the benchmark's. */
  readonly cwd?: string;
  /**
   * Runs it as a process group of its own, for a command that starts others (`npx tsx …` runs npm,
   * tsx's CLI and then node): it is killed as a group, and `stop()` sends the group SIGTERM, since
   * such a program does not watch its stdin.
   */
  readonly group?: boolean;
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
    private readonly _options: ChildOptions = {},
  ) {
    this.process = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'inherit'],
      cwd: _options.cwd,
      detached: _options.group ?? false,
    });
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

  /** Kills the child (SIGKILL), or its whole group, if it is still running. */
  kill(): void {
    if (this._options.group) this._signalGroup('SIGKILL');
    else if (this._exitCode === undefined) this.process.kill('SIGKILL');
  }

  /**
   * Asks it to exit (closes its stdin, or sends its group SIGTERM), then kills it if it is still
   * running after `graceSeconds`.
   */
  async stop(graceSeconds = 5): Promise<void> {
    if (this._exitCode === undefined) {
      if (this._options.group) this._signalGroup('SIGTERM');
      else this.process.stdin!.end();
      const timer = setTimeout(() => this.kill(), graceSeconds * 1000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this._options.group) {
      // The leader (npx) may exit before what it started: give the rest the same grace.
      const deadline = Date.now() + graceSeconds * 1000;
      while (this._signalGroup(0) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      this._signalGroup('SIGKILL');
    }
  }

  /** Sends `signal` to the child's process group (its PID is the group's id); false if none of it is left. */
  private _signalGroup(signal: NodeJS.Signals | 0): boolean {
    try {
      process.kill(-this.process.pid!, signal);
      return true;
    } catch {
      return false; // ESRCH
    }
  }

  private _wake(): void {
    const waiter = this._waiter;
    this._waiter = undefined;
    waiter?.();
  }
}

/** How `startServer` starts a server and reads its port. */
export interface ServerOptions extends ChildOptions {
  /** The port in the server's first line; by default the line is the port alone. */
  readonly port?: (line: string) => number;
}

/**
 * The port in the line a demo prints first, `listening on tcp:PORT:interface=…`, or NaN.
 *
 * @example
 * ```ts
 * listeningPort('listening on tcp:40211:interface=127.0.0.1'); // 40211
 * ```
 */
export function listeningPort(line: string): number {
  return Number(/^listening on tcp:(\d+)(?::|$)/.exec(line)?.[1]);
}

/** Starts a server child and waits for the port it prints on its first line. */
export async function startServer(
  name: string,
  command: string,
  args: readonly string[],
  options: ServerOptions = {},
): Promise<{ child: Child; port: number }> {
  const child = new Child(name, command, args, options);
  const line = await child.nextLine(30);
  const port = (options.port ?? Number)(line);
  if (!Number.isInteger(port) || port <= 0) {
    child.kill();
    throw new Error(`${name} printed ${JSON.stringify(line)} instead of its port`);
  }
  return { child, port };
}
