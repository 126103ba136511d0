/**
 * `FTPError`: a server's refusal, as the FTP client reports it (Twisted's `CommandFailed`).
 *
 * @module
 */
import { ProtocolError } from '../../source/errors.js';
import type { FtpReply } from './reply.js';

/**
 * The server answered a command with a reply that is not the one the client needed: a transient
 * (4xx) or permanent (5xx) failure, or a reply the command cannot have (a 2xx where a 3xx was
 * due). `replyCode` (also the error's `protocolCode`) is the reply's code, `reply` the reply
 * itself, `command` what was sent (a password is never shown). `code` stays Spindle's stable
 * string, as on every Spindle error.
 *
 * @example
 * ```ts
 * try { await client.size('missing.txt'); }
 * catch (e) { if (e instanceof FTPError && e.replyCode === 550) console.log('no such file'); }
 * ```
 */
export class FTPError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_FTP_ERROR';
  /** The reply's code: `550`. */
  readonly replyCode: number;
  /** The whole reply. */
  readonly reply: FtpReply;
  /** The command line that got it (`PASS` without its argument), when there was one. */
  readonly command: string | undefined;

  constructor(reply: FtpReply, command?: string, options?: ErrorOptions) {
    const shown = command === undefined ? '' : `${command}: `;
    super(`${shown}${reply.code} ${reply.text}`, { ...options, protocolCode: reply.code });
    this.replyCode = reply.code;
    this.reply = reply;
    this.command = command;
  }

  /** Whether the server said the failure may pass if the command is tried again (a 4xx reply). */
  get transient(): boolean {
    return this.replyCode >= 400 && this.replyCode < 500;
  }
}
