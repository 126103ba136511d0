/**
 * Time, as Twisted's `IReactorTime`: the interface every timeout, retry and delay in Spindle reads.
 * The reactor implements it on Node's timers (`systemClock`); tests use the virtual `Clock`.
 * Units are seconds, as in Twisted; as an rxjs scheduler a clock speaks milliseconds, as rxjs does.
 *
 * @module
 */

/**
 * A call scheduled with `callLater` (Twisted's `IDelayedCall`).
 *
 * @example
 * ```ts
 * const call = clock.callLater(5, () => console.log('late'));
 * call.delay(1);            // now due at 6
 * if (call.active()) call.cancel();
 * ```
 */
export interface DelayedCall {
  /** When the call is due, in the clock's seconds. */
  getTime(): number;
  /** Whether the call has neither run nor been cancelled. */
  active(): boolean;
  /** Unschedules the call. Throws AlreadyCalledError / AlreadyCancelledError when not active. */
  cancel(): void;
  /** Reschedules the call to run `secondsFromNow` from now. Throws when not active. */
  reset(secondsFromNow: number): void;
  /** Pushes the call `secondsLater` later (negative brings it forward). Throws when not active. */
  delay(secondsLater: number): void;
  /**
   * Lets the process exit while this call is all that is pending (a Node timer's `unref`): for
   * housekeeping such as evicting idle connections. Does nothing on the virtual clock.
   */
  unref(): void;
  /** Whether the call has run. */
  readonly called: boolean;
  /** Whether the call was cancelled. */
  readonly cancelled: boolean;
}

/**
 * Twisted's `IReactorTime`: reading the time and scheduling calls, in seconds.
 *
 * @example
 * ```ts
 * function retryLater(time: ReactorTime, attempt: () => void) { time.callLater(0.5, attempt); }
 * ```
 */
export interface ReactorTime {
  /** The current time, in seconds. */
  seconds(): number;
  /** Schedules `fn(...args)` to run after `delay` seconds. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall;
  /** The calls scheduled and still active, soonest first. */
  getDelayedCalls(): readonly DelayedCall[];
}
