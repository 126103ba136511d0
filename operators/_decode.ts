/**
 * `decode`: the rxjs shell shared by the framing operators, turning a sans-I/O `Decoder` into an
 * `OperatorFunction`.
 *
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Decoder } from './decoder.js';

/**
 * An operator that feeds each chunk to a fresh decoder (one per subscription) and emits the frames
 * it completes. A decoder error is delivered after the frames before it, and the upstream is
 * unsubscribed; on completion the decoder's `end()` frames (or error) follow.
 *
 * @example
 * ```ts
 * export const lines = (options?: LinesOptions) => decode(() => new LineDecoder(options));
 * ```
 */
export function decode<F>(create: () => Decoder<F>): OperatorFunction<Uint8Array, F> {
  return (source) =>
    new Observable<F>((subscriber) => {
      const decoder = create();
      return source.subscribe({
        next(chunk) {
          if (subscriber.closed) return;
          const frames: F[] = [];
          let failure: { error: unknown } | undefined;
          try {
            decoder.push(chunk, frames);
          } catch (error) {
            failure = { error };
          }
          for (const frame of frames) subscriber.next(frame);
          if (failure !== undefined) subscriber.error(failure.error);
        },
        error(error) {
          subscriber.error(error);
        },
        complete() {
          const frames: F[] = [];
          let failure: { error: unknown } | undefined;
          try {
            decoder.end(frames);
          } catch (error) {
            failure = { error };
          }
          for (const frame of frames) subscriber.next(frame);
          if (failure !== undefined) subscriber.error(failure.error);
          else subscriber.complete();
        },
      });
    });
}
