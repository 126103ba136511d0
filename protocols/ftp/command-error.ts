/**
 * `CommandError`: a command line or a command's argument that the server refuses, with the reply
 * code to answer it with.
 *
 * @module
 */
import { ProtocolError } from '../../source/errors.js';

/**
 * Why a command was refused:
 * - `'too-long'`: the line passed the decoder's limit (answered 500);
 * - `'syntax'`: not a verb of 3 or 4 ASCII letters, optionally followed by a space and an
 *   argument (500);
 * - `'encoding'`: the argument is not valid UTF-8 (RFC 2640) (501, or 550 for a path);
 * - `'argument'`: the argument does not parse, such as a PORT with a number over 255 (501);
 * - `'network-protocol'`: EPRT names an address family other than 1 (IPv4) and 2 (IPv6) (522,
 *   RFC 2428).
 */
export type CommandErrorReason = 'too-long' | 'syntax' | 'encoding' | 'argument' | 'network-protocol';

/** The reply codes a `CommandError` is answered with. */
export type CommandErrorReply = 500 | 501 | 522;

const replies: Readonly<Record<CommandErrorReason, CommandErrorReply>> = {
  'too-long': 500,
  syntax: 500,
  encoding: 501,
  argument: 501,
  'network-protocol': 522,
};

/**
 * A command the server refuses before running it. `reply` (also the error's `protocolCode`) is
 * the code to answer with; `verb` is the command's verb when the line had a valid one (an
 * `'encoding'` error on `STOR` may be answered 550, as for any path the server cannot name). The
 * connection goes on: the next command line is read as usual.
 *
 * @example
 * ```ts
 * if (frame.type === 'refused') session.reply(frame.error.reply, frame.error.message);
 * ```
 */
export class CommandError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_FTP_COMMAND';
  /** Why the command was refused. */
  readonly reason: CommandErrorReason;
  /** The reply code to answer with. */
  readonly reply: CommandErrorReply;
  /** The command's verb, upper-cased, when the line had a valid one. */
  readonly verb: string | undefined;

  constructor(reason: CommandErrorReason, message: string, options?: ErrorOptions & { verb?: string }) {
    const reply = replies[reason];
    super(message, { ...options, protocolCode: reply });
    this.reason = reason;
    this.reply = reply;
    this.verb = options?.verb;
  }
}
