/**
 * `MessageParser`: the byte-level state machine behind `RequestParser` and `ResponseParser`. It
 * scans start lines, header and trailer sections, Content-Length, chunked and until-close bodies;
 * what a head means (its framing, keep-alive, upgrade) is the `HeadBuilder`'s business.
 *
 * @module
 */
import { asBuffer } from '../../source/_as-buffer.js';
import { adoptFields } from './_adopt-fields.js';
import { CR, describeByte, FIELD_CONTENT, HEX, HTAB, LF, SP, TOKEN } from './_chars.js';
import { HttpHeaders } from './headers.js';
import { HttpParseError, HttpTruncatedError } from './http-error.js';
import type { EndEvent, HeadEvent, HttpParserLimits, ParseEvent } from './message.js';

/**
 * Turns a parsed head into its event, or throws HttpParseError. `text` is the head in latin1,
 * without its final CRLF; `spans` holds, per field, the bounds in `text` of its name and of its
 * value (trimmed). For a request, `text[0, first)` is the method and `text[first + 1, second)`
 * the target; for a response, `text[first, second)` is the reason phrase and `status` the code.
 * `minor` is the HTTP/1 minor version (0, or 1 and up for 1.1).
 */
export type HeadBuilder<H> = (
  text: string,
  first: number,
  second: number,
  minor: number,
  status: number,
  spans: number[],
) => HeadEvent<H>;

// The states. Head states come first (START … HEAD_LF), so `state <= HEAD_LF` means "in a head".
const START = 0; // before a start line: empty lines are skipped
const START_LF = 1; // CR of an empty line seen
const METHOD = 2;
const REQUEST_TARGET = 3;
const VERSION = 4; // `#at` counts the bytes of `HTTP/x.y` seen
const STATUS = 5; // `#at` counts the digits seen
const REASON = 6;
const LINE_LF = 7; // CR of the start line seen
const FIELD_START = 8;
const FIELD_NAME = 9;
const FIELD_OWS = 10;
const FIELD_VALUE = 11;
const FIELD_LF = 12;
const HEAD_LF = 13; // CR of the empty line ending the section seen
const BODY = 14; // `#remaining` bytes of a Content-Length body to come
const CHUNK_SIZE = 15; // first digit of a chunk size expected
const CHUNK_DIGITS = 16;
const CHUNK_BWS = 17; // whitespace after the size: a `;` must follow
const CHUNK_EXT = 18;
const CHUNK_LF = 19;
const CHUNK_DATA = 20;
const CHUNK_CR = 21;
const CHUNK_DATA_LF = 22;
const UNTIL_CLOSE = 23;
const PAUSED = 24; // after a message that upgrades: bytes are held, not parsed
const DONE = 25; // after a message that closes the connection: bytes are ignored
const DETACHED = 26;

/** Chunk sizes stay below 2^53, so they are exact numbers. */
const MAX_CHUNK_SIZE = 2 ** 53;
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f];
const END: EndEvent = Object.freeze({ type: 'end' });

/**
 * Reads a limit option: a non-negative integer (or `Infinity` where allowed), else a RangeError.
 *
 * @example
 * ```ts
 * limit('maxHeaders', options.maxHeaders, 100); // options.maxHeaders ?? 100, checked
 * ```
 */
export function limit(name: string, value: number | undefined, fallback: number, infinite = false): number {
  if (value === undefined) return fallback;
  if ((Number.isSafeInteger(value) && value >= 0) || (infinite && value === Number.POSITIVE_INFINITY)) {
    return value;
  }
  throw new RangeError(`${name} must be a non-negative integer, not ${value}`);
}

/**
 * Parses a stream of HTTP/1.1 messages of one kind. `push` appends events and throws
 * HttpParseError at the first bad byte (and again on any later call); `end` says the input is
 * over. Memory is bounded by the limits: only an unfinished head is copied (into a buffer that
 * never outgrows the head limits), body bytes are handed out as views of the chunks pushed.
 *
 * @example
 * ```ts
 * const parser = new MessageParser(true, 8192, {}, buildRequestHead);
 * parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), events);
 * ```
 */
export class MessageParser<H> {
  readonly #request: boolean;
  readonly #build: HeadBuilder<H>;
  readonly #maxStartLine: number;
  readonly #maxHeaderBytes: number;
  readonly #maxHeaders: number;
  readonly #maxBodyBytes: number;
  readonly #maxChunkLine: number;

  #state = START;
  /** The error that stopped the parser, thrown again by every later call. */
  #failure: Error | undefined;

  // The head being scanned is `#carry[0, #carryLen)` followed by the current chunk from `#base`;
  // offsets count from the head's first byte. `#limit` is the offset the current section may
  // not reach (start line, header section, trailer section).
  #carry: Buffer | undefined;
  #carryLen = 0;
  #base = 0;
  #limit = 0;
  #skipped = 0;
  #trailers = false;
  #at = 0;
  #major = 0;
  #minor = 0;
  #status = 0;
  #first = 0;
  #second = 0;
  /** Per field: name start, name end (the colon), value start, value end (the CR). */
  readonly #marks: number[] = [];
  #fields = 0;

  #length = 0;
  #remaining = 0;
  #received = 0;
  #chunkLine = 0;
  #keepAlive = true;
  #upgrade = false;
  #held: Buffer[] = [];
  #heldBytes = 0;

  constructor(request: boolean, maxStartLine: number, limits: HttpParserLimits, build: HeadBuilder<H>) {
    this.#request = request;
    this.#build = build;
    this.#maxStartLine = maxStartLine;
    this.#maxHeaderBytes = limit('maxHeaderBytes', limits.maxHeaderBytes, 16384);
    this.#maxHeaders = limit('maxHeaders', limits.maxHeaders, 100);
    this.#maxBodyBytes = limit('maxBodyBytes', limits.maxBodyBytes, Number.POSITIVE_INFINITY, true);
    this.#maxChunkLine = limit('maxChunkLine', limits.maxChunkLine, 4096);
  }

  /** Whether the parser is partway through a head (a start line or fields, not yet complete). */
  get readingHead(): boolean {
    return this.#state > START_LF && this.#state <= HEAD_LF;
  }

  /** Whether the parser holds bytes after a message that upgrades the connection. */
  get paused(): boolean {
    return this.#state === PAUSED;
  }

  /** Parses `chunk`, appending events to `events`. */
  push(chunk: Uint8Array, events: ParseEvent<H>[]): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#state === DETACHED)
      throw new Error('push() after detach(): the connection no longer speaks HTTP');
    try {
      this.#consume(asBuffer(chunk), events);
    } catch (error) {
      this.#failure = error as Error;
      throw error;
    }
  }

  /** Ends the input: an until-close body ends; a message cut short throws HttpTruncatedError. */
  end(events: ParseEvent<H>[]): void {
    if (this.#failure !== undefined) throw this.#failure;
    const state = this.#state;
    if (state === DETACHED) return;
    if (state === UNTIL_CLOSE) events.push(END);
    else if (state > START_LF && state < UNTIL_CLOSE) {
      this.#failure = new HttpTruncatedError(this.#truncation(state));
      throw this.#failure;
    }
    this.#state = START;
    this.#carry = undefined;
    this.#carryLen = 0;
    this.#skipped = 0;
    this.#held = [];
    this.#heldBytes = 0;
  }

  /** Parses the bytes held since the upgrading message as HTTP again. */
  resume(events: ParseEvent<H>[]): void {
    if (this.#state !== PAUSED) return;
    const held = Buffer.concat(this.#held);
    this.#held = [];
    this.#heldBytes = 0;
    this.#state = START;
    this.push(held, events);
  }

  /** Hands over the bytes held since the upgrading message; the parser takes no more input. */
  detach(): Uint8Array {
    if (this.#state !== PAUSED) throw new Error('detach(): no message has upgraded the connection');
    const held = Buffer.concat(this.#held);
    this.#held = [];
    this.#heldBytes = 0;
    this.#state = DETACHED;
    return held;
  }

  #consume(buf: Buffer, events: ParseEvent<H>[]): void {
    const end = buf.length;
    let i = 0;
    while (i < end) {
      const state = this.#state;
      if (state <= HEAD_LF) i = this.#head(buf, i, end, events);
      else if (state === BODY) i = this.#body(buf, i, end, events);
      else if (state <= CHUNK_DATA_LF) i = this.#chunked(buf, i, end, events);
      else if (state === UNTIL_CLOSE) i = this.#untilClose(buf, i, end, events);
      else if (state === PAUSED) i = this.#hold(buf, i, end);
      else return; // DONE: the connection closes after the last message; what follows is ignored
    }
    if (this.#state > START_LF && this.#state <= HEAD_LF) this.#keep(buf, end);
  }

  /** Scans a start line and header section (or a trailer section) from `i`; returns where it stopped. */
  #head(buf: Buffer, i: number, end: number, events: ParseEvent<H>[]): number {
    let state = this.#state;
    if (state <= START_LF) {
      for (; i < end; i++) {
        const byte = buf[i]!;
        if (state === START_LF) {
          if (byte !== LF)
            throw this.#error(`bare CR (${describeByte(byte)} after it) before the start line`);
          state = START;
        } else if (byte === CR) {
          state = START_LF;
        } else if (byte === LF) {
          throw this.#error('bare LF before the start line');
        } else {
          break;
        }
        if (++this.#skipped > this.#maxStartLine)
          throw this.#error('too many empty lines before the start line');
      }
      if (i === end) {
        this.#state = state;
        return end;
      }
      this.#startSection(i, this.#maxStartLine + 2);
      this.#trailers = false;
      this.#at = 0;
      state = this.#request ? METHOD : VERSION;
    }
    const marks = this.#marks;
    const token = TOKEN;
    for (;;) {
      const shift = this.#carryLen - this.#base; // offset of buf[i] = i + shift
      const stop = Math.min(end, this.#limit - shift);
      if (i >= stop) {
        this.#state = state;
        if (i < end) throw this.#tooLong(state);
        return i;
      }
      if (state < FIELD_START) {
        switch (state) {
          case METHOD: {
            while (i < stop && token[buf[i]!] === 1) i++;
            if (i === stop) continue;
            if (buf[i] !== SP || i + shift === 0) throw this.#invalid(buf[i]!, 'the method', i + shift);
            this.#first = i + shift;
            state = REQUEST_TARGET;
            i++;
            continue;
          }
          case REQUEST_TARGET: {
            for (; i < stop; i++) {
              const byte = buf[i]!;
              if (byte <= SP || byte >= 0x7f) break; // not visible ASCII (TARGET, by comparison)
            }
            if (i === stop) continue;
            if (buf[i] !== SP || i + shift === this.#first + 1) {
              throw this.#invalid(buf[i]!, 'the request target', i + shift);
            }
            this.#second = i + shift;
            state = VERSION;
            i++;
            continue;
          }
          case VERSION: {
            const byte = buf[i]!;
            const at = this.#at++;
            if (
              at < 5
                ? byte !== HTTP_SLASH[at]
                : at === 6
                  ? byte !== 0x2e
                  : at < 8 && (byte < 0x30 || byte > 0x39)
            ) {
              throw this.#error(
                `invalid HTTP version: ${describeByte(byte)} at byte ${at + 1} of 'HTTP/x.y'`,
              );
            }
            if (at === 5) this.#major = byte - 0x30;
            else if (at === 7) this.#minor = byte - 0x30;
            else if (at === 8) {
              if (this.#major !== 1) {
                throw new HttpParseError(
                  505,
                  `HTTP/${this.#major}.${this.#minor} is not supported (only HTTP/1.x)`,
                );
              }
              if (this.#request) {
                if (byte !== CR) {
                  throw this.#error(
                    byte === LF
                      ? 'bare LF after the HTTP version'
                      : `${describeByte(byte)} after the HTTP version, not CRLF`,
                  );
                }
                state = LINE_LF;
              } else {
                if (byte !== SP)
                  throw this.#error(`${describeByte(byte)} after the HTTP version, not a space`);
                this.#at = 0;
                this.#status = 0;
                state = STATUS;
              }
            }
            i++;
            continue;
          }
          case STATUS: {
            const byte = buf[i]!;
            if (this.#at < 3) {
              if (byte < 0x30 || byte > 0x39) throw this.#error(`invalid status code: ${describeByte(byte)}`);
              this.#status = this.#status * 10 + byte - 0x30;
              this.#at++;
            } else if (this.#status < 100) {
              throw this.#error(`invalid status code ${this.#status}`);
            } else if (byte === SP) {
              this.#first = i + shift + 1;
              state = REASON;
            } else if (byte === CR) {
              this.#first = this.#second = i + shift;
              state = LINE_LF;
            } else {
              throw this.#error(`${describeByte(byte)} after the status code, not a space`);
            }
            i++;
            continue;
          }
          case REASON: {
            while (i < stop && FIELD_CONTENT[buf[i]!] === 1) i++;
            if (i === stop) continue;
            if (buf[i] !== CR) throw this.#invalid(buf[i]!, 'the reason phrase', i + shift);
            this.#second = i + shift;
            state = LINE_LF;
            i++;
            continue;
          }
          case LINE_LF: {
            if (buf[i] !== LF)
              throw this.#error(`bare CR in the ${this.#request ? 'request' : 'status'} line`);
            i++;
            this.#limit = i + shift + this.#maxHeaderBytes;
            this.#fields = 0;
            state = FIELD_START;
            continue;
          }
        }
      }
      // The field states, in order: each step leads into the next, so a field lying whole in
      // the chunk is scanned without going round the loop; running out of bytes (or of the
      // section's budget) goes round with the state kept.
      const m = this.#fields * 4;
      if (state === FIELD_START) {
        const byte = buf[i]!;
        if (token[byte] !== 1) {
          if (byte !== CR) throw this.#badFieldStart(byte, i + shift);
          state = HEAD_LF;
          i++;
          continue;
        }
        if (this.#fields === this.#maxHeaders) {
          throw new HttpParseError(
            431,
            `more than ${this.#maxHeaders} fields in the ${this.#section()} section`,
          );
        }
        marks[m] = i + shift;
        i++;
        state = FIELD_NAME;
      }
      if (state === FIELD_NAME) {
        while (i < stop && token[buf[i]!] === 1) i++;
        if (i === stop) continue;
        if (buf[i] !== 0x3a) throw this.#badFieldName(buf, buf[i]!, i + shift);
        marks[m + 1] = i + shift;
        i++;
        state = FIELD_OWS;
      }
      if (state === FIELD_OWS) {
        while (i < stop && (buf[i] === SP || buf[i] === HTAB)) i++;
        if (i === stop) continue;
        marks[m + 2] = i + shift;
        state = FIELD_VALUE;
      }
      if (state === FIELD_VALUE) {
        // FIELD_CONTENT, by comparison rather than table: the hottest loop of the parser
        for (; i < stop; i++) {
          const byte = buf[i]!;
          if (byte < 0x20 ? byte !== HTAB : byte === 0x7f) break;
        }
        if (i === stop) continue;
        if (buf[i] !== CR)
          throw this.#invalid(buf[i]!, `the value of ${this.#name(buf, marks[m + 1]!)}`, i + shift);
        marks[m + 3] = i + shift;
        i++;
        state = FIELD_LF;
        if (i === stop) continue;
      }
      if (state === FIELD_LF) {
        if (buf[i] !== LF) throw this.#error(`bare CR in the value of ${this.#name(buf, marks[m + 1]!)}`);
        this.#fields++;
        i++;
        state = FIELD_START;
        continue;
      }
      // HEAD_LF
      if (buf[i] !== LF) throw this.#error(`bare CR at the end of the ${this.#section()} section`);
      i++;
      return this.#finishHead(buf, i, i + shift - 2, events);
    }
  }

  #badFieldStart(byte: number, offset: number): HttpParseError {
    if (byte !== SP && byte !== HTAB) return this.#invalid(byte, 'a field name', offset);
    return this.#error(
      this.#fields === 0
        ? `whitespace before the first field of the ${this.#section()} section`
        : `obsolete line folding (obs-fold) in the ${this.#section()} section`,
    );
  }

  #badFieldName(buf: Buffer, byte: number, offset: number): HttpParseError {
    if (byte === SP || byte === HTAB) {
      return this.#error(`whitespace between the field name ${this.#name(buf, offset)} and its colon`);
    }
    if (byte === CR || byte === LF) return this.#error(`field ${this.#name(buf, offset)} has no colon`);
    return this.#invalid(byte, 'a field name', offset);
  }

  /** The head is complete (`buf[i - 1]` is its last LF, `textEnd` the offset of its last CR). */
  #finishHead(buf: Buffer, i: number, textEnd: number, events: ParseEvent<H>[]): number {
    let text: string;
    if (this.#carryLen === 0) {
      text = buf.toString('latin1', this.#base, this.#base + textEnd);
    } else {
      this.#keep(buf, i);
      text = this.#carry!.toString('latin1', 0, textEnd);
    }
    this.#carry = undefined;
    this.#carryLen = 0;
    const spans = this.#marks.slice(0, this.#fields * 4);
    for (let at = 3; at < spans.length; at += 4) {
      const start = spans[at - 1]!;
      let stop = spans[at]!;
      while (stop > start && (text.charCodeAt(stop - 1) === SP || text.charCodeAt(stop - 1) === HTAB)) stop--;
      spans[at] = stop;
    }
    if (this.#trailers) {
      events.push(
        spans.length === 0 ? END : { type: 'end', trailers: HttpHeaders[adoptFields](text, spans) },
      );
      this.#messageDone();
      return i;
    }
    const event = this.#build(text, this.#first, this.#second, this.#minor, this.#status, spans);
    const framing = event.framing;
    if (framing.kind === 'length' && framing.length > this.#maxBodyBytes) {
      throw new HttpParseError(
        413,
        `Content-Length ${framing.length} is over the limit of ${this.#maxBodyBytes} bytes`,
      );
    }
    events.push(event);
    if (event.interim === true) {
      this.#state = START;
      this.#skipped = 0;
      return i;
    }
    this.#keepAlive = event.keepAlive;
    this.#upgrade = event.upgrade === true;
    this.#received = 0;
    if (framing.kind === 'chunked') {
      this.#state = CHUNK_SIZE;
    } else if (framing.kind === 'until-close') {
      this.#state = UNTIL_CLOSE;
    } else if (framing.kind === 'length' && framing.length > 0) {
      this.#length = this.#remaining = framing.length;
      this.#state = BODY;
    } else {
      events.push(END);
      this.#messageDone();
    }
    return i;
  }

  #messageDone(): void {
    this.#state = this.#upgrade ? PAUSED : this.#keepAlive ? START : DONE;
    this.#skipped = 0;
  }

  #body(buf: Buffer, i: number, end: number, events: ParseEvent<H>[]): number {
    const n = Math.min(this.#remaining, end - i);
    events.push({ type: 'body', data: buf.subarray(i, i + n) });
    this.#remaining -= n;
    if (this.#remaining === 0) {
      events.push(END);
      this.#messageDone();
    }
    return i + n;
  }

  #chunked(buf: Buffer, i: number, end: number, events: ParseEvent<H>[]): number {
    let state = this.#state;
    while (i < end) {
      switch (state) {
        case CHUNK_SIZE: {
          const digit = HEX[buf[i]!]!;
          if (digit < 0) throw this.#error(`invalid chunk size: ${describeByte(buf[i]!)}`);
          this.#remaining = digit;
          this.#chunkLine = 1;
          state = CHUNK_DIGITS;
          i++;
          continue;
        }
        case CHUNK_DIGITS: {
          let size = this.#remaining;
          for (; i < end; i++) {
            const digit = HEX[buf[i]!]!;
            if (digit < 0) break;
            if (size >= MAX_CHUNK_SIZE / 16) throw this.#error('chunk size overflows');
            size = size * 16 + digit;
            if (++this.#chunkLine > this.#maxChunkLine) throw this.#chunkLineTooLong();
          }
          this.#remaining = size;
          if (i === end) continue;
          this.#received += size;
          if (this.#received > this.#maxBodyBytes) {
            throw new HttpParseError(413, `chunked body over the limit of ${this.#maxBodyBytes} bytes`);
          }
          const byte = buf[i]!;
          i++;
          if (byte === CR) {
            state = CHUNK_LF;
            continue;
          }
          if (byte === 0x3b) state = CHUNK_EXT;
          else if (byte === SP || byte === HTAB) state = CHUNK_BWS;
          else throw this.#error(`invalid chunk size: ${describeByte(byte)} after the digits`);
          if (++this.#chunkLine > this.#maxChunkLine) throw this.#chunkLineTooLong();
          continue;
        }
        case CHUNK_BWS: {
          const byte = buf[i]!;
          if (byte === 0x3b) state = CHUNK_EXT;
          else if (byte !== SP && byte !== HTAB) {
            throw this.#error(
              `${describeByte(byte)} after whitespace after a chunk size (only ';' may follow)`,
            );
          }
          i++;
          if (++this.#chunkLine > this.#maxChunkLine) throw this.#chunkLineTooLong();
          continue;
        }
        case CHUNK_EXT: {
          const stop = Math.min(end, i + this.#maxChunkLine - this.#chunkLine);
          const from = i;
          while (i < stop && FIELD_CONTENT[buf[i]!] === 1) i++;
          this.#chunkLine += i - from;
          if (i === end) continue;
          const byte = buf[i]!;
          if (byte !== CR) {
            if (FIELD_CONTENT[byte] === 1) throw this.#chunkLineTooLong();
            throw this.#error(`invalid character ${describeByte(byte)} in a chunk extension`);
          }
          state = CHUNK_LF;
          i++;
          continue;
        }
        case CHUNK_LF: {
          if (buf[i] !== LF) throw this.#error('bare CR after a chunk size');
          i++;
          if (this.#remaining === 0) {
            this.#startSection(i, this.#maxHeaderBytes);
            this.#trailers = true;
            this.#fields = 0;
            this.#state = FIELD_START;
            return i;
          }
          state = CHUNK_DATA;
          continue;
        }
        case CHUNK_DATA: {
          const n = Math.min(this.#remaining, end - i);
          events.push({ type: 'body', data: buf.subarray(i, i + n) });
          this.#remaining -= n;
          i += n;
          if (this.#remaining === 0) state = CHUNK_CR;
          continue;
        }
        case CHUNK_CR: {
          if (buf[i] !== CR) throw this.#error('chunk data longer than its size (no CRLF after it)');
          state = CHUNK_DATA_LF;
          i++;
          continue;
        }
        default: {
          // CHUNK_DATA_LF
          if (buf[i] !== LF) throw this.#error('bare CR after chunk data');
          state = CHUNK_SIZE;
          i++;
        }
      }
    }
    this.#state = state;
    return i;
  }

  #untilClose(buf: Buffer, i: number, end: number, events: ParseEvent<H>[]): number {
    const allowed = this.#maxBodyBytes - this.#received;
    const n = Math.min(end - i, allowed);
    if (n > 0) events.push({ type: 'body', data: buf.subarray(i, i + n) });
    this.#received += n;
    if (n < end - i) throw new HttpParseError(413, `body over the limit of ${this.#maxBodyBytes} bytes`);
    return end;
  }

  #hold(buf: Buffer, i: number, end: number): number {
    this.#heldBytes += end - i;
    if (this.#heldBytes > this.#maxHeaderBytes) {
      throw this.#error(
        `more than ${this.#maxHeaderBytes} bytes after an upgrading message before its answer`,
      );
    }
    this.#held.push(Buffer.from(buf.subarray(i, end)));
    return end;
  }

  /** A head or trailer section starts at `buf[i]`; it may hold `max` bytes. */
  #startSection(i: number, max: number): void {
    this.#base = i;
    this.#carryLen = 0;
    this.#limit = max;
  }

  /** Copies `buf[#base, end)` after the carried bytes: the chunk ends inside a head. */
  #keep(buf: Buffer, end: number): void {
    const needed = this.#carryLen + end - this.#base;
    this.#base = 0;
    if (needed === this.#carryLen) return;
    let carry = this.#carry;
    if (carry === undefined || carry.length < needed) {
      const most = this.#maxStartLine + 2 + this.#maxHeaderBytes;
      const grown = Buffer.allocUnsafe(
        Math.max(needed, Math.min(most, Math.max(256, (carry?.length ?? 0) * 2))),
      );
      carry?.copy(grown, 0, 0, this.#carryLen);
      this.#carry = carry = grown;
    }
    buf.copy(carry, this.#carryLen, end - (needed - this.#carryLen), end);
    this.#carryLen = needed;
  }

  #section(): string {
    return this.#trailers ? 'trailer' : 'header';
  }

  /** The name of the field being scanned, quoted, for error messages (`nameEnd` is an offset). */
  #name(buf: Buffer, nameEnd: number): string {
    const start = this.#marks[this.#fields * 4]!;
    const carryLen = this.#carryLen;
    let name = start < carryLen ? this.#carry!.toString('latin1', start, Math.min(nameEnd, carryLen)) : '';
    if (nameEnd > carryLen) {
      name += buf.toString(
        'latin1',
        Math.max(start, carryLen) - carryLen + this.#base,
        nameEnd - carryLen + this.#base,
      );
    }
    return JSON.stringify(name);
  }

  #error(message: string): HttpParseError {
    return new HttpParseError(400, message);
  }

  #invalid(byte: number, where: string, offset: number): HttpParseError {
    const kind =
      byte === CR ? 'bare CR' : byte === LF ? 'bare LF' : `invalid character ${describeByte(byte)}`;
    const hint = offset === 0 && byte === 0x16 ? ' (a TLS handshake sent to a plain HTTP port?)' : '';
    return this.#error(
      `${kind} in ${where}, at byte ${offset} of the ${this.#trailers ? 'trailers' : 'head'}${hint}`,
    );
  }

  #tooLong(state: number): HttpParseError {
    if (state < FIELD_START) {
      return this.#request
        ? new HttpParseError(414, `request line longer than ${this.#maxStartLine} bytes`)
        : this.#error(`status line longer than ${this.#maxStartLine} bytes`);
    }
    return new HttpParseError(431, `${this.#section()} section larger than ${this.#maxHeaderBytes} bytes`);
  }

  #chunkLineTooLong(): HttpParseError {
    return this.#error(`chunk size line longer than ${this.#maxChunkLine} bytes`);
  }

  #truncation(state: number): string {
    if (state < BODY) return `input ended inside a ${this.#trailers ? 'trailer section' : 'message head'}`;
    if (state === BODY)
      return `input ended ${this.#length - this.#remaining} bytes into a ${this.#length}-byte body`;
    return 'input ended inside a chunked body, before its last chunk';
  }
}
