/**
 * `Deferred`: Twisted's single-result callback chain, in TypeScript, bridged to promises,
 * single-value observables and `AbortSignal`.
 *
 * @module
 */
import { EmptyError, Observable, type Subscription } from 'rxjs';
import type { ReactorTime } from './clock.js';
import { AlreadyCalledError, CancelledError, TimeoutError } from './errors.js';
import { Failure } from './failure.js';
import { Logger } from './log.js';

/** Called by `cancel()` on a Deferred that has not fired; it may fire the Deferred itself. */
export type Canceller<T> = (deferred: Deferred<T>) => void;

/** A function in the chain: callback or errback. */
type Step = (result: unknown) => unknown;

/** Where a Deferred's failure is noted when nobody has handled it yet, for the GC-time report. */
interface UnhandledFailure {
  failure: Failure | undefined;
}

/** A Deferred's state that few Deferreds need. */
interface RareState {
  /** The Deferred this one waits on, when a step returned a pending one. */
  chainedTo: Deferred<unknown> | undefined;
  /** A `cancel()` without canceller lets the next `callback`/`errback` pass silently (Twisted). */
  suppressAlreadyCalled: boolean;
  cancelled: boolean;
  abort: AbortController | undefined;
  unhandled: UnhandledFailure | undefined;
}

const log = new Logger('spindle.deferred');

/** Failures that reached a promise or an observable: their consumer owns them now. */
const delivered = new WeakSet<Failure>();

const unhandledFailures = new FinalizationRegistry<UnhandledFailure>((held) => {
  const failure = held.failure;
  if (failure !== undefined && !delivered.has(failure)) {
    log.error(`Unhandled error in Deferred: ${failure.getErrorMessage()}`, { error: failure });
  }
});

/**
 * A Failure for `error` that counts as reported already (the caller logged it): a Deferred left
 * failed with it is not reported again when it is garbage collected. Internal to the package.
 *
 * @example
 * ```ts
 * log.error('cannot listen', { error });
 * address.errback(reportedFailure(error));
 * ```
 */
export function reportedFailure(error: unknown): Failure {
  const failure = Failure.from(error);
  delivered.add(failure);
  return failure;
}

/**
 * Whether `value` is a promise or any thenable (a Deferred is one): what a Deferred's chain and
 * `maybeDeferred` wait for.
 *
 * @example
 * ```ts
 * isPromiseLike(Promise.resolve(1)); // true
 * isPromiseLike({ status: 200 });    // false
 * ```
 */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * A result that is not there yet (Twisted's `Deferred`). Callbacks and errbacks form one chain:
 * each callback's return value feeds the next callback, a throw switches to the errback path, and
 * an errback that returns switches back. A step that returns a Deferred or any `PromiseLike`
 * pauses the chain until it settles. Adding a step to a fired Deferred runs it at once,
 * synchronously.
 *
 * A Deferred is `PromiseLike`: `await d` works, and doing so does not change the result the
 * rest of the chain sees. A failure nobody handled is reported on the `logRecords$` stream
 * ("Unhandled error in Deferred") when the Deferred is garbage collected.
 *
 * ```text
 * callback(1) ──▶ cb: x+1 ──▶ cb: throw ──▶ eb: recover ──▶ cb ──▶ …
 *                  (2)        (Failure)       (value)
 * ```
 *
 * @example
 * ```ts
 * const d = new Deferred<number>();
 * d.addCallback(x => x + 1).addErrback(f => { f.trap(TimeoutError); return 0; });
 * d.callback(41);
 * console.log(await d); // 42
 * ```
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  // TypeScript-private fields rather than `#private` ones: a Deferred is made per operation on hot
  // paths, and `#` fields measured about 25 % slower to set up here (test/bench/deferred.ts).
  private _called = false;
  private _running = false;
  private _result: unknown = undefined;
  /** Whether `_result` is a Failure: kept beside it so hot paths need no `instanceof`. */
  private _failed = false;
  /** Pending steps, as flat [callback, errback] pairs; a Deferred in a slot is a continuation. */
  private _steps: (Step | Deferred<unknown> | undefined)[] | undefined = undefined;
  /** Index of the next pair to run, and the end of the pairs added, in `_steps`. */
  private _next = 0;
  private _end = 0;
  private _paused = 0;
  /** Typed loosely so that `Deferred<T>` stays covariant in `T`. */
  private _canceller: ((deferred: never) => void) | undefined;
  /** State few Deferreds need: set up on first use. */
  private _rare: RareState | undefined = undefined;

  /**
   * @param canceller - runs on `cancel()` before the Deferred has fired; it may fire it (with a
   *   result or an error). If it does not, the Deferred errbacks with `CancelledError`.
   */
  constructor(canceller?: Canceller<T>) {
    this._canceller = canceller;
  }

  /** Whether `callback` or `errback` has been called. */
  get called(): boolean {
    return this._called;
  }

  /** Whether the chain is paused (by `pause()`, or waiting on a Deferred a step returned). */
  get paused(): boolean {
    return this._paused > 0;
  }

  /**
   * Fires the chain with a result.
   *
   * @throws AlreadyCalledError when the Deferred has fired already (once silently ignored after
   *   a `cancel()` that had no canceller, as in Twisted).
   * @example
   * ```ts
   * const d = new Deferred<string>(); d.addCallback(s => s.length); d.callback('four');
   * ```
   */
  callback(result: T): void {
    if (result instanceof Deferred) throw new TypeError('a Deferred cannot fire with another Deferred');
    this._start(result);
  }

  /**
   * Fires the chain with a failure. A non-Error is wrapped in `NonErrorThrownError`; a `Failure`
   * goes on as it is.
   *
   * @throws AlreadyCalledError when the Deferred has fired already.
   * @example
   * ```ts
   * d.errback(new ConnectionLost());
   * ```
   */
  errback(error?: unknown): void {
    this._start(Failure.from(error));
  }

  /**
   * Adds a callback: it receives the result and returns the next one (or a Deferred/PromiseLike of
   * it). Failures pass it by.
   *
   * @example
   * ```ts
   * succeed(2).addCallback(x => x * 21); // fires with 42
   * ```
   */
  addCallback<R>(callback: (result: T) => R | PromiseLike<R>): Deferred<R> {
    return this._add(callback as Step, undefined) as unknown as Deferred<R>;
  }

  /**
   * Adds an errback: it receives the `Failure`; returning a value recovers the chain, throwing
   * (or `failure.trap` not matching) passes a failure on. Results pass it by.
   *
   * @example
   * ```ts
   * d.addErrback(f => { f.trap(CancelledError); return 'cancelled'; });
   * ```
   */
  addErrback<R>(errback: (failure: Failure) => R | PromiseLike<R>): Deferred<T | R> {
    return this._add(undefined, errback as Step) as unknown as Deferred<T | R>;
  }

  /**
   * Adds one function as both callback and errback; it receives the result or the `Failure`.
   *
   * @example
   * ```ts
   * d.addBoth(r => { connection.close(); return r; }); // a `finally` that keeps the result
   * ```
   */
  addBoth<R>(fn: (resultOrFailure: T | Failure) => R | PromiseLike<R>): Deferred<R> {
    return this._add(fn as Step, fn as Step) as unknown as Deferred<R>;
  }

  /**
   * Adds a callback and an errback at the same level of the chain: the errback does not see a
   * failure the callback raises.
   *
   * @example
   * ```ts
   * d.addCallbacks(value => render(value), failure => renderError(failure));
   * ```
   */
  addCallbacks<R1, R2 = never>(
    callback: (result: T) => R1 | PromiseLike<R1>,
    errback?: (failure: Failure) => R2 | PromiseLike<R2>,
  ): Deferred<R1 | R2> {
    return this._add(callback as Step, errback as Step | undefined) as unknown as Deferred<R1 | R2>;
  }

  /**
   * Feeds this Deferred's result into `other` (Twisted's `chainDeferred`).
   *
   * @example
   * ```ts
   * inner.chainDeferred(outer);
   * ```
   */
  chainDeferred(other: Deferred<T>): Deferred<undefined> {
    return this.addCallbacks(
      (result) => other.callback(result),
      (failure) => other.errback(failure),
    ) as Deferred<undefined>;
  }

  /**
   * Stops the chain from running until `unpause()`.
   *
   * @example
   * ```ts
   * d.pause(); d.callback(1); /* nothing runs yet *\/ d.unpause();
   * ```
   */
  pause(): void {
    this._paused++;
  }

  /** Undoes one `pause()`; runs the pending steps when no pause is left. */
  unpause(): void {
    if (this._paused > 0) this._paused--;
    if (this._paused === 0 && this._called) this._run();
  }

  /**
   * Cancels the operation: runs the canceller, and errbacks with `CancelledError` if the canceller
   * did not fire the Deferred. On a Deferred waiting on another one a step returned, cancels that
   * one instead. Does nothing once the result is there.
   *
   * @example
   * ```ts
   * const d = connect('tcp:host=127.0.0.1:port=80'); d.cancel(); // aborts the attempt
   * ```
   */
  cancel(): void {
    if (!this._called) {
      this._markCancelled();
      const canceller = this._canceller;
      if (canceller !== undefined) canceller(this as never);
      else this._rareState().suppressAlreadyCalled = true;
      if (!this._called) this.errback(new CancelledError('Deferred was cancelled'));
    } else if (this._rare?.chainedTo !== undefined) {
      this._markCancelled();
      this._rare.chainedTo.cancel();
    }
  }

  /**
   * Fails the Deferred with `TimeoutError` if it has not fired `seconds` from now on `clock`: it
   * cancels it, then turns the resulting `CancelledError` into a `TimeoutError` (or into whatever
   * `onTimeout(result, seconds)` returns or throws). The timer is cancelled when the result comes
   * in time.
   *
   * @example
   * ```ts
   * request(url).addTimeout(10, reactor).addErrback(f => { f.trap(TimeoutError); return retry(); });
   * ```
   */
  addTimeout(
    seconds: number,
    clock: ReactorTime,
    onTimeout?: (resultOrFailure: T | Failure, seconds: number) => T,
  ): Deferred<T> {
    let timedOut = false;
    const call = clock.callLater(seconds, () => {
      timedOut = true;
      this.cancel();
    });
    return this.addBoth((result) => {
      if (call.active()) call.cancel();
      if (!timedOut) return result;
      if (onTimeout !== undefined) return onTimeout(result, seconds);
      if (result instanceof Failure) {
        result.trap(CancelledError);
        throw new TimeoutError(`Deferred timed out after ${seconds} seconds`, {
          seconds,
          cause: result.value,
        });
      }
      return result;
    }) as Deferred<T>;
  }

  /**
   * An `AbortSignal` that aborts (with a `CancelledError`) when this Deferred is cancelled, for
   * handing cancellation on to fetch-style APIs.
   *
   * @example
   * ```ts
   * const d = new Deferred<Response>();
   * fetch(url, { signal: d.signal() }).then(r => d.callback(r), e => d.errback(e));
   * d.cancel(); // aborts the fetch
   * ```
   */
  signal(): AbortSignal {
    const rare = this._rareState();
    if (rare.abort === undefined) {
      rare.abort = new AbortController();
      if (rare.cancelled) rare.abort.abort(new CancelledError('Deferred was cancelled'));
    }
    return rare.abort.signal;
  }

  /**
   * A promise of the result; it rejects with the original error (not the `Failure`). The chain's
   * result is unchanged for later steps.
   *
   * @example
   * ```ts
   * const value = await d.toPromise();
   * ```
   */
  toPromise(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this._add(
        (result) => {
          resolve(result as T);
          return result;
        },
        (failure) => {
          delivered.add(failure as Failure);
          reject((failure as Failure).value);
          return failure;
        },
      );
    });
  }

  /**
   * `PromiseLike.then`, so `await d` works: it does not change the result the rest of the chain
   * sees.
   *
   * @example
   * ```ts
   * const n = await succeed(1); // 1
   * ```
   */
  // biome-ignore lint/suspicious/noThenProperty: a Deferred is PromiseLike by design
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.toPromise().then(onFulfilled, onRejected);
  }

  /**
   * A single-value observable: emits the result and completes, or errors with the original error.
   * Unsubscribing before the result arrives cancels the Deferred.
   *
   * ```text
   * d:            ----42|
   * toObservable: ----(42|)
   * ```
   *
   * @example
   * ```ts
   * connect(endpoint).toObservable().pipe(switchMap(conn => conn.data$)).subscribe(…);
   * ```
   */
  toObservable(): Observable<T> {
    return new Observable<T>((subscriber) => {
      let settled = false;
      this._add(
        (result) => {
          settled = true;
          subscriber.next(result as T);
          subscriber.complete();
          return result;
        },
        (failure) => {
          settled = true;
          delivered.add(failure as Failure);
          subscriber.error((failure as Failure).value);
          return failure;
        },
      );
      return () => {
        if (!settled) this.cancel();
      };
    });
  }

  /**
   * A Deferred of a promise's result. With `signal`, aborting cancels the Deferred (errback with
   * `CancelledError`); the promise's later result is then ignored.
   *
   * @example
   * ```ts
   * const d = Deferred.fromPromise(fetch(url), { signal: AbortSignal.timeout(5000) });
   * ```
   */
  static fromPromise<T>(promise: PromiseLike<T>, options?: { signal?: AbortSignal }): Deferred<T> {
    const d = new Deferred<T>();
    promise.then(
      (value) => {
        if (!d._called || d._rare?.suppressAlreadyCalled) d.callback(value);
      },
      (error: unknown) => {
        if (!d._called || d._rare?.suppressAlreadyCalled) d.errback(error);
      },
    );
    const signal = options?.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        d.cancel();
      } else {
        const onAbort = () => d.cancel();
        signal.addEventListener('abort', onAbort, { once: true });
        d._add(
          (result) => {
            signal.removeEventListener('abort', onAbort);
            return result;
          },
          (failure) => {
            signal.removeEventListener('abort', onAbort);
            return failure;
          },
        );
      }
    }
    return d;
  }

  /**
   * A Deferred of an observable's first value (like rxjs's `firstValueFrom`): an observable that
   * completes empty errbacks with rxjs's `EmptyError`; cancelling unsubscribes.
   *
   * @example
   * ```ts
   * const first = await Deferred.fromObservable(server.connections$);
   * ```
   */
  static fromObservable<T>(source: Observable<T>): Deferred<T> {
    let subscription: Subscription | undefined;
    let settled = false;
    const d = new Deferred<T>(() => subscription?.unsubscribe());
    const settle = (fire: () => void) => {
      if (settled) return;
      settled = true;
      fire();
      subscription?.unsubscribe();
    };
    subscription = source.subscribe({
      next: (value) => settle(() => d.callback(value)),
      error: (error: unknown) => settle(() => d.errback(error)),
      complete: () => settle(() => d.errback(new EmptyError())),
    });
    if (settled) subscription.unsubscribe();
    return d;
  }

  private _rareState(): RareState {
    this._rare ??= {
      chainedTo: undefined,
      suppressAlreadyCalled: false,
      cancelled: false,
      abort: undefined,
      unhandled: undefined,
    };
    return this._rare;
  }

  private _markCancelled(): void {
    const rare = this._rareState();
    if (rare.cancelled) return;
    rare.cancelled = true;
    rare.abort?.abort(new CancelledError('Deferred was cancelled'));
  }

  private _start(result: unknown): void {
    if (this._called) {
      if (this._rare?.suppressAlreadyCalled) {
        this._rare.suppressAlreadyCalled = false;
        return;
      }
      throw new AlreadyCalledError('Deferred has already been fired');
    }
    this._called = true;
    this._result = result;
    this._failed = result instanceof Failure;
    this._run();
  }

  private _add(
    callback: Step | Deferred<unknown> | undefined,
    errback: Step | Deferred<unknown> | undefined,
  ): this {
    if (this._called && this._steps === undefined && this._paused === 0 && !this._running) {
      // Fast path: a fired, idle Deferred runs a plain step at once, without queueing it.
      const step = this._failed ? errback : callback;
      if (step === undefined) return this;
      if (typeof step === 'function') {
        this._runStep(step);
        if (this._failed || this._rare !== undefined) this._noteUnhandled();
        return this;
      }
    }
    const steps = this._steps;
    const end = this._end;
    if (steps === undefined) {
      // Room for three pairs up front: the common chain never grows the array.
      this._steps = [callback, errback, undefined, undefined, undefined, undefined];
    } else if (end < steps.length) {
      steps[end] = callback;
      steps[end + 1] = errback;
    } else {
      steps.push(callback, errback);
    }
    this._end = end + 2;
    if (this._called) this._run();
    return this;
  }

  /** Runs one step on the result; true when the chain must now wait on what it returned. */
  private _runStep(step: Step): boolean {
    this._running = true;
    let result: unknown;
    try {
      result = step(this._result);
    } catch (error) {
      this._running = false;
      this._result = Failure.from(error);
      this._failed = true;
      return false;
    }
    this._running = false;
    this._result = result;
    this._failed = false;
    return (typeof result === 'object' || typeof result === 'function') && this._awaitResult(result);
  }

  /**
   * Runs pending steps (Twisted's `_runCallbacks`). A Deferred waiting on another is resumed by a
   * continuation in that one's chain; continuations are followed with an explicit stack, never by
   * recursion, so chains of any length and depth finish without overflowing the call stack.
   */
  private _run(): void {
    if (this._running) return;
    // biome-ignore lint/suspicious/noExplicitAny: one stack holds Deferreds of every result type
    let chain: Deferred<any>[] | undefined;
    // biome-ignore lint/suspicious/noExplicitAny: see above
    let current: Deferred<any> = this;
    for (;;) {
      if (current._paused > 0) return;
      let finished = true;
      if (current._rare !== undefined) current._rare.chainedTo = undefined;
      const steps = current._steps;
      if (steps !== undefined) {
        while (current._next < current._end) {
          const index = current._next;
          const step = current._failed ? steps[index + 1] : steps[index];
          current._next = index + 2;
          if (step === undefined) continue;
          if (typeof step !== 'function') {
            // A continuation: hand our result to the Deferred that was waiting on us.
            step._result = current._result;
            step._failed = current._failed;
            current._result = undefined;
            current._failed = false;
            step._paused--;
            chain ??= [current];
            chain.push(step);
            finished = false;
            break;
          }
          if (current._runStep(step)) break;
        }
        if (finished && current._next === current._end) {
          current._steps = undefined;
          current._next = 0;
          current._end = 0;
        }
      }
      if (finished) {
        current._noteUnhandled();
        if (chain === undefined) return;
        chain.pop();
        if (chain.length === 0) return;
        current = chain[chain.length - 1]!;
      } else {
        current = chain![chain!.length - 1]!;
      }
    }
  }

  /**
   * After a step returned an object: notes a Failure, adopts the result of a fired Deferred, or
   * pauses this chain on a pending Deferred or PromiseLike, with a continuation in that one's
   * chain. True when paused.
   */
  private _awaitResult(result: unknown): boolean {
    let inner: Deferred<unknown>;
    if (result instanceof Failure) {
      this._failed = true;
      return false;
    }
    if (result instanceof Deferred) {
      if (result._called && result._paused === 0) {
        this._result = result._result;
        this._failed = result._failed;
        result._result = undefined;
        result._failed = false;
        if (result._rare?.unhandled !== undefined) result._rare.unhandled.failure = undefined;
        return false;
      }
      inner = result;
    } else if (isPromiseLike(result)) {
      inner = Deferred.fromPromise(result);
    } else {
      return false;
    }
    this._paused++;
    this._rareState().chainedTo = inner;
    inner._add(this, this);
    return true;
  }

  private _noteUnhandled(): void {
    if (this._failed) {
      const result = this._result as Failure;
      const rare = this._rareState();
      if (rare.unhandled === undefined) {
        rare.unhandled = { failure: result };
        unhandledFailures.register(this, rare.unhandled);
      } else {
        rare.unhandled.failure = result;
      }
    } else if (this._rare?.unhandled !== undefined) {
      this._rare.unhandled.failure = undefined;
    }
  }
}

/**
 * A Deferred that has already fired with `value`.
 *
 * @example
 * ```ts
 * succeed(42).addCallback(x => x + 1); // runs at once
 * ```
 */
export function succeed<T>(value: T): Deferred<T> {
  const d = new Deferred<T>();
  d.callback(value);
  return d;
}

/**
 * A Deferred that has already failed with `error`.
 *
 * @example
 * ```ts
 * fail(new TimeoutError()).addErrback(f => f.trap(TimeoutError));
 * ```
 */
export function fail<T = never>(error: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(error);
  return d;
}

/**
 * Calls `fn(...args)` and always returns a Deferred: of its result, of the Deferred or promise it
 * returned, or failed with what it threw.
 *
 * @example
 * ```ts
 * maybeDeferred(JSON.parse, text).addErrback(f => f.trap(SyntaxError));
 * ```
 */
export function maybeDeferred<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  ...args: A
): Deferred<R> {
  let result: R | PromiseLike<R>;
  try {
    result = fn(...args);
  } catch (error) {
    return fail<R>(error);
  }
  if (result instanceof Deferred) return result as Deferred<R>;
  if (isPromiseLike(result)) return Deferred.fromPromise(result);
  return succeed(result);
}
