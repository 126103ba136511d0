/**
 * What the virtual `Clock` and the `SystemClock` share (private, never re-exported): the
 * `DelayedCall` they hand out, and the rxjs scheduler action that runs on any `ReactorTime`.
 *
 * @module
 */
import { type SchedulerAction, Subscription } from 'rxjs';
import { AlreadyCalledError, AlreadyCancelledError } from './errors.js';
import type { DelayedCall, ReactorTime } from './reactor-time.js';

/**
 * What a clock does for the calls it schedules.
 *
 * @example
 * ```ts
 * const host: CallHost = { seconds: () => 0, timeAfter: (t, s) => t + s, cancelled() {}, moved() {} };
 * ```
 */
export interface CallHost {
  /** The clock's current time, in seconds. */
  seconds(): number;
  /** The time `offset` seconds after `base`, as the clock keeps time. */
  timeAfter(base: number, offset: number): number;
  /** `call` was cancelled: forget it. */
  cancelled(call: ScheduledCall): void;
  /** `call` is due at another time now: schedule it anew. */
  moved(call: ScheduledCall): void;
  /** `call` must not keep the process alive (optional: a virtual clock keeps nothing alive). */
  unreferenced?(call: ScheduledCall): void;
}

/**
 * Throws unless `delay` is a number of seconds a call can wait (>= 0; `Infinity` is allowed).
 *
 * @throws RangeError for a negative delay or `NaN`.
 * @example
 * ```ts
 * checkDelay(-1); // RangeError
 * ```
 */
export function checkDelay(delay: number): void {
  if (!(delay >= 0)) throw new RangeError(`delay must be a number of seconds >= 0, not ${delay}`);
}

/**
 * Orders calls soonest first, and calls due at the same time in the order they were scheduled.
 *
 * @example
 * ```ts
 * calls.sort(soonestFirst);
 * ```
 */
export function soonestFirst(a: ScheduledCall, b: ScheduledCall): number {
  return a.getTime() - b.getTime() || a.sequence - b.sequence;
}

/**
 * A call a clock scheduled (Twisted's `base.DelayedCall`). The clock runs it with `invoke()`;
 * cancelling and moving it are reported to the clock through its `CallHost`.
 *
 * @example
 * ```ts
 * const call = new ScheduledCall(5, 1, () => console.log('due'), host);
 * call.delay(1); // host.moved(call) with call.getTime() === 6
 * ```
 */
export class ScheduledCall implements DelayedCall {
  #time: number;
  #called = false;
  #cancelled = false;
  #unreferenced = false;

  /**
   * @param time - when the call is due, in the clock's seconds.
   * @param sequence - the call's rank among calls due at the same time.
   * @param run - what the call does.
   * @param host - the clock that schedules the call.
   */
  constructor(
    time: number,
    readonly sequence: number,
    private readonly run: () => void,
    private readonly host: CallHost,
  ) {
    this.#time = time;
  }

  get called(): boolean {
    return this.#called;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Whether `unref()` was called. */
  get unreferenced(): boolean {
    return this.#unreferenced;
  }

  unref(): void {
    this.#unreferenced = true;
    this.host.unreferenced?.(this);
  }

  getTime(): number {
    return this.#time;
  }

  active(): boolean {
    return !this.#called && !this.#cancelled;
  }

  cancel(): void {
    this.#checkActive();
    this.#cancelled = true;
    this.host.cancelled(this);
  }

  reset(secondsFromNow: number): void {
    this.#checkActive();
    this.#time = this.host.timeAfter(this.host.seconds(), secondsFromNow);
    this.host.moved(this);
  }

  delay(secondsLater: number): void {
    this.#checkActive();
    this.#time = this.host.timeAfter(this.#time, secondsLater);
    this.host.moved(this);
  }

  /** Marks the call as called, then runs it; what it throws goes to the clock. */
  invoke(): void {
    this.#called = true;
    this.run();
  }

  #checkActive(): void {
    if (this.#cancelled) throw new AlreadyCancelledError('the delayed call was already cancelled');
    if (this.#called) throw new AlreadyCalledError('the delayed call has already run');
  }
}

/**
 * An rxjs `SchedulerAction` that runs on a `ReactorTime`: what `Clock.schedule` and
 * `SystemClock.schedule` return. Its `work` may reschedule it with `this.schedule(state, delay)`;
 * delays are in milliseconds, as rxjs counts. Unsubscribing cancels the pending call. When `work`
 * throws, the action unsubscribes and the error goes on to the clock.
 *
 * @example
 * ```ts
 * new ScheduledAction(clock, function (n?: number) { if (n! < 3) this.schedule(n! + 1, 1000); }).schedule(0);
 * ```
 */
export class ScheduledAction<T> extends Subscription implements SchedulerAction<T> {
  #call: DelayedCall | undefined;
  #state: T | undefined;

  constructor(
    private readonly time: ReactorTime,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
    this.add(() => this.#disarm());
  }

  /** Runs `work` with `state` after `delay` milliseconds, replacing any run still pending. */
  schedule(state?: T, delay = 0): Subscription {
    if (!this.closed) {
      this.#disarm();
      this.#state = state;
      this.#call = this.time.callLater(delay > 0 ? delay / 1000 : 0, () => this.#execute());
    }
    return this;
  }

  #execute(): void {
    this.#call = undefined;
    try {
      this.work.call(this, this.#state);
    } catch (error) {
      this.unsubscribe();
      throw error;
    }
  }

  #disarm(): void {
    this.#call?.cancel();
    this.#call = undefined;
  }
}
