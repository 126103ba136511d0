/**
 * `encodeDelimited`: ends each frame with a delimiter byte, the other direction of `delimited`,
 * and `DelimitedEncoder`, the sans-I/O function behind it.
 *
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';

/**
 * Appends the delimiter byte to a frame, in one buffer; a string frame is encoded as UTF-8. A
 * frame containing the delimiter throws RangeError rather than go out as two frames.
 *
 * ```text
 * new DelimitedEncoder(0)
 * encode([61 62]) → [61 62 00]
 * encode([61 00]) → RangeError
 * ```
 *
 * @throws RangeError from `encode`, for a frame holding the delimiter; from the constructor, for a
 * `delimiter` that is not a byte value.
 * @example
 * ```ts
 * new DelimitedEncoder(0x0a).encode('{"a":1}'); // <Buffer 7b 22 61 22 3a 31 7d 0a>
 * ```
 */
export class DelimitedEncoder {
  readonly #delimiter: number;

  constructor(delimiter: number) {
    if (!Number.isInteger(delimiter) || delimiter < 0 || delimiter > 255) {
      throw new RangeError(`the delimiter must be a byte value (0 to 255), not ${delimiter}`);
    }
    this.#delimiter = delimiter;
  }

  /**
   * The bytes of `frame` followed by the delimiter.
   *
   * @throws RangeError when `frame` holds the delimiter.
   * @example
   * ```ts
   * new DelimitedEncoder(0).encode(new Uint8Array([1, 2])); // <Buffer 01 02 00>
   * ```
   */
  encode(frame: Uint8Array | string): Uint8Array {
    const data = typeof frame === 'string' ? Buffer.from(frame) : frame;
    if (data.indexOf(this.#delimiter) >= 0) {
      throw new RangeError(`a frame must not contain its delimiter byte ${this.#delimiter}`);
    }
    const bytes = Buffer.allocUnsafe(data.length + 1);
    bytes.set(data);
    bytes[data.length] = this.#delimiter;
    return bytes;
  }
}

/**
 * Ends each frame with the byte `delimiter`, one Uint8Array per frame; string frames are encoded
 * as UTF-8. A frame containing the delimiter errors the stream with RangeError.
 *
 * ```text
 * frames:             -a----bc----|
 * encodeDelimited(0): -[a 0]-[b c 0]-|
 * ```
 *
 * @throws RangeError (as an error notification), for a frame holding the delimiter.
 * @see delimited, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { encodeDelimited } from 'spindle/operators';
 *
 * of('{"a":1}', '{"b":2}').pipe(encodeDelimited(0x0a)).subscribe((bytes) => console.log(bytes));
 * ```
 */
export function encodeDelimited(delimiter: number): OperatorFunction<Uint8Array | string, Uint8Array> {
  const encoder = new DelimitedEncoder(delimiter);
  return map((frame) => encoder.encode(frame));
}
