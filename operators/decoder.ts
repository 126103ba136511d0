/**
 * `Decoder`: the shape of a sans-I/O decoder (bytes in, frames out), which `decode` turns into an
 * operator: every framing decoder in `spindle/operators`, and the HTTP parsers.
 *
 * @module
 */

/**
 * A sans-I/O decoder: bytes in, frames out, with no I/O, timers or rxjs of its own, so the same
 * object serves an rxjs pipeline, a `for await` loop, a hand-written read loop and a benchmark.
 * Every decoder of `spindle/operators` (`LineDecoder`, `NetstringDecoder`, …) has this shape, and
 * so do `RequestParser` and `ResponseParser` of `spindle/protocols/http` (whose frames are
 * `ParseEvent`s).
 *
 * - `push(chunk, frames?)` appends the frames `chunk` completes to `frames` (a new array when it
 *   is left out) and returns that array. Past a limit, or at input the format does not allow, it
 *   throws a typed error, and the frames that came before the offending one are already in
 *   `frames`: a caller that passes its own array sees them whatever the chunking. The decoder is
 *   not to be pushed to after it threw.
 * - `end(frames?)` says the input is over: it appends the frames only the end completes (the
 *   last message of a format that ends with the stream) and throws when the end cuts a frame
 *   short, if the format makes that an error.
 *
 * A frame may be a view of the chunk it came in (`LineDecoder` with `encoding: null`, HTTP body
 * events): use it, or copy it, before the chunk's memory is reused. A decoder that must be told
 * something between chunks keeps that as a method of its own: `ResponseParser` needs
 * `expect(method)` for each request sent, before the response to it is complete, so keep a
 * reference to it (see `decode`).
 *
 * ```text
 * decoder = new LineDecoder({ maxLength: 4 })
 * push('a\r')                     → []
 * push('\nb\r\ntoo long', frames) → throws LineTooLongError, with frames = ['a', 'b']
 * ```
 *
 * @see decode, which runs one over an Observable (`spindle/operators`) or an async iterable
 * (`spindle/operators/async`).
 * @example
 * ```ts
 * import type { Decoder } from 'spindle/operators';
 *
 * const frames: string[] = [];
 * try {
 *   decoder.push(chunk, frames);
 * } catch (error) {
 *   deliver(frames); // the frames before the bad one
 *   fail(error);
 * }
 * ```
 */
export interface Decoder<F> {
  /**
   * Decodes `chunk`, appending the frames it completes to `frames` and returning it.
   *
   * @throws a typed error past a limit or at bad input, after the frames before it.
   */
  push(chunk: Uint8Array, frames?: F[]): readonly F[];
  /**
   * Says the input is over, appending the frames the end completes to `frames` and returning it.
   *
   * @throws a typed error when the end cuts a frame short and the format makes that an error.
   */
  end(frames?: F[]): readonly F[];
}
