/**
 * `deferLater`: a Deferred of a function's result some seconds from now (Twisted's).
 *
 * @module
 */
import type { ReactorTime } from './clock.js';
import { Deferred } from './deferred.js';

/**
 * Calls `fn` after `seconds` on `clock` and fires with its result (or `undefined` when no `fn`
 * is given). Cancelling the Deferred before then cancels the call.
 *
 * ```text
 * deferLater(clock, 3, () => 'x'):  ---(x|)
 * ```
 *
 * @example
 * ```ts
 * await deferLater(reactor, 0.5); // wait half a second on the reactor's clock
 * deferLater(clock, 1, () => 42).addCallback(console.log);
 * ```
 */
export function deferLater<R = undefined>(
  clock: ReactorTime,
  seconds: number,
  fn?: () => R | PromiseLike<R>,
): Deferred<R> {
  const d = new Deferred<undefined>(() => call.cancel());
  const call = clock.callLater(seconds, () => d.callback(undefined));
  return d.addCallback(() => (fn === undefined ? (undefined as R) : fn()));
}
