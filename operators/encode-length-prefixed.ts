/**
 * `encodeLengthPrefixed`: prefixes each frame with its length, the other direction of
 * `lengthPrefixed`, and `LengthPrefixedEncoder`, the sans-I/O function behind it.
 *
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';

/** Options of `encodeLengthPrefixed` and `LengthPrefixedEncoder`. */
export interface EncodeLengthPrefixedOptions {
  /** The size of the length prefix, in bytes. Default 4 (Twisted's `Int32StringReceiver`). */
  readonly bytes?: 1 | 2 | 4;
}

/**
 * Prefixes a frame with its length as a big-endian unsigned integer of 1, 2 or 4 bytes, in one
 * buffer; a string frame is encoded as UTF-8. A frame too long for the prefix (over 255, 65535 or
 * 4294967295 bytes) throws RangeError.
 *
 * ```text
 * new LengthPrefixedEncoder({ bytes: 2 })
 * encode('hi') → [00 02 68 69]
 * ```
 *
 * @throws RangeError from `encode`, for a frame too long for the prefix; from the constructor, for
 * a prefix size other than 1, 2 or 4.
 * @example
 * ```ts
 * new LengthPrefixedEncoder({ bytes: 1 }).encode('ok'); // <Buffer 02 6f 6b>
 * ```
 */
export class LengthPrefixedEncoder {
  readonly #prefix: number;
  readonly #maxLength: number;

  constructor(options: EncodeLengthPrefixedOptions = {}) {
    const prefix = options.bytes ?? 4;
    if (prefix !== 1 && prefix !== 2 && prefix !== 4) {
      throw new RangeError(`the length prefix must be 1, 2 or 4 bytes, not ${prefix}`);
    }
    this.#prefix = prefix;
    this.#maxLength = 2 ** (8 * prefix) - 1;
  }

  /**
   * The length prefix of `frame` followed by its bytes.
   *
   * @throws RangeError when `frame` is too long for the prefix.
   * @example
   * ```ts
   * new LengthPrefixedEncoder().encode(new Uint8Array([7])); // <Buffer 00 00 00 01 07>
   * ```
   */
  encode(frame: Uint8Array | string): Uint8Array {
    const data = typeof frame === 'string' ? Buffer.from(frame) : frame;
    if (data.length > this.#maxLength) {
      throw new RangeError(`a ${data.length}-byte frame does not fit a ${this.#prefix}-byte length prefix`);
    }
    const bytes = Buffer.allocUnsafe(this.#prefix + data.length);
    bytes.writeUIntBE(data.length, 0, this.#prefix);
    bytes.set(data, this.#prefix);
    return bytes;
  }
}

/**
 * Prefixes each frame with its length as a big-endian unsigned integer of `bytes` bytes, one
 * Uint8Array per frame; string frames are encoded as UTF-8. A frame too long for the prefix errors
 * the stream with RangeError.
 *
 * ```text
 * frames:                              -hi--------|
 * encodeLengthPrefixed({ bytes: 2 }):  -[0 2 h i]-|
 * ```
 *
 * @throws RangeError (as an error notification), for a frame too long for the prefix.
 * @see lengthPrefixed, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { encodeLengthPrefixed } from 'spindle/operators';
 *
 * of('hello').pipe(encodeLengthPrefixed({ bytes: 2 })).subscribe((bytes) => console.log(bytes));
 * ```
 */
export function encodeLengthPrefixed(
  options?: EncodeLengthPrefixedOptions,
): OperatorFunction<Uint8Array | string, Uint8Array> {
  const encoder = new LengthPrefixedEncoder(options);
  return map((frame) => encoder.encode(frame));
}
