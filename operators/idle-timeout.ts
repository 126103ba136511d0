/**
 * `idleTimeout`: errors a stream that goes quiet for too long (Twisted's `TimeoutMixin`), on an
 * injected clock.
 *
 * @module
 */
import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { ReactorTime } from '../source/clock.js';
import { TimeoutError } from '../source/errors.js';

/**
 * Mirrors the source, but errors with TimeoutError when no value arrives for `seconds` on `clock`.
 * The timer starts at subscription and is reset by every value (as `TimeoutMixin.resetTimeout`
 * does on each `dataReceived`); it is cancelled when the source completes or errors and when the
 * subscriber unsubscribes. On timeout the upstream is unsubscribed, which for a connection's
 * `data$` drops the connection.
 *
 * ```text
 * source:                 -a--b---------c-|
 * idleTimeout(3, clock):  -a--b-----#          (3 s after b)
 * ```
 *
 * @throws RangeError, at once, for `seconds` that is not a positive finite number; TimeoutError
 * (as an error notification, with `seconds` set) when the stream idles.
 * @see ReactorTime, the clock: the reactor in a program, a virtual `Clock` in tests.
 * @example
 * ```ts
 * import { TimeoutError } from 'spindle';
 * import { idleTimeout, lines } from 'spindle/operators';
 *
 * conn.data$.pipe(idleTimeout(300, reactor), lines()).subscribe({
 *   next: (line) => console.log(line),
 *   error: (error) => console.log(error instanceof TimeoutError), // true after 5 quiet minutes
 * });
 * ```
 */
export function idleTimeout<T>(seconds: number, clock: ReactorTime): MonoTypeOperatorFunction<T> {
  if (!(seconds > 0 && Number.isFinite(seconds))) {
    throw new RangeError(`the timeout must be a positive number of seconds, not ${seconds}`);
  }
  return (source) =>
    new Observable<T>((subscriber) => {
      const timer = clock.callLater(seconds, () =>
        subscriber.error(new TimeoutError(`no data for ${seconds} seconds`, { seconds })),
      );
      const upstream = source.subscribe({
        next(value) {
          timer.reset(seconds);
          subscriber.next(value);
        },
        error(error) {
          subscriber.error(error);
        },
        complete() {
          subscriber.complete();
        },
      });
      return () => {
        if (timer.active()) timer.cancel();
        upstream.unsubscribe();
      };
    });
}
