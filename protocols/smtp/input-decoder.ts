/**
 * `SmtpInputDecoder`: a server's reading of an SMTP connection, bytes in, frames out: command
 * lines, DATA's message text (dot-unstuffed, smuggling-safe) and BDAT's chunks (RFC 5321 section
 * 4.5.2, RFC 3030).
 *
 * @module
 */
import { TextDecoder } from 'node:util';
import { asBuffer } from '../../source/_as-buffer.js';

/** Options of `SmtpInputDecoder`. */
export interface SmtpInputDecoderOptions {
  /** The longest command line, in octets, its CR LF included. Default 512 (RFC 5321 section 4.5.3.1.4). */
  readonly maxCommandLength?: number;
  /** The longest line of DATA's text, in octets, its CR LF included. Default 1000 (section 4.5.3.1.6). */
  readonly maxTextLineLength?: number;
}

/** Why a command line is refused before it is read: over the limit, not UTF-8, or a CR or NUL in it. */
export type RefusedLineReason = 'too-long' | 'encoding' | 'syntax';

/** Why DATA's text is refused: a bare CR or LF in it (the smuggling class), or a line over the limit. */
export type TextErrorReason = 'bare-newline' | 'line-too-long';

/**
 * What the decoder emits:
 * - `command`: a command line: its verb as sent (the whole line when it has no space, as a SASL
 *   response) and its argument (what follows the first space, UTF-8);
 * - `refused`: a command line that cannot be read (the server answers 500 and reads on);
 * - `text` … `text-end`: DATA's message, dot-unstuffed, CR LF kept; the terminating `.` line is
 *   not part of it. `text-error` comes once, as soon as the text proves bad; no `text` follows it
 *   before `text-end`;
 * - `chunk` … `chunk-end`: the octets of one BDAT chunk, as sent.
 */
export type SmtpInputFrame =
  | { readonly type: 'command'; readonly verb: string; readonly argument: string }
  | { readonly type: 'refused'; readonly reason: RefusedLineReason }
  | { readonly type: 'text'; readonly data: Uint8Array }
  | { readonly type: 'text-error'; readonly reason: TextErrorReason }
  | { readonly type: 'text-end' }
  | { readonly type: 'chunk'; readonly data: Uint8Array }
  | { readonly type: 'chunk-end' };

/**
 * What the decoder reads now: command lines; the rest of a command line over the limit; nothing
 * (input after DATA or STARTTLS is held until the server decides); DATA's text; a BDAT chunk.
 */
type InputMode =
  | { readonly name: 'command' }
  | { readonly name: 'discarding' }
  | { readonly name: 'held' }
  | { readonly name: 'text'; lineStart: boolean; lineLength: number; failed: boolean }
  | { readonly name: 'chunk'; left: number };

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const SP = 0x20;
const bdatPattern = /^(\d{1,15})( +LAST)? *$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const empty = Buffer.alloc(0);
const command: InputMode = { name: 'command' };

/**
 * Reads an SMTP server's input. It never throws on what the client sends: a bad command line is
 * a `refused` frame, and the next line is read whatever it was.
 *
 * - Command lines end at LF, a CR before it dropped; DATA, STARTTLS and BDAT are known in any case; one with another CR or a NUL in it is
 *   refused (`syntax`), as is one over `maxCommandLength` (`too-long`, as soon as its bytes prove
 *   it; the rest of it is dropped as it comes, so the decoder holds at most the limit).
 * - After a `DATA` or `STARTTLS` line the decoder holds what follows (the server has to answer
 *   first): `startText` reads it as the message (after `354`), `resume` as commands again (DATA
 *   refused), `discardHeld` drops it (after STARTTLS's `220`: what the client sent in the clear
 *   after STARTTLS is never read as commands, the CVE-2011-0411 class).
 * - A `BDAT n [LAST]` line is followed by exactly `n` octets, whatever the server answers, so
 *   the decoder reads them as a chunk at once.
 * - DATA's text ends only at CR LF `.` CR LF (the CR LF of the DATA line counts for a `.` at the
 *   very start). A bare LF or a bare CR ends nothing: `<LF>.<CR><LF>`, `<CR><LF>.<LF>`,
 *   `<CR>.<CR>` and their cousins are text, and the message is refused (`text-error`
 *   `bare-newline`, Postfix's `smtpd_forbid_bare_newline`), so smuggled commands after them are
 *   never read as commands, here or at a next hop. A line over `maxTextLineLength` is refused
 *   too (`line-too-long`). A `.` starting a line is taken off (dot-unstuffing).
 *
 * Text and chunk frames are views of the chunks given (no copy): use them before the chunks'
 * memory is reused.
 *
 * ```text
 * push('MAIL FROM:<a@b>\r\nDATA\r\nSubj') → [command MAIL 'FROM:<a@b>', command DATA '']  (the rest held)
 * startText()                              → [text 'Subj']
 * push('ect: x\r\n..hi\r\n.\r\nQUIT\r\n')  → [text 'ect: x\r\n', text '.hi\r\n', text-end, command QUIT '']
 * ```
 *
 * @throws RangeError from the constructor, for a limit that is not a positive integer.
 * @example
 * ```ts
 * const decoder = new SmtpInputDecoder();
 * for (const frame of decoder.push(chunk)) if (frame.type === 'command') run(frame.verb, frame.argument);
 * ```
 */
export class SmtpInputDecoder {
  readonly #maxCommand: number;
  readonly #maxTextLine: number;
  #mode: InputMode = command;
  /** Bytes received and not read yet (held, or an unfinished line, or a byte or two of lookahead). */
  #pending: Buffer = empty;

  constructor(options: SmtpInputDecoderOptions = {}) {
    this.#maxCommand = limit('maxCommandLength', options.maxCommandLength, 512);
    this.#maxTextLine = limit('maxTextLineLength', options.maxTextLineLength, 1000);
  }

  /** Whether the decoder holds its input after a DATA or STARTTLS line, for the server to decide. */
  get holding(): boolean {
    return this.#mode.name === 'held';
  }

  /** How many bytes the decoder keeps unread. */
  get buffered(): number {
    return this.#pending.length;
  }

  /**
   * Appends the frames `chunk` completes to `frames` and returns it.
   *
   * @example
   * ```ts
   * new SmtpInputDecoder().push(Buffer.from('NOOP\r\n')); // [{ type: 'command', verb: 'NOOP', argument: '' }]
   * ```
   */
  push(chunk: Uint8Array, frames: SmtpInputFrame[] = []): SmtpInputFrame[] {
    const bytes = asBuffer(chunk);
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    return this.#read(frames);
  }

  /**
   * After a held DATA line was answered `354`: what follows is the message's text.
   *
   * @throws TypeError when the decoder is not holding.
   * @example
   * ```ts
   * if (decoder.holding) decoder.startText(frames);
   * ```
   */
  startText(frames: SmtpInputFrame[] = []): SmtpInputFrame[] {
    this.#leaveHold();
    this.#mode = { name: 'text', lineStart: true, lineLength: 0, failed: false };
    return this.#read(frames);
  }

  /**
   * After a held line was answered without switching (DATA refused, or not a command at all):
   * what follows is command lines again.
   *
   * @throws TypeError when the decoder is not holding.
   */
  resume(frames: SmtpInputFrame[] = []): SmtpInputFrame[] {
    this.#leaveHold();
    this.#mode = command;
    return this.#read(frames);
  }

  /**
   * After STARTTLS was answered `220`: drops what was held, and reads command lines again (those
   * that come over TLS).
   *
   * @throws TypeError when the decoder is not holding.
   */
  discardHeld(): void {
    this.#leaveHold();
    this.#mode = command;
    this.#pending = empty;
  }

  /**
   * Ends the input: what is unfinished is dropped (a client that closes mid-line sent no command,
   * and a message cut short is no message). Returns `frames` unchanged.
   */
  end(frames: SmtpInputFrame[] = []): SmtpInputFrame[] {
    this.#pending = empty;
    this.#mode = command;
    return frames;
  }

  #leaveHold(): void {
    if (this.#mode.name !== 'held') throw new TypeError('the SMTP input decoder is not holding input');
  }

  /** Reads what is pending, in the current mode, until it needs more bytes or holds. */
  #read(frames: SmtpInputFrame[]): SmtpInputFrame[] {
    const bytes = this.#pending;
    let at = 0;
    while (at < bytes.length) {
      const mode = this.#mode;
      let next: number;
      if (mode.name === 'held') break;
      if (mode.name === 'command') next = this.#command(bytes, at, frames);
      else if (mode.name === 'discarding') next = this.#discard(bytes, at);
      else if (mode.name === 'chunk') next = this.#chunk(mode, bytes, at, frames);
      else next = this.#text(mode, bytes, at, frames);
      if (next < 0) break;
      at = next;
    }
    // a BDAT 0 line that came last switches to a chunk with nothing in it: it ends at once
    const mode = this.#mode;
    if (mode.name === 'chunk' && mode.left === 0) {
      frames.push({ type: 'chunk-end' });
      this.#mode = command;
    }
    // what is kept is copied: the caller may reuse the chunk's memory once its frames are read
    this.#pending = at >= bytes.length ? empty : Buffer.from(bytes.subarray(at));
    return frames;
  }

  /** Reads one command line from `at`; returns where reading goes on, or -1 for more bytes. */
  #command(bytes: Buffer, at: number, frames: SmtpInputFrame[]): number {
    const max = this.#maxCommand;
    const lf = bytes.indexOf(LF, at);
    if (lf < 0) {
      if (bytes.length - at <= max - 1) return -1;
      frames.push({ type: 'refused', reason: 'too-long' });
      this.#mode = { name: 'discarding' };
      return bytes.length;
    }
    if (lf + 1 - at > max) {
      frames.push({ type: 'refused', reason: 'too-long' });
      return lf + 1;
    }
    const end = lf > at && bytes[lf - 1] === CR ? lf - 1 : lf;
    frames.push(this.#line(bytes.subarray(at, end)));
    return lf + 1;
  }

  /** The frame for one command line (its line end taken off); DATA and STARTTLS hold, BDAT reads its chunk. */
  #line(line: Buffer): SmtpInputFrame {
    if (line.includes(CR) || line.includes(0)) return { type: 'refused', reason: 'syntax' };
    const space = line.indexOf(SP);
    const verb = line.toString('latin1', 0, space < 0 ? line.length : space);
    let argument = '';
    if (space >= 0) {
      try {
        argument = utf8.decode(line.subarray(space + 1));
      } catch {
        return { type: 'refused', reason: 'encoding' };
      }
    }
    const known = verb.length <= 8 ? verb.toUpperCase() : '';
    if (known === 'DATA' || known === 'STARTTLS') this.#mode = { name: 'held' };
    else if (known === 'BDAT') {
      const size = bdatPattern.exec(argument);
      if (size !== null) this.#mode = { name: 'chunk', left: Number(size[1]) };
    }
    return { type: 'command', verb, argument };
  }

  /** Drops the rest of a command line over the limit, up to its LF. */
  #discard(bytes: Buffer, at: number): number {
    const lf = bytes.indexOf(LF, at);
    if (lf < 0) return bytes.length;
    this.#mode = command;
    return lf + 1;
  }

  /** Reads a BDAT chunk's octets. */
  #chunk(mode: { left: number }, bytes: Buffer, at: number, frames: SmtpInputFrame[]): number {
    const take = Math.min(mode.left, bytes.length - at);
    if (take > 0) frames.push({ type: 'chunk', data: bytes.subarray(at, at + take) });
    mode.left -= take;
    if (mode.left > 0) return at + take;
    frames.push({ type: 'chunk-end' });
    this.#mode = command;
    return at + take;
  }

  /**
   * Reads DATA's text from `at`: emits it (dot-unstuffed) up to where it has to wait for more
   * bytes or the text ends; returns where reading goes on, or -1 for more bytes.
   */
  #text(
    mode: { lineStart: boolean; lineLength: number; failed: boolean },
    bytes: Buffer,
    at: number,
    frames: SmtpInputFrame[],
  ): number {
    const length = bytes.length;
    let start = at; // the first byte of text not emitted yet
    let i = at;
    const emit = (end: number): void => {
      if (end > start && !mode.failed) frames.push({ type: 'text', data: bytes.subarray(start, end) });
    };
    const fail = (reason: TextErrorReason): void => {
      if (mode.failed) return;
      emit(i);
      start = i;
      mode.failed = true;
      frames.push({ type: 'text-error', reason });
    };
    while (i < length) {
      if (mode.lineStart) {
        if (bytes[i] === DOT) {
          if (length - i < 2 || (bytes[i + 1] === CR && length - i < 3)) break;
          if (bytes[i + 1] === CR && bytes[i + 2] === LF) {
            emit(i);
            frames.push({ type: 'text-end' });
            this.#mode = command;
            return i + 3;
          }
          emit(i); // the stuffed dot is taken off
          start = i + 1;
          mode.lineLength = 1;
          i++;
        }
        mode.lineStart = false;
      }
      const cr = bytes.indexOf(CR, i);
      const lf = bytes.indexOf(LF, i);
      const stop = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      if (stop < 0) {
        mode.lineLength += length - i;
        i = length;
        if (mode.lineLength > this.#maxTextLine) fail('line-too-long');
        break;
      }
      mode.lineLength += stop - i;
      i = stop;
      // a line already too long before its end is refused for that, as when its end comes later
      if (mode.lineLength > this.#maxTextLine) fail('line-too-long');
      mode.lineLength++;
      if (bytes[i] === LF) {
        fail('bare-newline'); // a bare LF ends no line
        i++;
      } else if (i + 1 === length) {
        mode.lineLength--; // the CR is read again with the byte after it
        break;
      } else if (bytes[i + 1] === LF) {
        i += 2;
        if (mode.lineLength + 1 > this.#maxTextLine) fail('line-too-long');
        mode.lineStart = true;
        mode.lineLength = 0;
      } else {
        fail('bare-newline'); // a bare CR ends no line either
        i++;
      }
      if (mode.lineLength > this.#maxTextLine) fail('line-too-long');
    }
    emit(i);
    return i === at ? -1 : i;
  }
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 3) {
    throw new RangeError(`${name} must be an integer of at least 3 octets, not ${value}`);
  }
  return value;
}
