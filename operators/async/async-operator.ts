/**
 * The shape of Spindle's ix-flavour operators: plain functions from an async iterable to an async
 * iterable, written as native async generators, that take an optional `AbortSignal`.
 *
 * @module
 */

/**
 * An operator over async iterables. It works on its own (`lines()(source)`), in IxJS's
 * `from(source).pipe(lines())`, and chained with others in `pipe(source, timeout(30, clock), lines())`.
 *
 * ```text
 * source:   -[a\r\n]-[b\r\n]-|
 * lines():  -a-------b-------|
 * ```
 *
 * @example
 * ```ts
 * const upper: AsyncOperator<string, string> = async function* (source) {
 *   for await (const line of source) yield line.toUpperCase();
 * };
 * ```
 */
export type AsyncOperator<T, R> = (source: AsyncIterable<T>) => AsyncIterable<R>;

/**
 * The option every ix-flavour operator takes.
 *
 * ```text
 * source:                 -a-b-c-d-
 * lines({ signal }):      -a-b-#        (# = the signal's reason, after abort())
 * ```
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const line of lines({ signal: controller.signal })(conn)) if (line === 'QUIT') controller.abort();
 * ```
 */
export interface WithSignal {
  /**
   * Aborts the iteration: checked when it starts and at each value from the source (timed
   * operators also stop waiting at once). The operator then throws the signal's reason (an
   * `AbortError` DOMException by default) and releases its source.
   */
  readonly signal?: AbortSignal;
}
