/**
 * `WireReader`: a cursor over one DNS message's bytes that reads integers and (compressed) names
 * and throws `FormatError`, carrying the message's id, at anything out of bounds or malformed.
 *
 * @module
 */
import { asBuffer } from '../../source/_as-buffer.js';
import { FormatError } from './dns-error.js';
import { labelText, maxNameLength } from './domain-name.js';

/**
 * Reads one message. `end` bounds the reads in place (the end of the message, or of the record
 * data being read); a name's compression pointers may lead anywhere earlier in the message.
 */
export class WireReader {
  readonly bytes: Latin1Buffer;
  /** The offset of the next byte to read. */
  at = 0;
  /** Reads in place stop here. */
  end: number;
  /** The message's id, once read. */
  id: number | undefined;

  constructor(bytes: Uint8Array) {
    this.bytes = asBuffer(bytes) as Latin1Buffer;
    this.end = this.bytes.length;
    namesRead.size = 0;
  }

  /** Throws FormatError with the message's id (when read). */
  fail(reason: string): never {
    throw new FormatError(reason, this.id);
  }

  /** Throws unless `count` more bytes are there to read in place. */
  need(count: number, what: string): void {
    if (this.at + count > this.end) {
      this.fail(`truncated ${what}: ${count} bytes needed at offset ${this.at}, ${this.end - this.at} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.at++] as number;
  }

  u16(what: string): number {
    this.need(2, what);
    const at = this.at;
    this.at = at + 2;
    return ((this.bytes[at] as number) << 8) | (this.bytes[at + 1] as number);
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.bytes.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  /** A copy of the next `count` bytes (a plain Uint8Array, so the message's memory may be reused). */
  take(count: number, what: string): Uint8Array {
    this.need(count, what);
    const copy = new Uint8Array(this.bytes.subarray(this.at, this.at + count));
    this.at += count;
    return copy;
  }

  /**
   * A name in presentation form, case as on the wire, following compression pointers. Each
   * pointer must lead strictly before the labels that hold it (so pointers only go backwards and
   * reading always ends); labels are at most 63 octets, the name at most 255.
   */
  name(what: string): string {
    const bytes = this.bytes;
    const first = this.at;
    let at = first;
    let limit = this.end;
    /** Where the labels being read started: a pointer must lead before it. */
    let runStart = at;
    let jumped = false;
    let wire = 1;
    let text = '';
    for (;;) {
      if (at >= limit) this.fail(`truncated ${what} at offset ${at}`);
      const length = bytes[at] as number;
      if (length === 0) {
        at += 1;
        break;
      }
      const kind = length & 0xc0;
      if (kind === 0xc0) {
        if (at + 2 > limit) this.fail(`truncated compression pointer in ${what} at offset ${at}`);
        const target = ((length & 0x3f) << 8) | (bytes[at + 1] as number);
        if (target >= runStart) {
          this.fail(
            `compression pointer at offset ${at} in ${what} leads to ${target}, not before ${runStart}`,
          );
        }
        if (!jumped) this.at = at + 2;
        jumped = true;
        const known = namesRead.find(target);
        if (known >= 0) {
          // Read before from `target`, so already checked: the same bytes give the same name.
          wire += (namesRead.wires[known] as number) - 1;
          if (wire > maxNameLength) this.fail(`${what} longer than ${maxNameLength} octets at offset ${at}`);
          const suffix = namesRead.texts[known] as string;
          text = text === '' ? suffix : suffix === '' ? text : `${text}.${suffix}`;
          break;
        }
        limit = bytes.length;
        at = target;
        runStart = target;
        continue;
      }
      if (kind !== 0) this.fail(`reserved label type 0x${kind.toString(16)} in ${what} at offset ${at}`);
      // length <= 63 here: the two top bits are clear.
      wire += length + 1;
      if (wire > maxNameLength) this.fail(`${what} longer than ${maxNameLength} octets at offset ${at}`);
      const start = at + 1;
      at = start + length;
      if (at > limit) this.fail(`truncated label in ${what} at offset ${start - 1}`);
      if (text !== '') text += '.';
      text += plainLabel(bytes, start, at)
        ? bytes.latin1Slice(start, at)
        : labelText(bytes.subarray(start, at));
    }
    if (!jumped) this.at = at;
    namesRead.add(first, text, wire);
    return text;
  }
}

/**
 * The names read so far in the message being decoded, by the offset they start at, with their
 * lengths on the wire: a pointer to one of them appends it instead of reading it again. A few
 * dozen names make a message, so a linear scan of small arrays beats a Map. Decoding is
 * synchronous, so one table serves every reader; each reader empties it.
 */
const namesRead = {
  size: 0,
  offsets: new Int32Array(64),
  wires: new Int32Array(64),
  texts: [] as string[],
  /** The index of the name read from `offset`, or -1. */
  find(offset: number): number {
    for (let i = 0; i < this.size; i++) if (this.offsets[i] === offset) return i;
    return -1;
  },
  /** Remembers a name (the first 64 of a message). */
  add(offset: number, text: string, wire: number): void {
    if (this.size === this.offsets.length) return;
    this.offsets[this.size] = offset;
    this.wires[this.size] = wire;
    this.texts[this.size++] = text;
  },
};

/** A Buffer with Node's latin1 decoder reached directly, without `toString`'s encoding dispatch. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** Whether the label in `bytes[start, end)` is written as is: printable ASCII other than `.` and `\`. */
function plainLabel(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte <= 0x20 || byte >= 0x7f || byte === 0x2e || byte === 0x5c) return false;
  }
  return true;
}
