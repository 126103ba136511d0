/**
 * FTP replies (RFC 959 §4.2): `formatReply`, the server's writing of one, and `ReplyDecoder`,
 * the client's reading of them.
 *
 * @module
 */
import type { Decoder } from '../../operators/decoder.js';
import { LineDecoder } from '../../operators/lines.js';
import { LineTooLongError } from '../../source/errors.js';
import { oneLine } from './_one-line.js';
import { ReplyError } from './reply-error.js';

/**
 * The bytes of a reply: `code` and `text` on one line (`227 Entering Passive Mode (…)\r\n`), or,
 * for several lines, the multi-line form of RFC 959 §4.2: the first line after `code-`, each
 * middle line after one space, the last after `code ` (`211-Features:\r\n UTF8\r\n211 End\r\n`).
 * A middle line therefore never starts with a digit, so it cannot pass for the end, and it has
 * the one leading space FEAT (RFC 2389 §3.2) and MLST (RFC 3659 §7.2) want: pass `'UTF8'`, not
 * `' UTF8'`. One line given as an array is written on one line too; no lines is an empty text.
 *
 * Text is written as UTF-8 (RFC 2640). A CR or LF in it, as in a file name a client chose, cannot
 * end a line: a CR is written CR NUL (Telnet's spelling, RFC 2640 §3.1) and an LF NUL (as vsftpd),
 * so `550 a\r\n226 Done` stays one 550 reply.
 *
 * ```text
 * formatReply(200, 'OK')                           → '200 OK\r\n'
 * formatReply(211, ['Features:', 'UTF8', 'End'])   → '211-Features:\r\n UTF8\r\n211 End\r\n'
 * ```
 *
 * @throws RangeError for a code that is not an integer from 100 to 599.
 * @example
 * ```ts
 * conn.write(formatReply(257, '"/pub" is the current directory'));
 * ```
 */
export function formatReply(code: number, text: string | readonly string[]): Buffer {
  if (!Number.isInteger(code) || code < 100 || code > 599) {
    throw new RangeError(`a reply code is an integer from 100 to 599, not ${code}`);
  }
  const lines = typeof text === 'string' ? [text] : text.length === 0 ? [''] : text;
  const last = lines.length - 1;
  let out = '';
  lines.forEach((line, n) => {
    const head = n === last ? `${code} ` : n === 0 ? `${code}-` : ' ';
    out += `${head}${oneLine(line)}\r\n`;
  });
  return Buffer.from(out, 'utf8');
}

/** A reply read by `ReplyDecoder`. */
export interface FtpReply {
  /** The reply code: `227`. */
  readonly code: number;
  /**
   * The text of each line: the first and the last without their code and separator, the middle
   * lines of a multi-line reply as sent (servers start them with a space, or with `code-`).
   */
  readonly lines: readonly string[];
  /** The lines joined with `'\n'`. */
  readonly text: string;
}

/** Options of `ReplyDecoder`. */
export interface ReplyDecoderOptions {
  /** The longest line, in octets, not counting its line end. Default 8192. */
  readonly maxLineLength?: number;
  /**
   * The longest reply, in octets, over all its lines and their line ends. Default 1 MiB (a
   * STAT listing comes on the control connection).
   */
  readonly maxReplyLength?: number;
}

/** Between replies, or inside a multi-line one: its code, its lines so far and their size. */
type ReplyState =
  | { readonly type: 'between' }
  | { readonly type: 'multi-line'; readonly code: string; readonly lines: string[]; length: number };

const between: ReplyState = { type: 'between' };
const firstLine = /^([1-5]\d\d)([ -]|$)/;

/**
 * Reads replies off an FTP control connection, as a client does: one `FtpReply` per reply,
 * multi-line replies whole (RFC 959 §4.2: the reply ends at a line starting with the same code
 * and a space, or the bare code). Lines end with CR LF or a bare LF; text is UTF-8, an invalid
 * sequence becoming U+FFFD, and CR NUL is read back as CR.
 *
 * Anything else throws ReplyError, after the replies before it: a line that starts no reply
 * (`'syntax'`), a line over its limit (`'too-long'`, as soon as the bytes prove it) or a reply over
 * its limit (`'too-long'`, at the line that passes it),
 * the input ending inside a multi-line reply (`'truncated'`, from `end`). The connection cannot
 * be trusted past it: drop it.
 *
 * ```text
 * push('220 Hi\r\n211-Features:\r\n UTF8\r') → [{ code: 220, lines: ['Hi'] }]
 * push('\n211 End\r\n')                       → [{ code: 211, lines: ['Features:', ' UTF8', 'End'] }]
 * ```
 *
 * @throws ReplyError from `push` and `end`; RangeError from the constructor, for a limit that is
 * not a non-negative integer.
 * @example
 * ```ts
 * import { decode } from 'spindle/operators';
 * import { ReplyDecoder } from 'spindle/protocols/ftp';
 *
 * conn.data$.pipe(decode(() => new ReplyDecoder())).subscribe((reply) => console.log(reply.code));
 * ```
 */
export class ReplyDecoder implements Decoder<FtpReply> {
  readonly #lines: LineDecoder;
  readonly #maxLineLength: number;
  readonly #maxReplyLength: number;
  #state: ReplyState = between;

  constructor(options: ReplyDecoderOptions = {}) {
    this.#maxLineLength = options.maxLineLength ?? 8192;
    this.#maxReplyLength = options.maxReplyLength ?? 1024 * 1024;
    if (!Number.isSafeInteger(this.#maxReplyLength) || this.#maxReplyLength < 0) {
      throw new RangeError(`maxReplyLength must be a non-negative integer, not ${this.#maxReplyLength}`);
    }
    // One more octet for the CR of CR LF; a line without it is checked against the limit below.
    this.#lines = new LineDecoder({ delimiter: '\n', maxLength: this.#maxLineLength + 1 });
  }

  /**
   * Appends the replies `chunk` completes to `replies` and returns it.
   *
   * @throws ReplyError at a line that starts no reply, or past a limit.
   * @example
   * ```ts
   * new ReplyDecoder().push(Buffer.from('200 OK\r\n')); // [{ code: 200, lines: ['OK'], text: 'OK' }]
   * ```
   */
  push(chunk: Uint8Array, replies: FtpReply[] = []): readonly FtpReply[] {
    const lines: string[] = [];
    let failure: { error: unknown } | undefined;
    try {
      this.#lines.push(chunk, lines);
    } catch (error) {
      failure = {
        error:
          error instanceof LineTooLongError
            ? new ReplyError('too-long', `reply line longer than ${this.#maxLineLength} octets`)
            : error,
      };
    }
    for (const line of lines) this.#line(line, replies);
    if (failure !== undefined) throw failure.error;
    return replies;
  }

  /**
   * Ends the input, and readies the decoder for a new connection. Returns `replies` unchanged.
   *
   * @throws ReplyError (`'truncated'`) when the input ended inside a multi-line reply.
   * @example
   * ```ts
   * new ReplyDecoder().end(); // []
   * ```
   */
  end(replies: FtpReply[] = []): readonly FtpReply[] {
    this.#lines.end();
    const state = this.#state;
    this.#state = between;
    if (state.type === 'multi-line') {
      throw new ReplyError('truncated', `the input ended inside a multi-line ${state.code} reply`);
    }
    return replies;
  }

  /** Takes one line (without its LF). */
  #line(raw: string, replies: FtpReply[]): void {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (Buffer.byteLength(line) > this.#maxLineLength) {
      throw new ReplyError('too-long', `reply line longer than ${this.#maxLineLength} octets`);
    }
    if (line.includes('\r\0')) line = line.replace(/\r\0/g, '\r');
    const state = this.#state;
    if (state.type === 'between') {
      const start = firstLine.exec(line);
      if (start === null) throw new ReplyError('syntax', 'a reply line does not start with a reply code');
      const code = start[1]!;
      const text = line.slice(4);
      if (start[2] === '-') {
        this.#state = { type: 'multi-line', code, lines: [text], length: Buffer.byteLength(raw) + 1 };
      } else replies.push(reply(code, [text]));
      return;
    }
    state.length += Buffer.byteLength(raw) + 1;
    if (state.length > this.#maxReplyLength) {
      throw new ReplyError('too-long', `multi-line reply longer than ${this.#maxReplyLength} octets`);
    }
    const ends = line.startsWith(state.code) && (line.length === 3 || line[3] === ' ');
    if (!ends) {
      state.lines.push(line);
      return;
    }
    state.lines.push(line.slice(4));
    this.#state = between;
    replies.push(reply(state.code, state.lines));
  }
}

function reply(code: string, lines: readonly string[]): FtpReply {
  return { code: Number(code), lines, text: lines.join('\n') };
}
