/**
 * `decodeAll`: the ix shell shared by the framing operators, a native async generator over a
 * sans-I/O `Decoder`.
 *
 * @module
 */
import type { Decoder } from '../decoder.js';

/**
 * Feeds each chunk of `source` to `decoder` and yields the frames it completes, then its `end()`
 * frames. A decoder error is thrown after the frames before it. The source is released (its
 * iterator's `return()`) whenever iteration stops early: the consumer's `break`, a decoder error,
 * an abort.
 *
 * ```text
 * source:                               -[a\r]-[\nb\r\n]-|
 * decodeAll(source, new LineDecoder()): --------(a b)----|
 * ```
 *
 * @example
 * ```ts
 * export const lines = (options?: LinesOptions & WithSignal) => (source: AsyncIterable<Uint8Array>) =>
 *   decodeAll(source, new LineDecoder(options), options?.signal);
 * ```
 */
export async function* decodeAll<F>(
  source: AsyncIterable<Uint8Array>,
  decoder: Decoder<F>,
  signal: AbortSignal | undefined,
): AsyncGenerator<F, void, undefined> {
  signal?.throwIfAborted();
  const frames: F[] = [];
  let failure: { error: unknown } | undefined;
  // for await releases the source (calls its iterator's return()) on any early exit.
  for await (const chunk of source) {
    signal?.throwIfAborted();
    try {
      decoder.push(chunk, frames);
    } catch (error) {
      failure = { error };
    }
    for (const frame of frames) yield frame;
    if (failure !== undefined) throw failure.error;
    frames.length = 0;
  }
  try {
    decoder.end(frames);
  } catch (error) {
    failure = { error };
  }
  yield* frames;
  if (failure !== undefined) throw failure.error;
}
