/**
 * `ReplyError`: what a client cannot read in a server's replies.
 *
 * @module
 */
import { ProtocolError } from '../../source/errors.js';

/**
 * What was wrong: `'syntax'`, a line that does not start a reply with a code (100 to 599) and a
 * space or a hyphen; `'too-long'`, a line or a multi-line reply over the decoder's limits;
 * `'truncated'`, the input ended inside a multi-line reply; `'address'`, a PASV or EPSV reply
 * without an address a data connection can be opened to.
 */
export type ReplyErrorReason = 'syntax' | 'too-long' | 'truncated' | 'address';

/**
 * A server's reply a client cannot read. The control connection cannot be trusted past it: a
 * client drops it.
 *
 * @example
 * ```ts
 * try { decoder.push(chunk, replies); }
 * catch (e) { if (e instanceof ReplyError) connection.abort(); }
 * ```
 */
export class ReplyError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_FTP_REPLY';
  /** What was wrong. */
  readonly reason: ReplyErrorReason;

  constructor(reason: ReplyErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
