/**
 * `delimited`: splits a byte stream into frames ended by one byte value (a NUL, a newline, an
 * ASCII record separator …), and `DelimitedDecoder`, the sans-I/O state machine behind it.
 *
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { asBuffer } from '../source/_as-buffer.js';
import { Splitter } from './_splitter.js';
import { decode } from './decode.js';
import type { Decoder } from './decoder.js';

/** Options of `delimited` and `DelimitedDecoder`. */
export interface DelimitedOptions {
  /**
   * The longest frame accepted, in bytes, not counting its delimiter. Default 16384. A cap is
   * required: there is no unlimited setting.
   */
  readonly maxLength?: number;
}

/**
 * Splits bytes into frames ended by the byte `delimiter`, found with a native `memchr`. A frame
 * that arrived whole inside one chunk is a view of that chunk (no copy); a frame split across
 * chunks is assembled in a buffer of its own. As soon as the bytes held prove a frame longer than
 * `maxLength`, `push` throws LineTooLongError, and the decoder must not be used again. `end`
 * drops an unterminated last fragment, as `LineDecoder` does.
 *
 * ```text
 * new DelimitedDecoder(0)
 * push([61 0 62])  → [[61]]
 * push([62 0])     → [[62 62]]
 * ```
 *
 * @throws LineTooLongError from `push`, past `maxLength`; RangeError from the constructor, for a
 * `delimiter` that is not a byte value or a bad `maxLength`.
 * @example
 * ```ts
 * const decoder = new DelimitedDecoder(0x00);
 * decoder.push(new Uint8Array([1, 2, 0, 3])); // [Uint8Array [1, 2]]
 * ```
 */
export class DelimitedDecoder implements Decoder<Uint8Array> {
  readonly #splitter: Splitter<Uint8Array>;

  constructor(delimiter: number, options: DelimitedOptions = {}) {
    if (!Number.isInteger(delimiter) || delimiter < 0 || delimiter > 255) {
      throw new RangeError(`the delimiter must be a byte value (0 to 255), not ${delimiter}`);
    }
    this.#splitter = new Splitter(
      Buffer.of(delimiter),
      options.maxLength ?? 16384,
      (bytes, start, end, reused) =>
        reused ? Buffer.from(bytes.subarray(start, end)) : bytes.subarray(start, end),
    );
  }

  /** How many bytes of an unterminated frame the decoder holds (at most `maxLength`). */
  get buffered(): number {
    return this.#splitter.buffered;
  }

  /**
   * Appends the frames `chunk` completes to `frames` and returns it.
   *
   * @throws LineTooLongError as soon as a frame is proven longer than `maxLength`; the frames
   * before it are already in `frames`.
   * @example
   * ```ts
   * new DelimitedDecoder(0x0a).push(Buffer.from('a\nb\n')).length; // 2
   * ```
   */
  push(chunk: Uint8Array, frames: Uint8Array[] = []): readonly Uint8Array[] {
    this.#splitter.push(asBuffer(chunk), frames);
    return frames;
  }

  /**
   * Ends the input: an unterminated last fragment is dropped, and the decoder is ready for a new
   * stream. Returns `frames` unchanged.
   *
   * @example
   * ```ts
   * const decoder = new DelimitedDecoder(0);
   * decoder.push(new Uint8Array([7]));
   * decoder.end(); // []
   * ```
   */
  end(frames: Uint8Array[] = []): readonly Uint8Array[] {
    this.#splitter.reset();
    return frames;
  }
}

/**
 * Splits a byte stream into frames ended by the byte `delimiter`, emitting each frame's bytes
 * without the delimiter.
 *
 * A frame that arrived whole inside one chunk is a view of that chunk (no copy): copy it before
 * reusing the chunk's memory. A frame longer than `maxLength` errors the stream with
 * LineTooLongError as soon as the bytes prove it, and the upstream is unsubscribed. An
 * unterminated fragment at the end of the stream is dropped.
 *
 * ```text
 * chunks:         -[a 0 b]-[b 0 c]-|
 * delimited(0):   -a-------bb------|    ('c' had no delimiter: dropped)
 * ```
 *
 * @throws LineTooLongError (as an error notification), past `maxLength`.
 * @see DelimitedDecoder, the state machine.
 * @see encodeDelimited, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { delimited } from 'spindle/operators';
 *
 * of(Buffer.from('{"a":1}\0{"b"'), Buffer.from(':2}\0'))
 *   .pipe(delimited(0, { maxLength: 65536 }))
 *   .subscribe((frame) => console.log(JSON.parse(Buffer.from(frame).toString()))); // {a: 1}, {b: 2}
 * ```
 */
export function delimited(
  delimiter: number,
  options?: DelimitedOptions,
): OperatorFunction<Uint8Array, Uint8Array> {
  new DelimitedDecoder(delimiter, options); // validate the arguments now, not at subscription
  return decode(() => new DelimitedDecoder(delimiter, options));
}
