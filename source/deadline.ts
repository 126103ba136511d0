/**
 * `Deadline`: one movable timeout on a clock, for a connection whose deadline changes with every
 * request or command.
 *
 * @module
 */
import type { DelayedCall, ReactorTime } from './clock.js';

/**
 * A time after which `expire` runs, moved at will. It keeps one delayed call and moves it only
 * when the deadline comes earlier than the call: a later deadline is noted, and when the call
 * fires early it re-arms for the rest. So a keep-alive connection that pushes its deadline on at
 * every request costs no timer work per request.
 *
 * @example
 * ```ts
 * const deadline = new Deadline(clock, () => connection.close());
 * deadline.set(clock.seconds() + 5); // idle for 5 s: close
 * deadline.clear();                  // a request came: no deadline
 * deadline.cancel();                 // the connection closed
 * ```
 */
export class Deadline {
  private _at = Number.POSITIVE_INFINITY;
  private _call: DelayedCall | undefined = undefined;
  private _due = Number.POSITIVE_INFINITY;

  /**
   * @param unref - whether its call lets the process exit (a Node timer's `unref`): for a
   *   deadline on something that does not hold the process open either (a pooled connection).
   */
  constructor(
    private readonly _clock: ReactorTime,
    private readonly _expire: () => void,
    private readonly _unref = false,
  ) {}

  /** Sets the deadline to `at` (clock seconds); `now` is the clock's time, when the caller has it. */
  set(at: number, now?: number): void {
    this._at = at;
    const call = this._call;
    if (call !== undefined && this._due <= at) return;
    this._due = at;
    const delay = Math.max(0, at - (now ?? this._clock.seconds()));
    if (call !== undefined) call.reset(delay);
    else {
      this._call = this._clock.callLater(delay, this._fire);
      if (this._unref) this._call.unref();
    }
  }

  /** No deadline until the next `set` (the pending call, if any, stays and finds nothing to do). */
  clear(): void {
    this._at = Number.POSITIVE_INFINITY;
  }

  /** No deadline, and no pending call: for a connection that has closed. */
  cancel(): void {
    this._at = Number.POSITIVE_INFINITY;
    const call = this._call;
    this._call = undefined;
    if (call?.active()) call.cancel();
  }

  private readonly _fire = (): void => {
    this._call = undefined;
    const at = this._at;
    if (at === Number.POSITIVE_INFINITY) return;
    const now = this._clock.seconds();
    // a microsecond's slack: the clock keeps times to the nanosecond, `at` is a float sum
    if (now >= at - 1e-6) {
      this._at = Number.POSITIVE_INFINITY;
      this._expire();
    } else {
      this.set(at, now);
    }
  };
}
