/**
 * `WireWriter`: writes one DNS message into a growing buffer, with the table of names already
 * written for compression (RFC 1035 section 4.1.4), and checks every integer it is given.
 *
 * @module
 */
import { InvalidNameError } from './dns-error.js';
import { labelText, maxLabelLength, maxNameLength, nameLabels } from './domain-name.js';

/** The largest message: what a TCP length prefix can announce. */
export const maxMessageSize = 0xffff;
/** Pointers hold 14 bits of offset. */
const maxPointerOffset = 0x3fff;

/** A Buffer with Node's latin1 encoder reached directly, without `write`'s encoding dispatch. */
type Latin1Buffer = Buffer & { latin1Write(text: string, offset: number, length: number): number };

/** Thrown when the message grows past `maxMessageSize`; the encoder may then truncate instead. */
export class MessageTooLargeError extends RangeError {
  constructor() {
    super(`a DNS message is at most ${maxMessageSize} octets`);
  }
}

/**
 * Writes one message at a time: `reset`, the writes, `finish`. The buffer and the compression
 * table are kept from message to message, so an encode allocates little more than its result.
 */
export class WireWriter {
  #bytes: Latin1Buffer = Buffer.allocUnsafeSlow(4096) as Latin1Buffer;
  /** The offset of the next byte. */
  at = 0;
  /** Lowered names (and their suffixes) already written, by offset. */
  readonly #names = new Map<string, number>();
  /** Where each label starts in the name being written (fast path). */
  readonly #starts = new Int32Array(128);

  reset(): void {
    this.at = 0;
    this.#names.clear();
  }

  /** A copy of what was written. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.at);
    this.#bytes.copy(out, 0, 0, this.at);
    return out;
  }

  /** Forgets what was written from `offset` on (names too). */
  rewind(offset: number): void {
    this.at = offset;
    for (const [key, at] of this.#names) if (at >= offset) this.#names.delete(key);
  }

  /** Makes room for `count` more bytes. */
  #room(count: number): Latin1Buffer {
    const need = this.at + count;
    if (need > this.#bytes.length) {
      if (need > maxMessageSize) throw new MessageTooLargeError();
      const grown = Buffer.allocUnsafeSlow(Math.min(maxMessageSize, Math.max(need, this.#bytes.length * 2)));
      this.#bytes.copy(grown, 0, 0, this.at);
      this.#bytes = grown as Latin1Buffer;
    }
    return this.#bytes;
  }

  u8(value: number, what: string): void {
    if (!(value >= 0 && value <= 0xff && Number.isInteger(value))) throw outOfRange(what, value, 0xff);
    this.#room(1)[this.at++] = value;
  }

  u16(value: number, what: string): void {
    if (!(value >= 0 && value <= 0xffff && Number.isInteger(value))) throw outOfRange(what, value, 0xffff);
    const bytes = this.#room(2);
    bytes[this.at] = value >> 8;
    bytes[this.at + 1] = value & 0xff;
    this.at += 2;
  }

  u32(value: number, what: string, max = 0xffffffff): void {
    if (!(value >= 0 && value <= max && Number.isInteger(value))) throw outOfRange(what, value, max);
    this.#room(4).writeUInt32BE(value, this.at);
    this.at += 4;
  }

  /** Sets the 16 bits at `offset`, already written (a count, a length). */
  patch16(offset: number, value: number): void {
    this.#bytes[offset] = value >> 8;
    this.#bytes[offset + 1] = value & 0xff;
  }

  bytes(data: Uint8Array, what: string): void {
    if (!(data instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
    this.#room(data.length).set(data, this.at);
    this.at += data.length;
  }

  /** Room for `count` bytes, returned with the offset to write them at; the caller writes them all. */
  reserve(count: number): [Buffer, number] {
    const bytes = this.#room(count);
    const at = this.at;
    this.at += count;
    return [bytes, at];
  }

  /** Writes the ASCII text `text` (already checked) as bytes. */
  ascii(text: string): void {
    this.#room(text.length).latin1Write(text, this.at, text.length);
    this.at += text.length;
  }

  /**
   * Writes `name`. With `compress`, a suffix already written (compared without regard to ASCII
   * case) becomes a pointer to it, and the suffixes written here become targets for later names.
   *
   * @throws InvalidNameError for a name that cannot be written.
   */
  name(name: string, compress: boolean): void {
    if (typeof name !== 'string') throw new InvalidNameError(`a name must be a string, not ${typeof name}`);
    let length = name.length;
    if (length > 0 && name.charCodeAt(length - 1) === 0x2e) length -= 1;
    if (length > maxNameLength - 2) {
      this.#escapedName(name, compress);
      return;
    }
    const starts = this.#starts;
    let labels = 0;
    let start = 0;
    let upper = false;
    for (let i = 0; i <= length; i++) {
      const code = i < length ? name.charCodeAt(i) : 0x2e;
      if (code === 0x2e) {
        const size = i - start;
        if (size === 0) {
          if (length === 0) break; // the root
          throw new InvalidNameError(`empty label in ${JSON.stringify(name)}`);
        }
        if (size > maxLabelLength) {
          throw new InvalidNameError(`label over ${maxLabelLength} octets in ${JSON.stringify(name)}`);
        }
        starts[labels++] = start;
        start = i + 1;
      } else if (code <= 0x20 || code >= 0x7f || code === 0x5c) {
        this.#escapedName(name, compress);
        return;
      } else if (code >= 0x41 && code <= 0x5a) {
        upper = true;
      }
    }
    let match = labels;
    let target = -1;
    let key = '';
    if (compress && labels > 0) {
      const bare = length === name.length ? name : name.slice(0, length);
      key = upper ? bare.toLowerCase() : bare;
      for (let label = 0; label < labels; label++) {
        const found = this.#names.get(label === 0 ? key : key.slice(starts[label]));
        if (found !== undefined) {
          match = label;
          target = found;
          break;
        }
      }
    }
    const written = match === labels ? length : match === 0 ? 0 : (starts[match] as number) - 1;
    const bytes = this.#room(written + (target >= 0 ? 3 : 2));
    const at = this.at;
    if (written > 0) bytes.latin1Write(name, at + 1, written);
    for (let label = 0; label < match; label++) {
      const labelStart = starts[label] as number;
      const labelEnd = label + 1 < labels ? (starts[label + 1] as number) - 1 : length;
      bytes[at + labelStart] = labelEnd - labelStart;
      if (compress && at + labelStart <= maxPointerOffset) {
        this.#names.set(label === 0 ? key : key.slice(labelStart), at + labelStart);
      }
    }
    let end = at + (written > 0 ? written + 1 : 0);
    if (target >= 0) {
      bytes[end++] = 0xc0 | (target >> 8);
      bytes[end++] = target & 0xff;
    } else {
      bytes[end++] = 0;
    }
    this.at = end;
  }

  /** `name` the slow way: its labels unescaped by `nameLabels`, keys made from their text. */
  #escapedName(name: string, compress: boolean): void {
    const labels = nameLabels(name);
    const keys = compress ? labels.map((label) => labelText(label).toLowerCase()) : [];
    let match = labels.length;
    let target = -1;
    if (compress) {
      for (let label = 0; label < labels.length; label++) {
        const found = this.#names.get(keys.slice(label).join('.'));
        if (found !== undefined) {
          match = label;
          target = found;
          break;
        }
      }
    }
    for (let label = 0; label < match; label++) {
      const data = labels[label] as Uint8Array;
      if (compress && this.at <= maxPointerOffset) this.#names.set(keys.slice(label).join('.'), this.at);
      const bytes = this.#room(data.length + 1);
      bytes[this.at] = data.length;
      bytes.set(data, this.at + 1);
      this.at += data.length + 1;
    }
    if (target >= 0) {
      this.u16(0xc000 | target, 'pointer');
    } else {
      this.u8(0, 'root');
    }
  }
}

function outOfRange(what: string, value: number, max: number): RangeError {
  return new RangeError(`${what} must be an integer from 0 to ${max}, not ${value}`);
}
