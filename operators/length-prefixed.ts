/**
 * `lengthPrefixed`: splits a byte stream into frames that each start with their length as a
 * big-endian unsigned integer of 1, 2 or 4 bytes (Twisted's `Int8StringReceiver`,
 * `Int16StringReceiver`, `Int32StringReceiver`), and `LengthPrefixedDecoder`, the sans-I/O state
 * machine behind it.
 *
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { asBuffer } from '../source/_as-buffer.js';
import { LineTooLongError, ProtocolError } from '../source/errors.js';
import { decode } from './decode.js';
import type { Decoder } from './decoder.js';

/** Options of `lengthPrefixed` and `LengthPrefixedDecoder`. */
export interface LengthPrefixedOptions {
  /** The size of the length prefix, in bytes. Default 4 (Twisted's `Int32StringReceiver`). */
  readonly bytes?: 1 | 2 | 4;
  /**
   * The longest frame accepted, in bytes, not counting the prefix. Default 99999 (Twisted's
   * `MAX_LENGTH`). A cap is required: there is no unlimited setting.
   */
  readonly maxLength?: number;
}

/**
 * Splits bytes into length-prefixed frames. A frame that arrived whole inside one chunk is a view
 * of that chunk (no copy); a frame split across chunks is assembled in a buffer of exactly its
 * length. A prefix announcing more than `maxLength` throws LineTooLongError as soon as the prefix
 * is complete, before any of the data is buffered; `end` throws ProtocolError when a frame (or a
 * prefix) is cut short. After any error the decoder must not be used again.
 *
 * ```text
 * new LengthPrefixedDecoder({ bytes: 2 })
 * push([0 3 a b])   → []
 * push([c 0 0])     → [abc, (empty)]
 * ```
 *
 * @throws LineTooLongError from `push`, ProtocolError from `end`; RangeError from the
 * constructor, for a prefix size other than 1, 2 or 4 or a bad `maxLength`.
 * @example
 * ```ts
 * const decoder = new LengthPrefixedDecoder({ bytes: 1 });
 * decoder.push(new Uint8Array([2, 104, 105, 1])).map(String); // ['hi']
 * decoder.push(new Uint8Array([33])).map(String);             // ['!']
 * ```
 */
export class LengthPrefixedDecoder implements Decoder<Uint8Array> {
  readonly #prefix: number;
  readonly #maxLength: number;
  /** How many bytes of the prefix have been read. */
  #header = 0;
  /** The frame's length (so far, while reading the prefix). */
  #size = 0;
  /** The frame's data, when it spans chunks. */
  #data: Buffer | undefined;
  #filled = 0;

  constructor(options: LengthPrefixedOptions = {}) {
    const prefix = options.bytes ?? 4;
    const maxLength = options.maxLength ?? 99999;
    if (prefix !== 1 && prefix !== 2 && prefix !== 4) {
      throw new RangeError(`the length prefix must be 1, 2 or 4 bytes, not ${prefix}`);
    }
    if (!Number.isSafeInteger(maxLength) || maxLength < 0) {
      throw new RangeError(`maxLength must be a non-negative integer, not ${maxLength}`);
    }
    this.#prefix = prefix;
    this.#maxLength = maxLength;
  }

  /** How many bytes of an unfinished frame the decoder holds (its data so far; at most `maxLength`). */
  get buffered(): number {
    return this.#filled;
  }

  /**
   * Appends the frames `chunk` completes to `frames` and returns it.
   *
   * @throws LineTooLongError when a prefix announces more than `maxLength`; the frames before it
   * are already in `frames`.
   * @example
   * ```ts
   * new LengthPrefixedDecoder({ bytes: 2 }).push(new Uint8Array([0, 1, 42])).length; // 1
   * ```
   */
  push(chunk: Uint8Array, frames: Uint8Array[] = []): readonly Uint8Array[] {
    const bytes = asBuffer(chunk);
    const end = bytes.length;
    const prefix = this.#prefix;
    let at = 0;
    while (at < end) {
      if (this.#header < prefix) {
        this.#size = this.#size * 256 + bytes[at++]!;
        if (++this.#header < prefix) continue;
        if (this.#size > this.#maxLength) throw new LineTooLongError(this.#maxLength);
        if (this.#size === 0) {
          frames.push(bytes.subarray(at, at));
          this.#reset();
        }
        continue;
      }
      const size = this.#size;
      if (this.#data === undefined && end - at >= size) {
        // The fast path: the whole frame is in this chunk.
        frames.push(bytes.subarray(at, at + size));
        at += size;
        this.#reset();
        continue;
      }
      this.#data ??= Buffer.allocUnsafeSlow(size);
      const take = Math.min(size - this.#filled, end - at);
      bytes.copy(this.#data, this.#filled, at, at + take);
      this.#filled += take;
      at += take;
      if (this.#filled === size) {
        frames.push(this.#data);
        this.#reset();
      }
    }
    return frames;
  }

  /**
   * Ends the input. Returns `frames` unchanged, and the decoder is ready for a new stream.
   *
   * @throws ProtocolError when the input ends inside a frame or its prefix.
   * @example
   * ```ts
   * const decoder = new LengthPrefixedDecoder({ bytes: 1 });
   * decoder.push(new Uint8Array([5, 1, 2]));
   * decoder.end(); // throws ProtocolError: truncated frame
   * ```
   */
  end(frames: Uint8Array[] = []): readonly Uint8Array[] {
    const header = this.#header;
    const missing = this.#size - this.#filled;
    this.#reset();
    if (header > 0) {
      throw new ProtocolError(
        header < this.#prefix
          ? `truncated frame: the input ended inside a ${this.#prefix}-byte length prefix`
          : `truncated frame: the input ended ${missing} bytes short`,
      );
    }
    return frames;
  }

  #reset(): void {
    this.#header = 0;
    this.#size = 0;
    this.#data = undefined;
    this.#filled = 0;
  }
}

/**
 * Splits a byte stream into frames prefixed with their length as a big-endian unsigned integer
 * of `bytes` bytes (Twisted's `Int8StringReceiver`, `Int16StringReceiver`, `Int32StringReceiver`),
 * emitting each frame's data without the prefix.
 *
 * A frame that arrived whole inside one chunk is a view of that chunk (no copy): copy it before
 * reusing the chunk's memory. A prefix announcing more than `maxLength` errors the stream with
 * LineTooLongError before any of the data is buffered; a stream ending inside a frame errors with
 * ProtocolError. On error the upstream is unsubscribed.
 *
 * ```text
 * chunks:                        -[0 0 0 2 h]-[i 0 0 0 0]-|
 * lengthPrefixed({ bytes: 4 }):  -------------(hi '')----|
 * ```
 *
 * @throws LineTooLongError, ProtocolError (as error notifications).
 * @see LengthPrefixedDecoder, the state machine.
 * @see encodeLengthPrefixed, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { lengthPrefixed } from 'spindle/operators';
 *
 * of(new Uint8Array([0, 2, 104, 105]))
 *   .pipe(lengthPrefixed({ bytes: 2, maxLength: 4096 }))
 *   .subscribe((frame) => console.log(frame)); // Uint8Array [104, 105]
 * ```
 */
export function lengthPrefixed(options?: LengthPrefixedOptions): OperatorFunction<Uint8Array, Uint8Array> {
  new LengthPrefixedDecoder(options); // validate the options now, not at subscription
  return decode(() => new LengthPrefixedDecoder(options));
}
