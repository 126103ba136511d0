/**
 * `ReplyReader`: the SMTP client's sans-I/O reading of a server's replies.
 *
 * @module
 */
import type { Decoder } from '../../operators/decoder.js';
import { LineDecoder } from '../../operators/lines.js';
import { LineTooLongError } from '../../source/errors.js';
import { type ServerReply, SMTPReplyError } from './smtp-error.js';

/** Limits of `ReplyReader`, in octets. */
export interface ReplyLimits {
  /** The longest reply line without its line end. Default 4096 (RFC 5321 asks servers for 512). */
  readonly maxLineLength?: number;
  /** The longest reply, lines and line ends together. Default 64 KiB. */
  readonly maxReplyLength?: number;
}

/** Between replies, or inside a multi-line one: its code, its lines so far and their size. */
type ReaderState =
  | { readonly type: 'between' }
  | { readonly type: 'continued'; readonly code: string; readonly lines: string[]; size: number };

const between: ReaderState = { type: 'between' };
const replyLine = /^([2-5]\d\d)([ -]|$)/;
const enhanced = /^([245])\.(\d{1,3})\.(\d{1,3})(?= |$)/;

/**
 * Reads SMTP replies (RFC 5321 section 4.2): every line is a code, then a hyphen (more lines
 * follow) or a space (the last line), then text. Lines end with CR LF or a bare LF; text is
 * UTF-8 (an SMTPUTF8 server may send it), an invalid sequence read as U+FFFD. A line that is
 * not a reply line, a continuation with another code, or a limit passed throws SMTPReplyError,
 * after the replies before it.
 *
 * ```text
 * push('250-mx.test\r\n250-PIPE')      → []
 * push('LINING\r\n250 SIZE 1000\r\n')  → [{ code: 250, lines: ['mx.test', 'PIPELINING', 'SIZE 1000'] }]
 * ```
 *
 * @example
 * ```ts
 * const replies = new ReplyReader().push(Buffer.from('220 mx.test ESMTP\r\n'));
 * ```
 */
export class ReplyReader implements Decoder<ServerReply> {
  readonly #lines: LineDecoder;
  readonly #maxLineLength: number;
  readonly #maxReplyLength: number;
  #state: ReaderState = between;

  constructor(limits: ReplyLimits = {}) {
    this.#maxLineLength = limits.maxLineLength ?? 4096;
    this.#maxReplyLength = limits.maxReplyLength ?? 64 * 1024;
    this.#lines = new LineDecoder({ delimiter: '\n', maxLength: this.#maxLineLength + 1 });
  }

  /** Appends the replies `chunk` completes to `replies`; throws SMTPReplyError after them. */
  push(chunk: Uint8Array, replies: ServerReply[] = []): readonly ServerReply[] {
    const lines: string[] = [];
    let thrown: { error: unknown } | undefined;
    try {
      this.#lines.push(chunk, lines);
    } catch (error) {
      thrown = { error: error instanceof LineTooLongError ? this.#tooLong() : error };
    }
    for (const line of lines) this.#take(line, replies);
    if (thrown !== undefined) throw thrown.error;
    return replies;
  }

  /** Ends the input; a reply cut short is dropped (the connection is gone anyway). */
  end(replies: ServerReply[] = []): readonly ServerReply[] {
    this.#lines.end();
    this.#state = between;
    return replies;
  }

  #tooLong(): SMTPReplyError {
    return new SMTPReplyError(`the server sent a reply line longer than ${this.#maxLineLength} octets`);
  }

  #take(raw: string, replies: ServerReply[]): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (Buffer.byteLength(line) > this.#maxLineLength) throw this.#tooLong();
    const start = replyLine.exec(line);
    if (start === null) {
      throw new SMTPReplyError(
        `the server sent a line that is not a reply: ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    const code = start[1]!;
    const text = line.slice(4);
    const state = this.#state;
    const size = Buffer.byteLength(raw) + 1;
    let lines: string[];
    if (state.type === 'between') {
      lines = [text];
      if (start[2] === '-') {
        this.#state = { type: 'continued', code, lines, size };
        return;
      }
    } else {
      if (code !== state.code) {
        throw new SMTPReplyError(`a multi-line ${state.code} reply went on with a ${code} line`);
      }
      state.size += size;
      if (state.size > this.#maxReplyLength) {
        throw new SMTPReplyError(`the server sent a reply longer than ${this.#maxReplyLength} octets`);
      }
      state.lines.push(text);
      if (start[2] === '-') return;
      lines = state.lines;
      this.#state = between;
    }
    replies.push(smtpReply(Number(code), lines));
  }
}

/**
 * A reply of `code` with `lines`, its enhanced status code read off the first line.
 *
 * @example
 * ```ts
 * smtpReply(550, ['5.1.1 No such user']).enhancedCode; // '5.1.1'
 * ```
 */
export function smtpReply(code: number, lines: readonly string[]): ServerReply {
  const status = enhanced.exec(lines[0] ?? '');
  const enhancedCode = status !== null && status[1] === String(code)[0] ? status[0] : undefined;
  return { code, enhancedCode, lines, text: lines.join('\n') };
}
