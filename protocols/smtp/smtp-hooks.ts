/**
 * The SMTP server's hooks and what they are given: the session as the hooks see it
 * (`SmtpSessionInfo`), a message's envelope and body (`SmtpEnvelope`, `SmtpMessage`), the
 * decisions the policy hooks return (`SmtpDecision`, `SmtpSenderHook`, `SmtpRecipientHook`), the
 * delivery hook (`SmtpDelivery`) and AUTH's checker (`SmtpChecker`, `SmtpCredentials`).
 *
 * @module
 */
import type { Address } from '../../source/address.js';
import type { BodyStream } from '../../source/body-stream.js';
import type { SmtpReply } from './reply.js';

/**
 * Where a session stands, as the hooks see it: the peer, what it said in HELO/EHLO, whether the
 * connection is encrypted, who it authenticated as, and the server's own name.
 *
 * @example
 * ```ts
 * const sender: SmtpSenderHook = (address, session) => (session.user === undefined ? { code: 530, enhanced: '5.7.0', text: 'Authentication required' } : undefined);
 * ```
 */
export interface SmtpSessionInfo {
  readonly peer: Address;
  readonly helo: string;
  readonly secure: boolean;
  /** The user name AUTH took, if any. */
  readonly user: string | undefined;
  /** The server's host name, as the greeting and `Received:` say it. */
  readonly hostname: string;
}

/**
 * A message's envelope (what MAIL and RCPT said) and its trace facts, as the delivery hook gets
 * them with the message.
 *
 * @example
 * ```ts
 * const headers = formatTraceHeaders(envelope); // Return-Path: and Received:, from the envelope
 * ```
 */
export interface SmtpEnvelope extends SmtpSessionInfo {
  /** The queue id: the `250` reply and the `Received:` header name it. */
  readonly id: string;
  /** MAIL's address; `''` for the null sender (a bounce). */
  readonly from: string;
  /** The recipients taken, in order. */
  readonly recipients: readonly string[];
  /** MAIL's BODY parameter. */
  readonly bodyType: '7BIT' | '8BITMIME';
  /** Whether MAIL said SMTPUTF8. */
  readonly smtputf8: boolean;
  /** The `with` protocol of `Received:` (RFC 3848): `SMTP`, `ESMTP`, `ESMTPS`, `ESMTPA`, `ESMTPSA`, `UTF8SMTP`, … */
  readonly protocol: string;
  /** When the message began to arrive, in seconds on the server's clock. */
  readonly time: number;
}

/**
 * A message arriving: its envelope, and its body as it comes (dot-unstuffed, CR LF line ends),
 * read once, with backpressure: the connection is not read while the body is behind. The body
 * errors if the message does not arrive whole and acceptable (the client went away, RSET, a
 * timeout, over the size limit, a bare CR or LF in it).
 *
 * @example
 * ```ts
 * const deliver: SmtpDelivery = async (message) => { for await (const chunk of message.body) store(message.id, chunk); };
 * ```
 */
export interface SmtpMessage extends SmtpEnvelope {
  readonly body: BodyStream;
}

/**
 * What a hook decides: nothing (or `undefined`) to accept with the usual reply, or the reply to
 * send (a code of 400 or more refuses), as it is, as a promise, or as a Deferred. A throw or a
 * rejection answers `451 4.3.0` (logged).
 *
 * @example
 * ```ts
 * const refuse: SmtpDecision = { code: 550, enhanced: '5.7.1', text: 'Go away' };
 * ```
 */
export type SmtpDecision = SmtpReply | undefined;

/**
 * Accepts or refuses MAIL's sender.
 *
 * @example
 * ```ts
 * const sender: SmtpSenderHook = (address) => (address.endsWith('@spam.example') ? { code: 550, enhanced: '5.7.1', text: 'Go away' } : undefined);
 * ```
 */
export type SmtpSenderHook = (
  address: string,
  session: SmtpSessionInfo,
) => SmtpDecision | PromiseLike<SmtpDecision>;

/**
 * Accepts or refuses one recipient (after the domain check, when `domains` is given).
 *
 * @example
 * ```ts
 * const recipient: SmtpRecipientHook = async (address) => ((await users.has(address)) ? undefined : { code: 550, enhanced: '5.1.1', text: 'No such user' });
 * ```
 */
export type SmtpRecipientHook = (
  address: string,
  session: SmtpSessionInfo & { readonly from: string },
) => SmtpDecision | PromiseLike<SmtpDecision>;

/**
 * Stores a message: called as soon as it begins to arrive, it reads `message.body` to its end and
 * settles once the message is durably stored (the `250` waits for it); a rejection, or a reply of
 * 400 or more, refuses it. A `MaildirError` of kind `'no-space'` answers `452 4.3.1`, any other
 * failure `451 4.3.0`: the client keeps the message and tries again.
 *
 * @example
 * ```ts
 * const deliver: SmtpDelivery = async (message) => { await pipeline(message.body, createWriteStream(`/tmp/${message.id}`)); };
 * ```
 */
export type SmtpDelivery = (message: SmtpMessage) => SmtpDecision | PromiseLike<SmtpDecision>;

/**
 * What a client gave to AUTH (PLAIN or LOGIN), and where it is. The password is never logged.
 *
 * @example
 * ```ts
 * const checker: SmtpChecker = (credentials: SmtpCredentials) => credentials.secure && credentials.user === 'alice';
 * ```
 */
export interface SmtpCredentials {
  readonly user: string;
  readonly password: string;
  /** PLAIN's authorization identity (`''` when none was given; always `''` for LOGIN). */
  readonly authorize: string;
  readonly mechanism: 'PLAIN' | 'LOGIN';
  readonly peer: Address;
  readonly secure: boolean;
}

/**
 * Checks AUTH's credentials: true to accept (`235`), false to refuse (`535 5.7.8`), as it is, as a
 * promise, or as a Deferred. A throw or a rejection answers `454 4.7.0` (logged).
 *
 * @example
 * ```ts
 * const checker: SmtpChecker = ({ user, password }) => db.verify(user, password);
 * ```
 */
export type SmtpChecker = (credentials: SmtpCredentials) => boolean | PromiseLike<boolean>;
