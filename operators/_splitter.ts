/**
 * `Splitter`: the delimiter-splitting state machine behind `LineDecoder` and `DelimitedDecoder`.
 *
 * @module
 */
import { LineTooLongError } from '../source/errors.js';
import { indexOfDelimiter } from './_index-of-delimiter.js';

/**
 * Turns `bytes[start, end)` into a frame. `reused` says `bytes` is the splitter's own buffer,
 * which it will overwrite: a frame that is a view of it must be copied.
 */
export type Slicer<F> = (bytes: Buffer, start: number, end: number, reused: boolean) => F;

/**
 * Splits a byte stream on a delimiter of one or more bytes.
 *
 * Frames lying whole inside one chunk are sliced straight out of it; only the unterminated tail of
 * a chunk is copied, into a buffer the splitter owns. That buffer is allocated on demand, reused
 * while frames keep spanning chunks (a stream of long lines in small chunks allocates nothing per
 * line), and let go whenever a chunk ends exactly at a delimiter, so an idle connection holds
 * nothing. Each byte is scanned once, except the last `delimiter.length - 1` bytes of a tail,
 * looked at again for a delimiter split across chunks. The tail never holds more than
 * `maxLength + delimiter.length - 1` bytes: a frame is refused as soon as its bytes, less any
 * trailing start of a delimiter, exceed `maxLength`.
 *
 * @example
 * ```ts
 * const splitter = new Splitter(Buffer.from('\r\n'), 100, (bytes, start, end) => bytes.toString('utf8', start, end));
 * const frames: string[] = [];
 * splitter.push(Buffer.from('a\r\nb\r'), frames);
 * splitter.push(Buffer.from('\n'), frames); // frames: ['a', 'b']
 * ```
 */
export class Splitter<F> {
  readonly #delimiter: Buffer;
  readonly #maxLength: number;
  readonly #slice: Slicer<F>;
  #tail: Buffer | undefined;
  #length = 0;

  constructor(delimiter: Buffer, maxLength: number, slice: Slicer<F>) {
    if (delimiter.length === 0) throw new RangeError('the delimiter must not be empty');
    if (!Number.isSafeInteger(maxLength) || maxLength < 0) {
      throw new RangeError(`maxLength must be a non-negative integer, not ${maxLength}`);
    }
    this.#delimiter = delimiter;
    this.#maxLength = maxLength;
    this.#slice = slice;
  }

  /** How many bytes of an unterminated frame are held. */
  get buffered(): number {
    return this.#length;
  }

  /** Appends the frames `bytes` completes to `frames`; throws LineTooLongError past `maxLength`. */
  push(bytes: Buffer, frames: F[]): void {
    const end = bytes.length;
    let start = this.#length > 0 ? this.#completeTail(bytes, frames) : 0;
    if (start < 0) return;
    const delimiter = this.#delimiter;
    for (;;) {
      const at = indexOfDelimiter(bytes, delimiter, start, end);
      if (at < 0) break;
      if (at - start > this.#maxLength) throw new LineTooLongError(this.#maxLength);
      frames.push(this.#slice(bytes, start, at, false));
      start = at + delimiter.length;
    }
    if (start < end) this.#keep(bytes, start);
    else this.#tail = undefined;
  }

  /** Forgets any unterminated frame. */
  reset(): void {
    this.#tail = undefined;
    this.#length = 0;
  }

  /**
   * Ends the held frame with the first delimiter in `bytes` (or straddling into it) and returns
   * where scanning `bytes` goes on, or -1 when `bytes` holds no delimiter and joined the tail.
   */
  #completeTail(bytes: Buffer, frames: F[]): number {
    const delimiter = this.#delimiter;
    const tail = this.#tail!;
    const length = this.#length;
    // A delimiter starting in the tail's last bytes comes before any inside `bytes`: try the
    // earliest start first.
    for (let inTail = Math.min(delimiter.length - 1, length); inTail > 0; inTail--) {
      const rest = delimiter.length - inTail;
      if (rest <= bytes.length && straddles(tail, length, bytes, delimiter, inTail)) {
        this.#emitTail(length - inTail, frames);
        return rest;
      }
    }
    const at = indexOfDelimiter(bytes, delimiter, 0, bytes.length);
    if (at < 0) {
      this.#keep(bytes, 0);
      return -1;
    }
    if (length + at > this.#maxLength) throw new LineTooLongError(this.#maxLength);
    this.#append(bytes, 0, at);
    this.#emitTail(this.#length, frames);
    return at + delimiter.length;
  }

  #emitTail(frameLength: number, frames: F[]): void {
    if (frameLength > this.#maxLength) throw new LineTooLongError(this.#maxLength);
    frames.push(this.#slice(this.#tail!, 0, frameLength, true));
    this.#length = 0;
  }

  /** Holds `bytes[start, end)` as (the rest of) an unterminated frame, unless that proves it too long. */
  #keep(bytes: Buffer, start: number): void {
    const total = this.#length + bytes.length - start;
    if (total > this.#maxLength && total - this.#delimiterStart(bytes, start) > this.#maxLength) {
      throw new LineTooLongError(this.#maxLength);
    }
    this.#append(bytes, start, bytes.length);
  }

  /** The length of the longest start of the delimiter that the tail followed by `bytes[start..]` ends with. */
  #delimiterStart(bytes: Buffer, start: number): number {
    const tail = this.#tail;
    const length = this.#length;
    const total = length + bytes.length - start;
    const delimiter = this.#delimiter;
    const byteAt = (index: number): number =>
      index < length ? tail![index]! : bytes[start + index - length]!;
    for (let size = Math.min(delimiter.length - 1, total); size > 0; size--) {
      let matched = 0;
      while (matched < size && byteAt(total - size + matched) === delimiter[matched]) matched++;
      if (matched === size) return size;
    }
    return 0;
  }

  #append(bytes: Buffer, start: number, end: number): void {
    const needed = this.#length + end - start;
    let tail = this.#tail;
    if (tail === undefined || tail.length < needed) {
      const capacity = Math.min(
        this.#maxLength + this.#delimiter.length - 1,
        Math.max(needed * 2, (tail?.length ?? 0) * 2, 64),
      );
      const grown = Buffer.allocUnsafeSlow(capacity);
      if (tail !== undefined) tail.copy(grown, 0, 0, this.#length);
      this.#tail = tail = grown;
    }
    bytes.copy(tail, this.#length, start, end);
    this.#length = needed;
  }
}

/** Whether the tail's last `inTail` bytes and the first bytes of `bytes` together spell `delimiter`. */
function straddles(tail: Buffer, length: number, bytes: Buffer, delimiter: Buffer, inTail: number): boolean {
  for (let i = 0; i < inTail; i++) if (tail[length - inTail + i] !== delimiter[i]) return false;
  for (let i = inTail; i < delimiter.length; i++) if (bytes[i - inTail] !== delimiter[i]) return false;
  return true;
}
