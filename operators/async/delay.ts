/**
 * `delay`, ix flavour: starts iterating a source some seconds late, on an injected clock.
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';
import { sleep } from './_sleep.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Waits `seconds` on `clock`, then yields the values of the source as they come (IxJS's `delay`:
 * the start is delayed, not each value). Unlike IxJS's own, it reads the injected clock, so it
 * runs in virtual time in tests. The source is not touched until the wait is over; an abort
 * during the wait cancels the timer and throws the signal's reason at once.
 *
 * ```text
 * source:           -a-b-|
 * delay(3, clock):  ---a-b-|
 * ```
 *
 * @throws RangeError, at once, for `seconds` that is not a non-negative finite number; the
 * signal's reason, once aborted.
 * @see ReactorTime, the clock: the reactor in a program, a virtual `Clock` in tests.
 * @example
 * ```ts
 * import { delay } from 'spindle/operators/async';
 *
 * for await (const attempt of delay<number>(5, reactor)([1, 2, 3])) console.log(attempt); // after 5 s
 * ```
 */
export function delay<T>(seconds: number, clock: ReactorTime, options?: WithSignal): AsyncOperator<T, T> {
  if (!(seconds >= 0 && Number.isFinite(seconds))) {
    throw new RangeError(`the delay must be a non-negative number of seconds, not ${seconds}`);
  }
  const signal = options?.signal;
  return async function* delayed(source) {
    await sleep(clock, seconds, signal);
    // for await releases the source (calls its iterator's return()) on any early exit.
    for await (const value of source) {
      signal?.throwIfAborted();
      yield value;
    }
  };
}
