/**
 * `sleep`: a promise that resolves after some seconds on a `ReactorTime` clock, or rejects at once
 * when a signal aborts (IxJS's own sleep uses the global `setTimeout`).
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';

/**
 * Resolves after `seconds` on `clock`; rejects with the signal's reason, cancelling the timer, as
 * soon as `signal` aborts.
 *
 * ```text
 * sleep(clock, 2, signal):  --|
 * ```
 *
 * @example
 * ```ts
 * await sleep(reactor, 0.5, controller.signal);
 * ```
 */
export function sleep(clock: ReactorTime, seconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = (): void => {
      call.cancel();
      reject(signal!.reason);
    };
    const call = clock.callLater(seconds, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
