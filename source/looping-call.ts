/**
 * `LoopingCall`: call a function every so many seconds (Twisted's `task.LoopingCall`).
 *
 * @module
 */
import type { DelayedCall, ReactorTime } from './clock.js';
import { Deferred, maybeDeferred } from './deferred.js';
import { systemClock } from './system-clock.js';

/** Slack when counting intervals, as a fraction of one, so float error never drops a boundary. */
const slack = 1e-9;

/** Options of a `LoopingCall`. */
export interface LoopingCallOptions {
  /** The clock to schedule on. Default: `systemClock`. */
  readonly clock?: ReactorTime;
}

/**
 * Calls `fn` every `interval` seconds, on the interval boundaries counted from `start()`.
 *
 * If `fn` returns a Deferred or a promise, the next call waits for it to settle. When a call comes
 * late (the clock was blocked, or `fn`'s Deferred took longer than an interval), the calls missed
 * are skipped: the next one runs on the next boundary, and `fn` receives how many intervals have
 * passed since its previous call (1 when none was skipped; Twisted's `LoopingCall.withCount`).
 * If `fn` throws or its Deferred fails, the loop stops and the Deferred `start()` returned fails
 * with that error; `stop()` makes it fire with the LoopingCall.
 *
 * ```text
 * start(1):  fn(1) ─1s─ fn(1) ─1s─ fn(1) …   (fn's Deferred takes 2.5s) … fn(3) on the next boundary
 * ```
 *
 * @example
 * ```ts
 * const heartbeat = new LoopingCall(() => connection.write(ping), { clock: reactor });
 * heartbeat.start(30).addErrback(f => log.error('heartbeat failed', { error: f.value }));
 * // later
 * heartbeat.stop();
 * ```
 */
export class LoopingCall {
  /** The clock the calls are scheduled on. */
  readonly clock: ReactorTime;
  readonly #fn: (count: number) => unknown;
  #running = false;
  #interval: number | undefined;
  #startTime = 0;
  /** When `fn` last ran (or the boundary before the first call), for counting skipped intervals. */
  #lastTime = 0;
  #call: DelayedCall | undefined;
  #deferred: Deferred<LoopingCall> | undefined;

  /**
   * @param fn - called on every interval with the number of intervals since its previous call.
   * @param options - see `LoopingCallOptions`.
   */
  constructor(fn: (count: number) => unknown, options: LoopingCallOptions = {}) {
    this.#fn = fn;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Whether the loop is running: true from `start()` until `stop()` or a failure of `fn`.
   *
   * @example
   * ```ts
   * if (loop.running) loop.stop();
   * ```
   */
  get running(): boolean {
    return this.#running;
  }

  /**
   * The interval `start()` was given, in seconds; `undefined` before the first start.
   *
   * @example
   * ```ts
   * loop.start(5); loop.interval; // 5
   * ```
   */
  get interval(): number | undefined {
    return this.#interval;
  }

  /**
   * Starts calling `fn` every `interval` seconds: at once when `now` is true, else after the
   * first interval. An interval of 0 calls `fn` as often as the clock allows.
   *
   * @returns a Deferred that fires with this LoopingCall on `stop()`, or fails with what `fn`
   *   threw (or its Deferred failed with).
   * @throws Error when the loop is running already; RangeError when `interval` is negative or `NaN`.
   * @example
   * ```ts
   * const done = new LoopingCall(poll, { clock }).start(10, false);
   * ```
   */
  start(interval: number, now = true): Deferred<LoopingCall> {
    if (this.#running) throw new Error('the LoopingCall is running already');
    if (!(interval >= 0)) throw new RangeError(`interval must be a number of seconds >= 0, not ${interval}`);
    const deferred = new Deferred<LoopingCall>();
    this.#running = true;
    this.#deferred = deferred;
    this.#interval = interval;
    this.#startTime = this.clock.seconds();
    this.#lastTime = now ? this.#startTime - interval : this.#startTime;
    if (now) this.#tick();
    else this.#scheduleFrom(this.#startTime);
    return deferred;
  }

  /**
   * Stops the loop. The Deferred `start()` returned fires with this LoopingCall, at once, or when
   * the Deferred of a call in progress settles.
   *
   * @throws Error when the loop is not running.
   * @example
   * ```ts
   * loop.stop();
   * ```
   */
  stop(): void {
    if (!this.#running) throw new Error('the LoopingCall is not running');
    this.#running = false;
    if (this.#call !== undefined) {
      this.#call.cancel();
      this.#call = undefined;
      this.#settle(this.#deferred!).callback(this);
    }
  }

  /**
   * Skips the next call and starts counting intervals afresh from now (Twisted's `reset`). Does
   * nothing while a call's Deferred is in progress.
   *
   * @throws Error when the loop is not running.
   * @example
   * ```ts
   * idleCheck.reset(); // activity seen: the next check is a full interval away
   * ```
   */
  reset(): void {
    if (!this.#running) throw new Error('the LoopingCall is not running');
    if (this.#call !== undefined) {
      this.#call.cancel();
      this.#startTime = this.#lastTime = this.clock.seconds();
      this.#scheduleFrom(this.#startTime);
    }
  }

  /** Calls `fn`, then schedules the next call (or settles the loop's Deferred). */
  #tick(): void {
    this.#call = undefined;
    const deferred = this.#deferred!;
    maybeDeferred(this.#fn, this.#count()).addCallbacks(
      () => {
        // A loop stopped and started again while `fn` ran belongs to the new Deferred.
        if (this.#running && this.#deferred === deferred) this.#scheduleFrom(this.clock.seconds());
        else this.#settle(deferred).callback(this);
      },
      (failure) => {
        if (this.#deferred === deferred) this.#running = false;
        this.#settle(deferred).errback(failure);
      },
    );
  }

  /** How many intervals have passed since `fn` last ran, at least 1. */
  #count(): number {
    const now = this.clock.seconds();
    const count = this.#interval === 0 ? 1 : this.#intervalOf(now) - this.#intervalOf(this.#lastTime);
    this.#lastTime = now;
    return Math.max(1, count);
  }

  #intervalOf(time: number): number {
    return Math.floor((time - this.#startTime) / this.#interval! + slack);
  }

  /** Schedules the next call on the first interval boundary after `when`. */
  #scheduleFrom(when: number): void {
    const interval = this.#interval!;
    const delay = interval === 0 ? 0 : this.#startTime + (this.#intervalOf(when) + 1) * interval - when;
    this.#call = this.clock.callLater(delay, () => this.#tick());
  }

  #settle(deferred: Deferred<LoopingCall>): Deferred<LoopingCall> {
    if (this.#deferred === deferred) this.#deferred = undefined;
    return deferred;
  }
}
