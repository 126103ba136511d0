/**
 * The dirty-reactor check (Twisted's `DirtyReactorAggregateError`): a test fails if it leaves a
 * timer, a connection, a server or an unhandled Deferred failure behind.
 *
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Address, formatAddress } from '../address.js';
import { Clock, type ReactorTime } from '../clock.js';
import type { Deferred } from '../deferred.js';
import { SpindleError } from '../errors.js';
import { logRecords$ } from '../log.js';
import { flushMemory } from './_memory-duplex.js';
import { openDoubles } from './_open-doubles.js';
import { MemoryServer } from './memory-server.js';

/** A listening server or UDP port, as a reactor's `servers` holds them. */
export interface ServerLike {
  readonly address: Deferred<Address>;
  close(options?: { gracePeriod?: number }): Deferred<void>;
}

/** A reactor whose timers and servers the check looks at: a `Reactor` or a `MemoryReactor`. */
export interface ReactorWithServers extends ReactorTime {
  readonly servers: ReadonlySet<ServerLike>;
}

/** Options of `findLeftovers` and `checkClean`. */
export interface CleanCheckOptions {
  /** Clocks whose pending calls count as leftovers (besides those made by `trackedClock`). */
  clocks?: readonly ReactorTime[];
  /** Reactors whose open servers and pending calls count as leftovers. */
  reactors?: readonly ReactorWithServers[];
  /**
   * Whether to force garbage collection to find Deferred failures nobody handled: a full GC per
   * check, about 10 ms on a small heap and more on a big one. Default true.
   */
  collectGarbage?: boolean;
}

/** What a test left behind; `leftovers` says what, one line each. */
export class DirtyReactorError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DIRTY_REACTOR';
  readonly leftovers: readonly string[];
  constructor(leftovers: readonly string[]) {
    super(`the test left things behind:\n${leftovers.map((line) => `  - ${line}`).join('\n')}`);
    this.leftovers = leftovers;
  }
}

const tracked = new Set<Clock>();

/**
 * A new virtual `Clock` that the next check looks at: calls still pending on it then are
 * leftovers. The check forgets it afterwards, so make one per test (pass a clock shared by
 * several tests in `options.clocks` instead).
 *
 * @example
 * ```ts
 * test('times out an idle session', () => {
 *   const clock = trackedClock();
 *   …
 * });
 * ```
 */
export function trackedClock(): Clock {
  const clock = new Clock();
  tracked.add(clock);
  return clock;
}

let gc: (() => void) | undefined;

/** Runs a full garbage collection (exposing V8's `gc` the first time). */
function collect(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Collects garbage, listening for the Deferred failures reported as their Deferreds are collected. */
async function unhandledFailures(): Promise<string[]> {
  const found: string[] = [];
  const subscription = logRecords$.subscribe((record) => {
    if (record.message.startsWith('Unhandled error in Deferred')) found.push(record.message);
  });
  try {
    collect();
    await nextTurn(); // finalization callbacks run as a task of their own
  } finally {
    subscription.unsubscribe();
  }
  return found;
}

function describeServer(server: ServerLike): string {
  let where = 'an address not known yet';
  server.address.addCallback((address) => {
    where = formatAddress(address);
    return address;
  });
  return `server listening on ${where}`;
}

/**
 * Looks for what a test left behind and cleans it up, returning one line per leftover (none when
 * clean): after letting memory connections settle, the test doubles still open (`connectedPair`
 * and `MemoryReactor` connections, `StringTransport`s, memory servers), the servers of
 * `options.reactors`, calls pending on tracked clocks, `options.clocks` and `options.reactors`,
 * and Deferred failures nobody handled (found by forcing garbage collection). Connections are
 * aborted, servers closed without grace period, pending calls cancelled.
 *
 * @example
 * ```ts
 * const clock = trackedClock();
 * clock.callLater(5, () => {});
 * await findLeftovers(); // ['1 delayed call left pending on a clock (due at 5 s)']
 * ```
 */
export async function findLeftovers(options: CleanCheckOptions = {}): Promise<string[]> {
  const leftovers: string[] = [];
  try {
    await flushMemory();
  } catch (error) {
    leftovers.push((error as Error).message);
  }
  const doubles = openDoubles();
  for (const double of doubles) leftovers.push(`left open: ${double.description}`);
  const reactors = options.reactors ?? [];
  const servers = reactors.flatMap((reactor) =>
    [...reactor.servers].filter((server) => !(server instanceof MemoryServer)),
  );
  for (const server of servers) leftovers.push(`left open: ${describeServer(server)}`);
  const clocks = new Set<ReactorTime>([...tracked, ...(options.clocks ?? []), ...reactors]);
  tracked.clear();
  for (const clock of clocks) {
    const calls = clock.getDelayedCalls();
    if (calls.length === 0) continue;
    const due = calls.map((call) => `${call.getTime()} s`).join(', ');
    leftovers.push(
      `${calls.length} delayed call${calls.length === 1 ? '' : 's'} left pending on a clock (due at ${due})`,
    );
  }
  for (const double of doubles) double.dispose();
  if (servers.length > 0) {
    const closing = servers.map((server) =>
      server
        .close({ gracePeriod: 0 })
        .addErrback(() => undefined)
        .toPromise(),
    );
    // real servers close within a few turns once their connections are aborted; do not wait longer
    await Promise.race([Promise.all(closing), flushMemory().catch(() => undefined)]);
  }
  for (const clock of clocks) for (const call of clock.getDelayedCalls()) call.cancel();
  if (options.collectGarbage ?? true) leftovers.push(...(await unhandledFailures()));
  return leftovers;
}

/** A test's function or hook, as uvu calls it. */
export type TestHandler<Context> = (context: Context) => Promise<void> | void;

/** A uvu hook registrar (`before`, `after`), with its `each` variant. */
export interface TestHook<Context> {
  (hook: TestHandler<Context>): void;
  each(hook: TestHandler<Context>): void;
}

/** A uvu suite (`suite('…')`), as `checkClean` uses it. */
export interface TestSuite<Context> {
  (name: string, handler: TestHandler<Context>): void;
  only(name: string, handler: TestHandler<Context>): void;
  skip(name?: string, handler?: TestHandler<Context>): void;
  before: TestHook<Context>;
  after: TestHook<Context>;
  run(): void;
}

/**
 * Wraps a uvu suite so that a test that passes but leaves something behind (see
 * `findLeftovers`) fails with a `DirtyReactorError` listing it. Register tests and hooks on the
 * suite it returns. Leftovers are cleaned up after every test, passed or failed, so one dirty
 * test does not break the next; a test that failed already is not failed again.
 *
 * The check runs in an `after.each` hook registered when `run()` is called, after the file's own
 * `after.each` hooks (so their cleanup counts); it fails only a test whose function and hooks
 * succeeded, since uvu loses the report of a test whose hooks throw after it failed. A `before`
 * hook first cleans up, silently, whatever earlier unchecked suites in the process left behind.
 *
 * @example
 * ```ts
 * const test = checkClean(suite('protocols/smtp/server'));
 * test('greets, then times out', () => {
 *   const clock = trackedClock();
 *   …
 * });
 * test.run();
 * ```
 */
export function checkClean<Context>(
  test: TestSuite<Context>,
  options: CleanCheckOptions = {},
): TestSuite<Context> {
  let passed = false;
  let hookFailed = false;
  const guarded =
    (handler: TestHandler<Context>): TestHandler<Context> =>
    async (context) => {
      await handler(context);
      passed = true;
    };
  const watched =
    (hook: TestHandler<Context>): TestHandler<Context> =>
    async (context) => {
      try {
        await hook(context);
      } catch (error) {
        hookFailed = true;
        throw error;
      }
    };
  const check = async (): Promise<void> => {
    const clean = passed && !hookFailed;
    passed = false;
    hookFailed = false;
    const leftovers = await findLeftovers(options);
    if (clean && leftovers.length > 0) throw new DirtyReactorError(leftovers);
  };
  const after = Object.assign((hook: TestHandler<Context>) => test.after(hook), {
    each: (hook: TestHandler<Context>) => test.after.each(watched(hook)),
  });
  return Object.assign((name: string, handler: TestHandler<Context>) => test(name, guarded(handler)), {
    only: (name: string, handler: TestHandler<Context>) => test.only(name, guarded(handler)),
    skip: (name?: string, handler?: TestHandler<Context>) => test.skip(name, handler),
    before: test.before,
    after,
    run: () => {
      test.before(async () => {
        await findLeftovers(options); // what earlier, unchecked test files left is not this suite's doing
      });
      test.after.each(check);
      test.run();
    },
  });
}
