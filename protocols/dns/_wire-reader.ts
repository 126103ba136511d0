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
    suffixes.begin();
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
   * reading always ends); labels are at most 63 octets, the name at most 255. What a pointer
   * leads to that was read before is not read again (see `suffixes`).
   */
  name(what: string): string {
    const bytes = this.bytes;
    let at = this.at;
    let limit = this.end;
    /** Where the labels being read started: a pointer must lead before it. */
    let runStart = at;
    let jumped = false;
    let wire = 1;
    let text = '';
    const read = suffixes;
    for (;;) {
      if (jumped) {
        const known = read.find(at);
        if (known >= 0) {
          // Read before from `at`, so already checked: the same bytes give the same name.
          wire += read.wireFrom(known, at) - 1;
          if (wire > maxNameLength) this.fail(`${what} longer than ${maxNameLength} octets at offset ${at}`);
          const suffix = read.textFrom(known, at);
          text = text === '' ? suffix : suffix === '' ? text : `${text}.${suffix}`;
          break;
        }
      }
      if (at >= limit) this.fail(`truncated ${what} at offset ${at}`);
      const length = bytes[at] as number;
      if (length === 0) {
        at += 1;
        break;
      }
      read.step(at, text.length, wire);
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
    read.add(text, wire);
    return text;
  }
}

/**
 * The names read so far in the message being decoded, and, for every offset one of their labels
 * or pointers stands at, which name it is part of and where in it: a pointer to such an offset
 * appends the rest of that name (its suffix from there) instead of reading it again. So each
 * offset is read at most once through pointers, however many names point into it or along a chain
 * of pointers to it (a 64 KB message of names pointing into the middle of long names, or along
 * chains of pointers, took seconds to decode when only whole names were kept). Offsets are kept
 * in typed arrays stamped with the message's generation, so a new message forgets the last one's
 * without clearing them. Decoding is synchronous, so one table serves every reader; each reader
 * starts a generation.
 */
const suffixes = {
  generation: 0,
  /**
   * Three cells per offset: the generation that wrote its entry; the name it is part of (its
   * index in `texts` and `wires`); and the length of that name's text before its label, times 256,
   * plus the name's wire length (root octet included) before it.
   */
  cells: new Int32Array(3 * 0x10000),
  /** How many names the message being decoded has read whole. */
  count: 0,
  /** Each name read whole, and its wire length (past `count`: an earlier message's, unused). */
  texts: [] as string[],
  wires: new Int32Array(0x10000),
  /** Forgets the last message's names. */
  begin(): void {
    this.count = 0;
    if (++this.generation === 0x4000_0000) {
      this.cells.fill(0);
      this.generation = 1;
    }
  },
  /** Notes that the label or pointer at `offset` is part of the name to be read whole next. */
  step(offset: number, textBefore: number, wireBefore: number): void {
    const cell = offset * 3;
    if (offset >= 0x10000 || this.cells[cell] === this.generation) return;
    this.cells[cell] = this.generation;
    this.cells[cell + 1] = this.count;
    this.cells[cell + 2] = textBefore * 256 + wireBefore;
  },
  /** Keeps the name read whole. */
  add(text: string, wire: number): void {
    if (this.count === this.wires.length) return; // one name an octet at most: never
    this.texts[this.count] = text;
    this.wires[this.count++] = wire;
  },
  /** The name that a whole name read before has from `offset` on (its index), or -1. */
  find(offset: number): number {
    const cell = offset * 3;
    if (this.cells[cell] !== this.generation) return -1;
    const name = this.cells[cell + 1] as number;
    return name < this.count ? name : -1; // not the name being read
  },
  /** The text of name `name` from `offset` on. */
  textFrom(name: number, offset: number): string {
    const text = this.texts[name] as string;
    const before = (this.cells[offset * 3 + 2] as number) >>> 8;
    return before === 0 ? text : text.slice(before + 1);
  },
  /** The wire length of name `name` from `offset` on, its root octet included. */
  wireFrom(name: number, offset: number): number {
    return (this.wires[name] as number) - ((this.cells[offset * 3 + 2] as number) & 0xff) + 1;
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
