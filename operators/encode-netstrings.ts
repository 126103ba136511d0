/**
 * `encodeNetstrings`: wraps each frame as a netstring (`5:hello,`), the other direction of
 * `netstrings`, and `NetstringEncoder`, the sans-I/O function behind it.
 *
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';

const COMMA = 0x2c;

/**
 * Encodes data as a netstring, `<length>:<data>,`, in one buffer; a string is encoded as UTF-8.
 *
 * ```text
 * encode('hello') → '5:hello,'
 * encode('')      → '0:,'
 * ```
 *
 * @example
 * ```ts
 * String(new NetstringEncoder().encode('hi')); // '2:hi,'
 * ```
 */
export class NetstringEncoder {
  /**
   * The netstring of `data`.
   *
   * @example
   * ```ts
   * new NetstringEncoder().encode(new Uint8Array([1])); // <Buffer 31 3a 01 2c>
   * ```
   */
  encode(data: Uint8Array | string): Uint8Array {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    const header = `${body.length}:`;
    const bytes = Buffer.allocUnsafe(header.length + body.length + 1);
    bytes.write(header, 0, 'latin1');
    bytes.set(body, header.length);
    bytes[bytes.length - 1] = COMMA;
    return bytes;
  }
}

/**
 * Encodes each frame as a netstring (`<length>:<data>,`), one Uint8Array per frame; string frames
 * are encoded as UTF-8.
 *
 * ```text
 * frames:              -hello---''--|
 * encodeNetstrings():  -[5:hello,]-[0:,]-|
 * ```
 *
 * @see netstrings, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { encodeNetstrings } from 'spindle/operators';
 *
 * of('hello', 'world').pipe(encodeNetstrings()).subscribe((bytes) => console.log(bytes));
 * ```
 */
export function encodeNetstrings(): OperatorFunction<Uint8Array | string, Uint8Array> {
  const encoder = new NetstringEncoder();
  return map((data) => encoder.encode(data));
}
