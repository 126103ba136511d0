/**
 * `CommandDecoder`: the server's reading of the control connection, bytes in, commands out
 * (RFC 959 §4.1, §5.3; RFC 2640 for UTF-8 arguments).
 *
 * @module
 */
import { TextDecoder } from 'node:util';
import type { Decoder } from '../../operators/decoder.js';
import { DelimitedDecoder } from '../../operators/delimited.js';
import { asBuffer } from '../../source/_as-buffer.js';
import { LineTooLongError } from '../../source/errors.js';
import { CommandError } from './command-error.js';

/** Options of `CommandDecoder`. */
export interface CommandDecoderOptions {
  /**
   * The longest command line, in octets, not counting its line end. Default 4096, vsftpd's
   * `VSFTP_MAX_COMMAND_LINE` (RFC 959 sets no limit). A cap is required: there is no unlimited
   * setting.
   */
  readonly maxLineLength?: number;
}

/** A command line read: its verb, upper-cased, and its argument. */
export interface FtpCommand {
  readonly type: 'command';
  /** The verb, 3 or 4 ASCII letters, upper-cased: `'STOR'`. */
  readonly verb: string;
  /**
   * Everything after the first space, as sent (spaces kept: `STOR my file.txt` has the argument
   * `'my file.txt'`), decoded as UTF-8; `''` when there is none.
   */
  readonly argument: string;
}

/** A command line refused before it is run: the session answers `error.reply` and reads on. */
export interface RefusedCommand {
  readonly type: 'refused';
  readonly error: CommandError;
}

/** What `CommandDecoder` emits, one per command line, in order. */
export type CommandFrame = FtpCommand | RefusedCommand;

/**
 * Where the Telnet layer is (RFC 854): in plain data, after an IAC, after the IAC
 * WILL/WONT/DO/DONT that an option byte follows, inside a subnegotiation, or after an IAC in one.
 */
type TelnetState = 'data' | 'command' | 'option' | 'subnegotiation' | 'subnegotiation-iac';

/** Whether the decoder reads lines, or drops the rest of a line that was too long. */
type LineState = 'reading' | 'discarding';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;
const WILL = 0xfb;
const verbPattern = /^[A-Za-z]{3,4}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads command lines off an FTP control connection. It never throws on what the client sends:
 * each line becomes a frame, a command or a refusal, and the next line is read whatever the last
 * one was, so a bad line costs the client a 500, not the connection.
 *
 * - A line ends at CR LF (RFC 959), a bare LF (as vsftpd and pyftpdlib accept), or a bare CR. The
 *   CR rule is what lets Python's `ftplib` abort: it sends `ABOR\r\n` as urgent data, and without
 *   `SO_OOBINLINE` (which Node cannot set) the kernel takes the LF out of the stream, so the line
 *   arrives as `ABOR\r` alone. A CR is therefore never part of an argument.
 * - Telnet commands are taken out first (RFC 959 §4.1.3): `IAC IP IAC DM` before `ABOR`, option
 *   negotiations, subnegotiations; `IAC IAC` is the byte 0xFF. An IAC before a byte that is no
 *   Telnet command is dropped alone: that is what is left of `IAC DM` when the DM went as urgent
 *   data and the kernel took it out.
 * - A line over `maxLineLength` is refused (`'too-long'`, 500) as soon as its bytes prove it, and
 *   the rest of it, up to its line end, is dropped: the buffer never holds more than the limit.
 * - The verb is 3 or 4 ASCII letters, else `'syntax'` (500); an empty line is refused the same
 *   way, as vsftpd does. The verb is upper-cased.
 * - The argument is everything after the first space, decoded as UTF-8 with invalid sequences
 *   refused (`'encoding'`, 501; RFC 2640), so no path is ever looked up under a replacement
 *   character.
 *
 * `end` drops an unterminated last line: a client that closes mid-line sent no command.
 *
 * ```text
 * push('USER anonymous\r\nST')   → [command USER 'anonymous']
 * push('OR my file.txt\n')       → [command STOR 'my file.txt']
 * push('ÿôÿòABOR\r\n')           → [command ABOR '']          (IAC IP IAC DM stripped)
 * push('X\r\n')                  → [refused syntax 500]
 * ```
 *
 * @throws RangeError from the constructor, for a `maxLineLength` that is not a non-negative
 * integer.
 * @see CommandError, the refusals' class.
 * @example
 * ```ts
 * import { decode } from 'spindle/operators';
 * import { CommandDecoder } from 'spindle/protocols/ftp';
 *
 * conn.data$.pipe(decode(() => new CommandDecoder())).subscribe((frame) => {
 *   if (frame.type === 'refused') reply(frame.error.reply, frame.error.message);
 *   else run(frame.verb, frame.argument);
 * });
 * ```
 */
export class CommandDecoder implements Decoder<CommandFrame> {
  readonly #maxLineLength: number;
  #lines: DelimitedDecoder;
  #telnet: TelnetState = 'data';
  /** Whether the last data byte was a CR: an LF next (Telnet commands aside) ends no second line. */
  #afterCr = false;
  #state: LineState = 'reading';

  constructor(options: CommandDecoderOptions = {}) {
    this.#maxLineLength = options.maxLineLength ?? 4096;
    this.#lines = new DelimitedDecoder(LF, { maxLength: this.#maxLineLength });
  }

  /**
   * Appends a frame for each command line `chunk` completes (or proves too long) to `frames` and
   * returns it.
   *
   * @example
   * ```ts
   * new CommandDecoder().push(Buffer.from('noop\r\n')); // [{ type: 'command', verb: 'NOOP', argument: '' }]
   * ```
   */
  push(chunk: Uint8Array, frames: CommandFrame[] = []): readonly CommandFrame[] {
    let bytes = this.#plainLines(asBuffer(chunk));
    while (bytes.length > 0) {
      if (this.#state === 'discarding') {
        const at = bytes.indexOf(LF);
        if (at < 0) break;
        this.#state = 'reading';
        bytes = bytes.subarray(at + 1);
        continue;
      }
      const lines: Uint8Array[] = [];
      let rest: Buffer | undefined;
      try {
        this.#lines.push(bytes, lines);
      } catch (error) {
        if (!(error instanceof LineTooLongError)) throw error;
        rest = this.#afterLongLine(bytes, lines.length);
      }
      for (const line of lines) frames.push(command(line));
      if (rest === undefined) break;
      frames.push({
        type: 'refused',
        error: new CommandError('too-long', `command line longer than ${this.#maxLineLength} octets`),
      });
      bytes = rest;
    }
    return frames;
  }

  /**
   * Ends the input: an unterminated last line is dropped, and the decoder is ready for a new
   * connection. Returns `frames` unchanged.
   *
   * @example
   * ```ts
   * const decoder = new CommandDecoder();
   * decoder.push(Buffer.from('QUI'));
   * decoder.end(); // []
   * ```
   */
  end(frames: CommandFrame[] = []): readonly CommandFrame[] {
    this.#lines.end();
    this.#telnet = 'data';
    this.#afterCr = false;
    this.#state = 'reading';
    return frames;
  }

  /**
   * A line over the limit was found in `bytes`, after `complete` lines that were not: starts a
   * new line decoder, and returns the bytes after the long line's end, or an empty Buffer (and
   * drops the rest of the line as it comes) when its end has not arrived.
   */
  #afterLongLine(bytes: Buffer, complete: number): Buffer {
    this.#lines = new DelimitedDecoder(LF, { maxLength: this.#maxLineLength });
    // Each complete line ended at one LF of `bytes`: the long one ends at the next.
    let at = -1;
    for (let n = 0; n <= complete; n++) {
      at = bytes.indexOf(LF, at + 1);
      if (at < 0) break;
    }
    if (at >= 0) return bytes.subarray(at + 1);
    this.#state = 'discarding';
    return bytes.subarray(bytes.length);
  }

  /**
   * The bytes of `chunk` with the Telnet commands taken out and every line end (CR LF, CR or LF)
   * made one LF, in a new Buffer.
   */
  #plainLines(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length);
    let length = 0;
    let state = this.#telnet;
    let afterCr = this.#afterCr;
    for (const byte of chunk) {
      if (state === 'command') {
        if (byte === IAC) {
          out[length++] = IAC;
          afterCr = false;
          state = 'data';
          continue;
        }
        if (byte >= SE) {
          state = byte === SB ? 'subnegotiation' : byte >= WILL ? 'option' : 'data';
          continue;
        }
        // No Telnet command: what is left of IAC DM once the kernel took the urgent DM out.
        state = 'data';
      } else if (state === 'option') {
        state = 'data';
        continue;
      } else if (state === 'subnegotiation') {
        if (byte === IAC) state = 'subnegotiation-iac';
        continue;
      } else if (state === 'subnegotiation-iac') {
        state = byte === SE ? 'data' : 'subnegotiation';
        continue;
      }
      if (byte === IAC) state = 'command';
      else if (byte === CR) {
        out[length++] = LF;
        afterCr = true;
      } else {
        if (byte !== LF || !afterCr) out[length++] = byte;
        afterCr = false;
      }
    }
    this.#telnet = state;
    this.#afterCr = afterCr;
    return out.subarray(0, length);
  }
}

/** The frame for one line (its line end taken off). */
function command(line: Uint8Array): CommandFrame {
  const bytes = asBuffer(line);
  const space = bytes.indexOf(SP);
  const verb = bytes.toString('latin1', 0, space < 0 ? bytes.length : space);
  if (!verbPattern.test(verb)) {
    return {
      type: 'refused',
      error: new CommandError('syntax', 'syntax error: a command is a verb of 3 or 4 letters'),
    };
  }
  const upper = verb.toUpperCase();
  let argument = '';
  if (space >= 0) {
    try {
      argument = utf8.decode(bytes.subarray(space + 1));
    } catch (error) {
      return {
        type: 'refused',
        error: new CommandError('encoding', `the argument of ${upper} is not valid UTF-8`, {
          cause: error,
          verb: upper,
        }),
      };
    }
  }
  return { type: 'command', verb: upper, argument };
}
