/**
 * `startDemo`: runs a demo (or any server script) in a child process, as
 * `node --import tsx demos/<name>.ts …args`, and waits for its `listening on <endpoint>` lines,
 * the convention every runnable server in the project follows. `stop()` ends it by its PID and
 * waits for it to exit, so a test leaves no process behind.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** How a demo process ended. */
export interface DemoExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A demo running in a child process. */
export interface RunningDemo {
  readonly pid: number;
  /** The endpoints of its `listening on` lines, in order. */
  readonly endpoints: readonly string[];
  /** The port of its first endpoint. */
  readonly port: number;
  /** Every stdout line so far. */
  readonly output: readonly string[];
  /** All it wrote to stderr so far. */
  readonly stderr: string;
  /** Fires once its stderr matches `pattern` (at once if it already does); fails after `seconds` (default 10). */
  stderrMatches(pattern: RegExp, seconds?: number): Promise<void>;
  /**
   * Sends `signal` (default SIGTERM) to its PID, SIGKILL after `graceSeconds` (default 10), and
   * fires once it has exited; at once if it has already.
   */
  stop(signal?: NodeJS.Signals, graceSeconds?: number): Promise<DemoExit>;
}

/** Options of `startDemo`. */
export interface StartDemoOptions {
  /** How many `listening on` lines to wait for. Default 1. */
  readonly listening?: number;
  /** Seconds to wait for them before killing the process and failing. Default 20. */
  readonly timeout?: number;
  /** A line to wait for too, once the `listening on` lines are in (a banner that follows them). */
  readonly ready?: RegExp;
}

/** The port of an endpoint description such as `tcp:40211:interface=127.0.0.1`. */
export function endpointPort(endpoint: string): number {
  const match = /^[a-z0-9]+:(\d+)/.exec(endpoint);
  if (match === null) throw new Error(`no port in endpoint "${endpoint}"`);
  return Number(match[1]);
}

/**
 * Starts `script` (a path relative to the repository root, e.g. `demos/echo.ts`) with `args`, and
 * fires once it has printed `options.listening` lines saying `listening on ENDPOINT`.
 *
 * @example
 * ```ts
 * const demo = await startDemo('demos/echo.ts', ['--listen', 'tcp:0:interface=127.0.0.1']);
 * const socket = net.connect(demo.port, '127.0.0.1');
 * …
 * await demo.stop();
 * ```
 */
export function startDemo(
  script: string,
  args: readonly string[] = [],
  options: StartDemoOptions = {},
): Promise<RunningDemo> {
  const wanted = options.listening ?? 1;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<DemoExit>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const output: string[] = [];
  const endpoints: string[] = [];
  let stderr = '';
  const stderrWaits = new Set<() => void>();
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    for (const check of stderrWaits) check();
  });
  const stderrMatches = (pattern: RegExp, seconds = 10) =>
    within(
      seconds,
      `stderr to match ${pattern}`,
      new Promise<void>((resolve) => {
        const check = () => {
          if (!pattern.test(stderr)) return;
          stderrWaits.delete(check);
          resolve();
        };
        stderrWaits.add(check);
        check();
      }),
    );

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceSeconds = 10): Promise<DemoExit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), graceSeconds * 1000);
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  };

  return new Promise<RunningDemo>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop('SIGTERM', 1).then(() =>
        reject(new Error(`${script} ${why}\nstdout:\n${output.join('\n')}\nstderr:\n${stderr}`)),
      );
    };
    const timer = setTimeout(
      () => fail(`printed no "listening on" line within ${options.timeout ?? 20} s`),
      (options.timeout ?? 20) * 1000,
    );
    void exited.then(({ code, signal }) => fail(`exited (${code ?? signal}) before listening`));
    let partial = '';
    let ready = options.ready === undefined;
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        output.push(line);
        if (options.ready?.test(line) === true) ready = true;
        const match = /(?:^| )listening on (\S+)/.exec(line);
        if (match !== null) endpoints.push(match[1]!);
        if (endpoints.length >= wanted && ready && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve({
            pid: child.pid!,
            endpoints,
            port: endpointPort(endpoints[0]!),
            output,
            get stderr() {
              return stderr;
            },
            stderrMatches,
            stop,
          });
        }
      }
    });
  });
}

/** How a script run to its end went: its exit, and all it wrote. */
export interface ScriptRun extends DemoExit {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `script` (a path relative to the repository root) as `node --import tsx script …args` to
 * its end, for a program expected to exit on its own; one still running after `timeoutSeconds`
 * (default 20) is killed by its PID, and the run fails. `input`, when given, is its stdin (else
 * it has none); `env`, variables added to its environment.
 *
 * @example
 * ```ts
 * const run = await runScript('test/support/listen-in-use.ts', [String(port)]);
 * assert.is(run.code, 1);
 * ```
 */
export async function runScript(
  script: string,
  args: readonly string[] = [],
  timeoutSeconds = 20,
  input?: string,
  env?: Readonly<Record<string, string>>,
): Promise<ScriptRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    ...(env !== undefined && { env: { ...process.env, ...env } }),
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  }) as ChildProcess & { stdout: Readable; stderr: Readable };
  child.stdin?.end(input);
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  // 'close', not 'exit': all the output has been read by then.
  const closed = new Promise<DemoExit>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  try {
    const exit = await within(timeoutSeconds, `${script} to exit`, closed);
    return { ...exit, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * `promise`, or a rejection naming `what` if it has not settled within `seconds`: a bound on
 * waiting for a demo's output, so a broken demo fails its test instead of hanging it.
 *
 * @example
 * ```ts
 * const reply = await within(5, 'the echo', once(socket, 'data'));
 * ```
 */
export async function within<T>(seconds: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${seconds} s waiting for ${what}`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
