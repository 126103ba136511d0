/**
 * `Clock`: virtual time for tests (Twisted's `task.Clock`): time stands still until `advance`
 * moves it. It implements `ReactorTime`, the time interface in `reactor-time.ts`, and re-exports
 * that interface and `DelayedCall` so they can still be imported from here.
 *
 * @module
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { type CallHost, checkDelay, ScheduledAction, ScheduledCall, soonestFirst } from './_delayed-call.js';
import type { DelayedCall, ReactorTime } from './reactor-time.js';

export type { DelayedCall, ReactorTime } from './reactor-time.js';

/**
 * Rounds a time to the nanosecond, so that decimal steps add up (`0.1 + 0.1 + 0.1` is `0.3`).
 */
function toNanosecond(seconds: number): number {
  return Math.round(seconds * 1e9) / 1e9;
}

/**
 * A virtual clock (Twisted's `task.Clock`): time stands still until `advance` moves it, and then
 * every call that fell due runs, in time order (calls due at the same time in the order they were
 * scheduled). It is also an rxjs `SchedulerLike`, so `interval`, `timer`, `delay`,
 * `debounceTime`, `timeout` … given the clock run in virtual time.
 *
 * While `advance` runs a call, `seconds()` reads the time the call was due (as rxjs's
 * `VirtualTimeScheduler` does), so a call that schedules the next one a period later lands on the
 * next period and runs in the same `advance` if that is still due. A call that throws stops
 * `advance`: the error propagates, the clock still ends at the target time, and the calls left
 * due run on the next `advance`. Times are kept to the nanosecond.
 *
 * ```text
 * interval(1000, clock):  clock.advance(3)  →  0, 1, 2
 * ```
 *
 * @example
 * ```ts
 * const clock = new Clock();
 * clock.callLater(2, () => console.log('two'));
 * interval(1000, clock).subscribe(n => console.log('tick', n));
 * clock.advance(3); // tick 0, two, tick 1, tick 2
 * ```
 */
export class Clock implements ReactorTime, SchedulerLike {
  #now = 0;
  /** Active calls, soonest first. */
  readonly #calls: ScheduledCall[] = [];
  #sequence = 0;
  readonly #host: CallHost = {
    seconds: () => this.#now,
    timeAfter: (base, offset) => toNanosecond(base + offset),
    cancelled: (call) => this.#remove(call),
    moved: (call) => {
      this.#remove(call);
      this.#insert(call);
    },
  };

  /**
   * The clock's time, in seconds; it starts at 0.
   *
   * @example
   * ```ts
   * clock.advance(1.5); clock.seconds(); // 1.5
   * ```
   */
  seconds(): number {
    return this.#now;
  }

  /**
   * Schedules `fn(...args)` `delay` seconds from now; it runs when `advance` reaches that time.
   *
   * @throws RangeError when `delay` is negative or `NaN`.
   * @example
   * ```ts
   * const call = clock.callLater(5, (name: string) => console.log('hi', name), 'ann');
   * ```
   */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    checkDelay(delay);
    const call = new ScheduledCall(
      toNanosecond(this.#now + delay),
      ++this.#sequence,
      () => {
        fn(...args);
      },
      this.#host,
    );
    this.#insert(call);
    return call;
  }

  /**
   * The active calls, soonest first (a copy).
   *
   * @example
   * ```ts
   * assert.equal(clock.getDelayedCalls().length, 0); // nothing left behind
   * ```
   */
  getDelayedCalls(): readonly DelayedCall[] {
    return [...this.#calls];
  }

  /**
   * Moves time forward by `seconds` and runs every call that falls due, calls scheduled meanwhile
   * for no later than the new time included.
   *
   * @throws RangeError when `seconds` is negative or `NaN`; whatever a call throws.
   * @example
   * ```ts
   * clock.callLater(1, f); clock.advance(1); // f has run
   * ```
   */
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`cannot advance a clock by ${seconds} seconds`);
    const target = toNanosecond(this.#now + seconds);
    try {
      for (let call = this.#calls[0]; call !== undefined && call.getTime() <= target; call = this.#calls[0]) {
        this.#calls.shift();
        if (call.getTime() > this.#now) this.#now = call.getTime();
        call.invoke();
      }
    } finally {
      if (target > this.#now) this.#now = target;
    }
  }

  /**
   * Advances by each amount in turn (Twisted's `Clock.pump`).
   *
   * @example
   * ```ts
   * clock.pump([1, 1, 1]); // three one-second steps
   * ```
   */
  pump(timings: Iterable<number>): void {
    for (const seconds of timings) this.advance(seconds);
  }

  /**
   * The clock's time in milliseconds, for rxjs.
   *
   * @example
   * ```ts
   * clock.advance(0.25); clock.now(); // 250
   * ```
   */
  now(): number {
    return Math.round(this.#now * 1e9) / 1e6;
  }

  /**
   * Runs `work(state)` `delay` milliseconds from now in virtual time (rxjs's `SchedulerLike`); the
   * action may reschedule itself with `this.schedule(state, delay)`.
   *
   * @example
   * ```ts
   * clock.schedule(() => console.log('later'), 500); clock.advance(0.5); // later
   * ```
   */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return new ScheduledAction(this, work).schedule(state, delay);
  }

  #insert(call: ScheduledCall): void {
    let low = 0;
    let high = this.#calls.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (soonestFirst(this.#calls[middle]!, call) <= 0) low = middle + 1;
      else high = middle;
    }
    this.#calls.splice(low, 0, call);
  }

  #remove(call: ScheduledCall): void {
    this.#calls.splice(this.#calls.indexOf(call), 1);
  }
}
