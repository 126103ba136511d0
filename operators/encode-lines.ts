/**
 * `encodeLines`: turns strings into delimited lines of bytes, the other direction of `lines`, and
 * `LineEncoder`, the sans-I/O function behind it.
 *
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';
import { indexOfDelimiter } from './_index-of-delimiter.js';
import type { LineEncoding } from './lines.js';

const encodings: readonly LineEncoding[] = ['utf8', 'latin1', 'ascii'];

/** Options of `encodeLines` and `LineEncoder`. */
export interface EncodeLinesOptions {
  /** What ends each line: a string (encoded with `encoding`) or bytes. Default `'\r\n'`. */
  readonly delimiter?: string | Uint8Array;
  /** How a line's characters become bytes: `'utf8'` (default), `'latin1'` or `'ascii'`. */
  readonly encoding?: LineEncoding;
}

/**
 * Encodes a line and appends the delimiter, in one buffer. A line that would not arrive as itself
 * (it contains the delimiter, or its end and the delimiter spell one earlier) throws RangeError
 * rather than go out as two lines: CRLF injection is the caller's bug, caught here.
 *
 * ```text
 * encode('hi')  → [68 69 0d 0a]
 * encode('a\r\nb') → RangeError
 * ```
 *
 * @throws RangeError from `encode`, for a line holding the delimiter; from the constructor, for an
 * empty delimiter or an unknown encoding.
 * @example
 * ```ts
 * new LineEncoder({ delimiter: '\n' }).encode('hello'); // <Buffer 68 65 6c 6c 6f 0a>
 * ```
 */
export class LineEncoder {
  readonly #delimiter: Buffer;
  readonly #encoding: LineEncoding;

  constructor(options: EncodeLinesOptions = {}) {
    const encoding = options.encoding ?? 'utf8';
    if (!encodings.includes(encoding)) throw new RangeError(`unsupported line encoding: ${encoding}`);
    const delimiter = options.delimiter ?? '\r\n';
    this.#delimiter =
      typeof delimiter === 'string' ? Buffer.from(delimiter, encoding) : Buffer.from(delimiter);
    if (this.#delimiter.length === 0) throw new RangeError('the delimiter must not be empty');
    this.#encoding = encoding;
  }

  /**
   * The bytes of `line` followed by the delimiter.
   *
   * @throws RangeError when `line` holds the delimiter.
   * @example
   * ```ts
   * new LineEncoder().encode('QUIT'); // <Buffer 51 55 49 54 0d 0a>
   * ```
   */
  encode(line: string): Uint8Array {
    const size = Buffer.byteLength(line, this.#encoding);
    const bytes = Buffer.allocUnsafe(size + this.#delimiter.length);
    bytes.write(line, 0, this.#encoding);
    this.#delimiter.copy(bytes, size);
    if (indexOfDelimiter(bytes, this.#delimiter, 0, bytes.length) !== size) {
      throw new RangeError(`a line must not contain its delimiter: ${JSON.stringify(line)}`);
    }
    return bytes;
  }
}

/**
 * Encodes each string as a line: its bytes followed by the delimiter, one Uint8Array per line. A
 * line containing the delimiter errors the stream with RangeError instead of going out as two
 * lines.
 *
 * ```text
 * lines:          -a---bc--|
 * encodeLines():  -[a\r\n]-[bc\r\n]-|
 * ```
 *
 * @throws RangeError (as an error notification), for a line holding the delimiter.
 * @see lines, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { encodeLines } from 'spindle/operators';
 *
 * of('HELO a.example', 'QUIT').pipe(encodeLines()).subscribe((bytes) => console.log(bytes));
 * ```
 */
export function encodeLines(options?: EncodeLinesOptions): OperatorFunction<string, Uint8Array> {
  const encoder = new LineEncoder(options);
  return map((line) => encoder.encode(line));
}
