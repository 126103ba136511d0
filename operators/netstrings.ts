/**
 * `netstrings`: decodes D. J. Bernstein's netstrings (`5:hello,`) from a byte stream (Twisted's
 * `NetstringReceiver`), and `NetstringDecoder`, the sans-I/O state machine behind it.
 *
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { asBuffer } from '../source/_as-buffer.js';
import { LineTooLongError, ProtocolError } from '../source/errors.js';
import { decode } from './decode.js';
import type { Decoder } from './decoder.js';

/** Options of `netstrings` and `NetstringDecoder`. */
export interface NetstringsOptions {
  /**
   * The longest netstring accepted, in bytes of data. Default 99999 (Twisted's `MAX_LENGTH`). A
   * cap is required: there is no unlimited setting.
   */
  readonly maxLength?: number;
}

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;

/** Where the decoder is in a netstring. */
const LENGTH = 0;
const DATA = 1;
const END = 2;

/**
 * Decodes netstrings: `<length>:<data>,` where the length is in decimal ASCII, without leading
 * zeros (`0:,` is the empty string). A netstring is returned only once its comma has arrived.
 * Data that arrived whole inside one chunk is a view of that chunk (no copy); data split across
 * chunks is assembled in a buffer of exactly its length.
 *
 * Malformed input throws ProtocolError: a length with something other than digits, an empty
 * length, a leading zero, or a missing comma. A length over `maxLength` throws LineTooLongError as
 * soon as its digits prove it. `end` throws ProtocolError when a netstring is cut short. After
 * any error the decoder must not be used again.
 *
 * ```text
 * push('5:he')  → []
 * push('llo,0') → [hello]
 * push(':,')    → [(empty)]
 * ```
 *
 * @throws ProtocolError / LineTooLongError from `push`, ProtocolError from `end`; RangeError from
 * the constructor, for a `maxLength` that is not a non-negative integer.
 * @example
 * ```ts
 * const decoder = new NetstringDecoder();
 * decoder.push(Buffer.from('3:abc,1:d,')).map(String); // ['abc', 'd']
 * ```
 */
export class NetstringDecoder implements Decoder<Uint8Array> {
  readonly #maxLength: number;
  #state = LENGTH;
  /** How many digits of the length have been read. */
  #digits = 0;
  /** The netstring's length (so far, while reading digits). */
  #size = 0;
  /** The netstring's data, when it spans chunks. */
  #data: Buffer | undefined;
  #filled = 0;

  constructor(options: NetstringsOptions = {}) {
    const maxLength = options.maxLength ?? 99999;
    if (!Number.isSafeInteger(maxLength) || maxLength < 0) {
      throw new RangeError(`maxLength must be a non-negative integer, not ${maxLength}`);
    }
    this.#maxLength = maxLength;
  }

  /** How many bytes of an unfinished netstring the decoder holds (its data so far; at most `maxLength`). */
  get buffered(): number {
    return this.#filled;
  }

  /**
   * Appends the netstrings `chunk` completes to `frames` and returns it.
   *
   * @throws ProtocolError for malformed input, LineTooLongError past `maxLength`; the netstrings
   * before the offending one are already in `frames`.
   * @example
   * ```ts
   * new NetstringDecoder().push(Buffer.from('2:hi,')).length; // 1
   * ```
   */
  push(chunk: Uint8Array, frames: Uint8Array[] = []): readonly Uint8Array[] {
    const bytes = asBuffer(chunk);
    const end = bytes.length;
    let at = 0;
    while (at < end) {
      if (this.#state === LENGTH) {
        at = this.#readLength(bytes, at);
      } else if (this.#state === DATA) {
        const size = this.#size;
        if (this.#data === undefined && end - at > size) {
          // The fast path: the data and its comma are all in this chunk.
          if (bytes[at + size] !== COMMA) throw missingComma(bytes[at + size]!);
          frames.push(bytes.subarray(at, at + size));
          at += size + 1;
          this.#reset();
        } else {
          at = this.#fill(bytes, at);
        }
      } else {
        if (bytes[at] !== COMMA) throw missingComma(bytes[at]!);
        at++;
        frames.push(this.#data!);
        this.#reset();
      }
    }
    return frames;
  }

  /**
   * Ends the input. Returns `frames` unchanged, and the decoder is ready for a new stream.
   *
   * @throws ProtocolError when the input ends inside a netstring.
   * @example
   * ```ts
   * const decoder = new NetstringDecoder();
   * decoder.push(Buffer.from('5:hel'));
   * decoder.end(); // throws ProtocolError: truncated netstring
   * ```
   */
  end(frames: Uint8Array[] = []): readonly Uint8Array[] {
    const truncated = this.#state !== LENGTH || this.#digits > 0;
    this.#reset();
    if (truncated) throw new ProtocolError('truncated netstring: the input ended inside one');
    return frames;
  }

  #readLength(bytes: Buffer, from: number): number {
    const end = bytes.length;
    let at = from;
    while (at < end) {
      const byte = bytes[at++]!;
      if (byte === COLON) {
        if (this.#digits === 0) throw new ProtocolError('malformed netstring: empty length');
        this.#state = DATA;
        return at;
      }
      const digit = byte - ZERO;
      if (digit < 0 || digit > 9) throw new ProtocolError(`malformed netstring length: ${describe(byte)}`);
      if (this.#digits > 0 && this.#size === 0) {
        throw new ProtocolError('malformed netstring length: leading zero');
      }
      this.#size = this.#size * 10 + digit;
      this.#digits++;
      if (this.#size > this.#maxLength) throw new LineTooLongError(this.#maxLength);
    }
    return at;
  }

  /** Copies data into the netstring's own buffer; returns where reading goes on. */
  #fill(bytes: Buffer, at: number): number {
    const size = this.#size;
    this.#data ??= Buffer.allocUnsafeSlow(size);
    const take = Math.min(size - this.#filled, bytes.length - at);
    bytes.copy(this.#data, this.#filled, at, at + take);
    this.#filled += take;
    if (this.#filled === size) this.#state = END;
    return at + take;
  }

  #reset(): void {
    this.#state = LENGTH;
    this.#digits = 0;
    this.#size = 0;
    this.#data = undefined;
    this.#filled = 0;
  }
}

function missingComma(byte: number): ProtocolError {
  return new ProtocolError(`malformed netstring: expected ',' after the data, got ${describe(byte)}`);
}

function describe(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Decodes a stream of netstrings (`<length>:<data>,`, D. J. Bernstein's format; Twisted's
 * `NetstringReceiver`), emitting each one's data.
 *
 * Data that arrived whole inside one chunk is a view of that chunk (no copy): copy it before
 * reusing the chunk's memory. Malformed input (a bad or empty length, a leading zero, a missing
 * comma) errors the stream with ProtocolError; a length over `maxLength` with LineTooLongError, as
 * soon as its digits prove it; a stream that ends inside a netstring with ProtocolError. On error
 * the upstream is unsubscribed.
 *
 * ```text
 * chunks:         -[5:he]-[llo,0:]-[,]-|
 * netstrings():   --------hello----''--|
 * ```
 *
 * @throws ProtocolError, LineTooLongError (as error notifications).
 * @see NetstringDecoder, the state machine.
 * @see encodeNetstrings, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { netstrings } from 'spindle/operators';
 *
 * of(Buffer.from('5:hello,5:wor'), Buffer.from('ld,'))
 *   .pipe(netstrings({ maxLength: 1024 }))
 *   .subscribe((data) => console.log(Buffer.from(data).toString())); // 'hello', 'world'
 * ```
 */
export function netstrings(options?: NetstringsOptions): OperatorFunction<Uint8Array, Uint8Array> {
  new NetstringDecoder(options); // validate the options now, not at subscription
  return decode(() => new NetstringDecoder(options));
}
