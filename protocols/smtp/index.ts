/**
 * `spindle/protocols/smtp`: SMTP (RFC 5321) with its extensions. The server (`smtpServer`):
 * ESMTP with PIPELINING, SIZE, 8BITMIME, SMTPUTF8, CHUNKING, ENHANCEDSTATUSCODES, STARTTLS and
 * AUTH PLAIN/LOGIN, policy hooks, and delivery into Maildirs (`maildirDelivery`) or through a
 * hook that gets each message as a stream. Its sans-I/O reading of the wire is
 * `SmtpInputDecoder`; replies are written by `formatReply`.
 *
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { smtpServer, smtpUsers } from 'spindle/protocols/smtp';
 *
 * listen('tcp:2525', smtpServer({ domains: ['example.com'], maildir: '/var/mail', checker: smtpUsers({ alice: 'secret' }), tls: { key, cert } }));
 * ```
 * @module
 */
export {
  type RefusedLineReason,
  SmtpInputDecoder,
  type SmtpInputDecoderOptions,
  type SmtpInputFrame,
  type TextErrorReason,
} from './input-decoder.js';
export { type MaildirDeliveryOptions, maildirDelivery } from './maildir-delivery.js';
export { MaildirError, type MaildirErrorKind } from './maildir-error.js';
export { formatReply, type SmtpReply } from './reply.js';
export {
  type MailResolver,
  type MailServer,
  type SendMailOptions,
  type SendMailResult,
  type SmtpTimeouts,
  sendMail,
} from './send-mail.js';
export { type SmtpServer, type SmtpServerOptions, smtpServer } from './server.js';
export {
  type RecipientResult,
  type ServerReply,
  SMTPClientError,
  type SMTPClientErrorReason,
  SMTPError,
  SMTPReplyError,
} from './smtp-error.js';
export type {
  SmtpChecker,
  SmtpCredentials,
  SmtpDecision,
  SmtpDelivery,
  SmtpEnvelope,
  SmtpMessage,
  SmtpRecipientHook,
  SmtpSenderHook,
  SmtpSessionInfo,
} from './smtp-hooks.js';
export { smtpUsers } from './smtp-users.js';
export { formatTraceHeaders } from './trace-headers.js';
