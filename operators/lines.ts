/**
 * `lines`: splits a byte stream into lines (Twisted's `LineReceiver`), and `LineDecoder`, the
 * sans-I/O state machine behind it.
 *
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { asBuffer } from '../source/_as-buffer.js';
import { type Slicer, Splitter } from './_splitter.js';
import { decode } from './decode.js';
import type { Decoder } from './decoder.js';

/** A Buffer encoding a line's bytes can be decoded with. */
export type LineEncoding = 'utf8' | 'latin1' | 'ascii';

const encodings: readonly (LineEncoding | null)[] = ['utf8', 'latin1', 'ascii', null];

/** Options of `lines` and `LineDecoder`. */
export interface LinesOptions {
  /**
   * What ends a line: a string (encoded with `encoding`, as UTF-8 when `encoding` is `null`) or
   * bytes. Default `'\r\n'`, as Twisted's `LineReceiver`; `'\n'` for peers that end lines so.
   */
  readonly delimiter?: string | Uint8Array;
  /**
   * The longest line accepted, in bytes, not counting its delimiter. Default 16384 (Twisted's
   * `MAX_LENGTH`). A cap is required: there is no unlimited setting.
   */
  readonly maxLength?: number;
  /**
   * How a line's bytes become a string: `'utf8'` (default; an invalid sequence becomes U+FFFD),
   * `'latin1'` or `'ascii'`. `null` emits each line's bytes as a Uint8Array instead.
   */
  readonly encoding?: LineEncoding | null;
}

/**
 * Splits bytes into lines. `push` returns the lines a chunk completes, without their delimiters;
 * a line is decoded only once it is whole, so a multi-byte character split across chunks stays
 * whole. Memory stays bounded: as soon as the bytes held prove a line longer than `maxLength`
 * (whether or not its delimiter has arrived) `push` throws LineTooLongError, and the decoder must
 * not be used again. `end` drops an unterminated last fragment, as Twisted does.
 *
 * With `encoding: null` the lines are Uint8Arrays, and a line that arrived whole inside one chunk
 * is a view of that chunk (no copy): copy it before reusing the chunk's memory. Pass the type
 * argument to match: `new LineDecoder<Uint8Array>({ encoding: null })`.
 *
 * ```text
 * push('a\r')      → []
 * push('\nbb\r\nc') → ['a', 'bb']
 * end()            → []          ('c' had no delimiter: dropped)
 * ```
 *
 * @throws LineTooLongError from `push`, past `maxLength`; RangeError from the constructor, for an
 * empty delimiter, a `maxLength` that is not a non-negative integer, or an unknown encoding.
 * @example
 * ```ts
 * const decoder = new LineDecoder({ delimiter: '\n' });
 * decoder.push(Buffer.from('one\ntw')); // ['one']
 * decoder.push(Buffer.from('o\n'));     // ['two']
 * ```
 */
export class LineDecoder<F extends string | Uint8Array = string> implements Decoder<F> {
  readonly #splitter: Splitter<F>;

  constructor(options: LinesOptions = {}) {
    const encoding = options.encoding === undefined ? 'utf8' : options.encoding;
    if (!encodings.includes(encoding)) throw new RangeError(`unsupported line encoding: ${encoding}`);
    const delimiter = options.delimiter ?? '\r\n';
    const slice: Slicer<string | Uint8Array> =
      encoding === null
        ? (bytes, start, end, reused) =>
            reused ? Buffer.from(bytes.subarray(start, end)) : bytes.subarray(start, end)
        : (bytes, start, end) => bytes.toString(encoding, start, end);
    this.#splitter = new Splitter(
      typeof delimiter === 'string' ? Buffer.from(delimiter, encoding ?? 'utf8') : Buffer.from(delimiter),
      options.maxLength ?? 16384,
      slice as Slicer<F>,
    );
  }

  /** How many bytes of an unterminated line the decoder holds (at most `maxLength` plus the delimiter's length less one). */
  get buffered(): number {
    return this.#splitter.buffered;
  }

  /**
   * Appends the lines `chunk` completes to `lines` and returns it.
   *
   * @throws LineTooLongError as soon as a line is proven longer than `maxLength`; the lines before
   * it are already in `lines`.
   * @example
   * ```ts
   * new LineDecoder().push(Buffer.from('a\r\nb\r\n')); // ['a', 'b']
   * ```
   */
  push(chunk: Uint8Array, lines: F[] = []): readonly F[] {
    this.#splitter.push(asBuffer(chunk), lines);
    return lines;
  }

  /**
   * Ends the input: an unterminated last fragment is dropped (Twisted's `LineReceiver` does the
   * same), and the decoder is ready for a new stream. Returns `lines` unchanged.
   *
   * @example
   * ```ts
   * const decoder = new LineDecoder();
   * decoder.push(Buffer.from('no newline'));
   * decoder.end(); // []
   * ```
   */
  end(lines: F[] = []): readonly F[] {
    this.#splitter.reset();
    return lines;
  }
}

/**
 * Splits a byte stream into lines (Twisted's `LineReceiver`), without their delimiters.
 *
 * Lines are decoded only when whole, so multi-byte characters split across chunks stay whole. A
 * line longer than `maxLength` errors the stream with LineTooLongError as soon as the bytes
 * received prove it, without waiting for its delimiter, and the upstream is unsubscribed (a
 * protocol drops the connection). An unterminated fragment at the end of the stream is dropped,
 * as Twisted does: a peer that closes mid-line did not send a line.
 *
 * ```text
 * chunks:        -[a\r]-[\nbb\r\nc]-[c\r\nd]-|
 * lines():       --------(a bb)----cc-------|     ('d' had no delimiter: dropped)
 * ```
 *
 * @throws LineTooLongError (as an error notification), past `maxLength`.
 * @see LineDecoder, the state machine for parsers that do their own I/O.
 * @see encodeLines, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { lines } from 'spindle/operators';
 *
 * of(Buffer.from('HELO a.example\r\nQU'), Buffer.from('IT\r\n'))
 *   .pipe(lines({ maxLength: 512 }))
 *   .subscribe((line) => console.log(line)); // 'HELO a.example', 'QUIT'
 * ```
 */
export function lines(
  options: LinesOptions & { readonly encoding: null },
): OperatorFunction<Uint8Array, Uint8Array>;
export function lines(
  options?: LinesOptions & { readonly encoding?: LineEncoding },
): OperatorFunction<Uint8Array, string>;
export function lines(options?: LinesOptions): OperatorFunction<Uint8Array, string | Uint8Array>;
export function lines(options?: LinesOptions): OperatorFunction<Uint8Array, string | Uint8Array> {
  new LineDecoder(options); // validate the options now, not at subscription
  return decode(() => new LineDecoder<string | Uint8Array>(options));
}
