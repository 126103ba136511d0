/**
 * `SystemClock`: real time, on Node's timers: the clock the reactor runs on.
 *
 * @module
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { type CallHost, checkDelay, ScheduledAction, ScheduledCall, soonestFirst } from './_delayed-call.js';
import { Logger } from './log.js';
import type { DelayedCall, ReactorTime } from './reactor-time.js';

/** The longest delay Node's `setTimeout` takes, in milliseconds; longer waits are re-armed. */
const longestTimer = 2 ** 31 - 1;

const log = new Logger('spindle.clock');

/**
 * Twisted's `IReactorTime` on Node's timers. `seconds()` is high-resolution wall-clock time
 * (`performance.timeOrigin + performance.now()`, in seconds). Each call gets its own timer; a call
 * due further out than Node's timers reach (about 24.8 days) is re-armed until it is due, and a
 * timer that fires early is re-armed for the rest, so a call never runs before its time. An error
 * thrown by a call is logged on `logRecords$` (namespace `spindle.clock`) and never crashes the
 * process. Like `setTimeout`, a pending call keeps the process alive.
 *
 * It is also an rxjs `SchedulerLike` (milliseconds), so the reactor's clock can drive rxjs time
 * operators.
 *
 * @example
 * ```ts
 * const clock = new SystemClock();
 * const call = clock.callLater(0.5, () => console.log('half a second later'));
 * timer(100, clock).subscribe(() => call.cancel());
 * ```
 */
export class SystemClock implements ReactorTime, SchedulerLike {
  /** Active calls and their timers. */
  readonly #timers = new Map<ScheduledCall, NodeJS.Timeout>();
  #sequence = 0;
  readonly #host: CallHost = {
    seconds: () => this.seconds(),
    timeAfter: (base, offset) => base + offset,
    cancelled: (call) => {
      clearTimeout(this.#timers.get(call));
      this.#timers.delete(call);
    },
    moved: (call) => {
      clearTimeout(this.#timers.get(call));
      this.#arm(call);
    },
    unreferenced: (call) => {
      this.#timers.get(call)?.unref();
    },
  };

  /**
   * The current time, in seconds since the epoch, with sub-millisecond resolution.
   *
   * @example
   * ```ts
   * const started = systemClock.seconds();
   * ```
   */
  seconds(): number {
    return this.now() / 1000;
  }

  /**
   * Schedules `fn(...args)` `delay` seconds from now.
   *
   * @throws RangeError when `delay` is negative or `NaN`.
   * @example
   * ```ts
   * systemClock.callLater(1, () => console.log('a second later'));
   * ```
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    checkDelay(delay);
    const call = new ScheduledCall(
      this.seconds() + delay,
      ++this.#sequence,
      () => {
        fn(...args);
      },
      this.#host,
    );
    this.#arm(call);
    return call;
  }

  /**
   * The active calls, soonest first.
   *
   * @example
   * ```ts
   * for (const call of systemClock.getDelayedCalls()) call.cancel();
   * ```
   */
  getDelayedCalls(): readonly DelayedCall[] {
    return [...this.#timers.keys()].sort(soonestFirst);
  }

  /**
   * The current time in milliseconds since the epoch, for rxjs.
   *
   * @example
   * ```ts
   * const ms = systemClock.now();
   * ```
   */
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  /**
   * Runs `work(state)` `delay` milliseconds from now (rxjs's `SchedulerLike`); the action may
   * reschedule itself with `this.schedule(state, delay)`.
   *
   * @example
   * ```ts
   * interval(1000, systemClock).subscribe(n => console.log(n));
   * ```
   */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return new ScheduledAction(this, work).schedule(state, delay);
  }

  #arm(call: ScheduledCall): void {
    const wait = Math.ceil((call.getTime() - this.seconds()) * 1000);
    const timer = setTimeout(() => this.#due(call), Math.min(longestTimer, Math.max(0, wait)));
    if (call.unreferenced) timer.unref();
    this.#timers.set(call, timer);
  }

  #due(call: ScheduledCall): void {
    if (call.getTime() > this.seconds()) {
      this.#arm(call);
      return;
    }
    this.#timers.delete(call);
    try {
      call.invoke();
    } catch (error) {
      log.error('Unhandled error in delayed call', { error });
    }
  }
}

/**
 * The process's `SystemClock`: what the reactor and every default clock parameter use.
 *
 * @example
 * ```ts
 * systemClock.callLater(0, () => console.log('soon'));
 * ```
 */
export const systemClock: SystemClock = new SystemClock();
