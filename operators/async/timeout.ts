/**
 * `timeout`, ix flavour: throws when a source takes too long to produce its next value, on an
 * injected clock.
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';
import { TimeoutError } from '../../source/errors.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Yields the values of the source, but throws TimeoutError when one takes longer than `seconds`
 * on `clock` to arrive, counted from the moment it is asked for (so a slow consumer does not time
 * out its source). Unlike IxJS's own, it reads the injected clock, so it runs in virtual time in
 * tests.
 *
 * On a timeout or an abort the source is still busy producing: its iterator's `return()` is called
 * without waiting for it (a native async generator runs it only once its pending `next()` settles),
 * and whatever that pending `next()` or `return()` later brings is discarded. On a consumer's
 * `break` the source's `return()` is awaited as usual.
 *
 * ```text
 * source:             -a-b--------c-|
 * timeout(3, clock):  -a-b---#          (3 s after b was asked for)
 * ```
 *
 * @throws RangeError, at once, for `seconds` that is not a positive finite number; TimeoutError
 * (with `seconds` set) when the source is too slow; the signal's reason, once aborted.
 * @see ReactorTime, the clock: the reactor in a program, a virtual `Clock` in tests.
 * @example
 * ```ts
 * import { lines, timeout } from 'spindle/operators/async';
 *
 * for await (const line of lines()(timeout<Uint8Array>(30, reactor)(conn))) console.log(line);
 * ```
 */
export function timeout<T>(seconds: number, clock: ReactorTime, options?: WithSignal): AsyncOperator<T, T> {
  if (!(seconds > 0 && Number.isFinite(seconds))) {
    throw new RangeError(`the timeout must be a positive number of seconds, not ${seconds}`);
  }
  const signal = options?.signal;
  return async function* timed(source) {
    signal?.throwIfAborted();
    const iterator = source[Symbol.asyncIterator]();
    /** Whether the source is over (done, or threw): then it must not be released. */
    let over = false;
    /** Whether we stopped waiting for a `next()` that is still pending. */
    let stalled = false;
    try {
      for (;;) {
        const result = await new Promise<IteratorResult<T>>((resolve, reject) => {
          signal?.throwIfAborted();
          const giveUp = (error: unknown): void => {
            stalled = true;
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          };
          const onAbort = (): void => {
            call.cancel();
            giveUp(signal!.reason);
          };
          const call = clock.callLater(seconds, () =>
            giveUp(new TimeoutError(`no value for ${seconds} seconds`, { seconds })),
          );
          signal?.addEventListener('abort', onAbort, { once: true });
          iterator.next().then(
            (next) => {
              if (stalled) return;
              call.cancel();
              signal?.removeEventListener('abort', onAbort);
              over = next.done === true;
              resolve(next);
            },
            (error: unknown) => {
              if (stalled) return;
              call.cancel();
              signal?.removeEventListener('abort', onAbort);
              over = true;
              reject(error);
            },
          );
        });
        if (result.done) return;
        yield result.value;
      }
    } finally {
      if (stalled) release(iterator);
      else if (!over) await iterator.return?.();
    }
  };
}

/** Asks a busy iterator to stop, without waiting; what it answers is of no use any more. */
function release(iterator: AsyncIterator<unknown>): void {
  try {
    iterator.return?.().then(undefined, () => {});
  } catch {
    // A return() that throws at once has nothing left to release.
  }
}
