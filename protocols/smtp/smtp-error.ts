/**
 * What the SMTP client reports: `ServerReply`, a server's reply as it was read; `SMTPError`, a
 * server's refusal; `SMTPClientError`, a message the client would not send; `SMTPReplyError`,
 * replies the client could not read.
 *
 * @module
 */
import { ProtocolError, SpindleError } from '../../source/errors.js';

/**
 * One reply of an SMTP server, as the client read it (RFC 5321 section 4.2).
 *
 * @example
 * ```ts
 * const reply: ServerReply = { code: 250, enhancedCode: '2.0.0', lines: ['2.0.0 Ok: queued as 4F1'], text: '2.0.0 Ok: queued as 4F1' };
 * ```
 */
export interface ServerReply {
  /** The three-digit reply code: `250`. */
  readonly code: number;
  /**
   * The enhanced status code (RFC 3463) the first line starts with, when it has one whose class
   * matches the reply's (`'5.1.1'` in `550 5.1.1 No such user`).
   */
  readonly enhancedCode: string | undefined;
  /** The text of each line, without the code and its separator (EHLO keywords, one a line). */
  readonly lines: readonly string[];
  /** The lines joined with `'\n'`. */
  readonly text: string;
}

/**
 * A recipient of one message: whether the server took it (`RCPT TO` answered 2xx), and its reply.
 *
 * @example
 * ```ts
 * for (const r of result.recipients) console.log(r.address, r.accepted ? 'ok' : r.reply.text);
 * ```
 */
export interface RecipientResult {
  readonly address: string;
  readonly accepted: boolean;
  readonly reply: ServerReply;
}

/**
 * The server answered a command with a reply other than the one the client needed: a transient
 * (4xx) or permanent (5xx) failure. `replyCode` (also the error's `protocolCode`) is the reply's
 * code, `enhancedCode` its enhanced status code when it has one, `reply` the reply itself,
 * `command` what was sent (`AUTH PLAIN`, never the credentials; none for the greeting).
 *
 * Issue 10 names the reply code `code`; it is `replyCode` here (as on `FTPError`) because `code`
 * is Spindle's stable error string on every Spindle error (`'SPINDLE_SMTP_ERROR'`).
 *
 * @example
 * ```ts
 * try { await sendMail(options); }
 * catch (e) { if (e instanceof SMTPError && e.transient) retryLater(); }
 * ```
 */
export class SMTPError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_SMTP_ERROR';
  /** The reply's code: `550`. */
  readonly replyCode: number;
  /** The reply's enhanced status code: `'5.1.1'`. */
  readonly enhancedCode: string | undefined;
  /** The whole reply. */
  readonly reply: ServerReply;
  /** The command that got it, when there was one. */
  readonly command: string | undefined;
  /** Each recipient's reply, when the message failed because the server refused every one. */
  readonly recipients: readonly RecipientResult[] | undefined;

  constructor(
    reply: ServerReply,
    command?: string,
    options?: ErrorOptions & { recipients?: readonly RecipientResult[] },
  ) {
    const shown = command === undefined ? '' : `${command}: `;
    super(`${shown}${reply.code} ${reply.text.replaceAll('\n', ' ')}`, {
      ...options,
      protocolCode: reply.code,
    });
    this.replyCode = reply.code;
    this.enhancedCode = reply.enhancedCode;
    this.reply = reply;
    this.command = command;
    this.recipients = options?.recipients;
  }

  /** Whether the server said the failure may pass if the message is tried again later (4xx). */
  get transient(): boolean {
    return this.replyCode >= 400 && this.replyCode < 500;
  }
}

/**
 * Why the client would not send a message: `'size'`, it is bigger than the server's SIZE;
 * `'8bitmime'`, it has 8-bit bytes and the server lacks 8BITMIME; `'smtputf8'`, an address is
 * not ASCII and the server lacks SMTPUTF8; `'starttls'`, TLS was required and the server does
 * not offer STARTTLS; `'auth'`, credentials were given and the server offers no mechanism the
 * client has (PLAIN, LOGIN), or the connection is not encrypted; `'null-mx'`, the domain says it
 * takes no mail (RFC 7505); `'no-exchanger'`, the domain has no address to deliver to.
 */
export type SMTPClientErrorReason =
  | 'size'
  | '8bitmime'
  | 'smtputf8'
  | 'starttls'
  | 'auth'
  | 'null-mx'
  | 'no-exchanger';

/**
 * The client refused to send: the message or its envelope needs something the server does not
 * offer, or the domain takes no mail. Nothing was delivered.
 *
 * @example
 * ```ts
 * sendMail(options).addErrback((f) => console.log(f.trap(SMTPClientError).reason)); // 'size'
 * ```
 */
export class SMTPClientError extends SpindleError {
  static override readonly code: string = 'SPINDLE_SMTP_CLIENT';
  /** What stood in the way. */
  readonly reason: SMTPClientErrorReason;

  constructor(reason: SMTPClientErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * The server's replies could not be read (a line that starts no reply, a multi-line reply whose
 * lines disagree on the code, a line or reply over the client's limits), or it sent replies
 * nobody asked for. The connection cannot be trusted past it: the client drops it.
 *
 * @example
 * ```ts
 * sendMail(options).addErrback((f) => f.trap(SMTPReplyError));
 * ```
 */
export class SMTPReplyError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_SMTP_REPLY';
}
