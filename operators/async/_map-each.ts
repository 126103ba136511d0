/**
 * `mapEach`: the ix shell shared by the encoders, a native async generator applying a function to
 * each value.
 *
 * @module
 */

/**
 * Yields `project(value)` for each value of `source`. The source is released (its iterator's
 * `return()`) whenever iteration stops early: the consumer's `break`, a throwing `project`, an
 * abort.
 *
 * ```text
 * source:                     -a-b-|
 * mapEach(source, toUpper):   -A-B-|
 * ```
 *
 * @example
 * ```ts
 * export const encodeUtf8 = (options?: WithSignal) => (source: AsyncIterable<string>) =>
 *   mapEach(source, (text) => Buffer.from(text), options?.signal);
 * ```
 */
export async function* mapEach<T, R>(
  source: AsyncIterable<T>,
  project: (value: T) => R,
  signal: AbortSignal | undefined,
): AsyncGenerator<R, void, undefined> {
  signal?.throwIfAborted();
  // for await releases the source (calls its iterator's return()) on any early exit.
  for await (const value of source) {
    signal?.throwIfAborted();
    yield project(value);
  }
}
