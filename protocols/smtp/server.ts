/**
 * `smtpServer`: an ESMTP server (RFC 5321 with SIZE, 8BITMIME, SMTPUTF8, PIPELINING, CHUNKING,
 * ENHANCEDSTATUSCODES, STARTTLS and AUTH PLAIN/LOGIN) as a protocol that `listen` runs, with
 * policy hooks and a delivery hook (Maildir by default).
 *
 * @module
 */
import { hostname } from 'node:os';
import { createSecureContext } from 'node:tls';
import { commandServer } from '../../source/_command-server.js';
import { count, seconds } from '../../source/_option-checks.js';
import { turnOptions } from '../../source/_turn-budget.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection, TLSOptions } from '../../source/connection.js';
import type { CooperatorScheduler } from '../../source/cooperate.js';
import type { Protocol, Session } from '../../source/protocol.js';
import { reactor } from '../../source/reactor.js';
import { SmtpSession, type SmtpSettings } from './_smtp-session.js';
import { maildirDelivery } from './maildir-delivery.js';
import { formatReply } from './reply.js';
import type { SmtpChecker, SmtpDelivery, SmtpRecipientHook, SmtpSenderHook } from './smtp-hooks.js';

/**
 * Options of `smtpServer`. Times are in seconds, on `clock`. Give `domains` or `recipient` (whom
 * mail is taken for), and `maildir` or `deliver` (where it goes).
 *
 * @example
 * ```ts
 * const options: SmtpServerOptions = { domains: ['example.com'], maildir: '/var/mail', tls: { key, cert }, checker: smtpUsers({ alice: 'secret' }) };
 * ```
 */
export interface SmtpServerOptions {
  /** The domains mail is taken for (case-insensitive); any other recipient is refused `550 5.7.1` (no relaying). */
  domains?: readonly string[];
  /** Decides each recipient (in `domains`, when given). */
  recipient?: SmtpRecipientHook;
  /** Decides MAIL's sender. Default: any. */
  sender?: SmtpSenderHook;
  /** Stores each message. Default `maildirDelivery(maildir)`. */
  deliver?: SmtpDelivery;
  /** A folder of Maildirs to deliver to (see `maildirDelivery`), when `deliver` is not given. */
  maildir?: string;
  /** Key and certificate for STARTTLS; without them STARTTLS is not offered (`502`). */
  tls?: TLSOptions;
  /** Checks AUTH's credentials; without it AUTH is not offered (`503`). */
  checker?: SmtpChecker;
  /** Offer and take AUTH over a connection that is not encrypted (for tests). Default false: `538` until STARTTLS. */
  allowInsecureAuth?: boolean;
  /** The server's name in the greeting, EHLO's reply and `Received:`. Default the host's name. */
  hostname?: string;
  /** The largest message, in octets (SIZE, RFC 1870); a larger one is refused `552 5.3.4`. Default 10 MiB (Postfix's). */
  maxMessageSize?: number;
  /** The most recipients of one message; more get `452 4.5.3`. Default 100 (RFC 5321's minimum). */
  maxRecipients?: number;
  /** The most sessions at once; more are answered `421` and closed. Default 1000. */
  maxConnections?: number;
  /** The most sessions from one peer address at once; more are answered `421` and closed. Default 20. */
  maxConnectionsPerPeer?: number;
  /** Errors (500–504, 535, 555) a session may make; the last is followed by `421 4.7.0` and closing. Default 20 (Postfix's). */
  maxBadCommands?: number;
  /** How long to wait for a command, the first one included (RFC 5321 section 4.5.3.2.7). Default 300. */
  commandTimeout?: number;
  /** How long DATA's text or a BDAT chunk may go without a byte (the data block timeout). Default 180. */
  dataTimeout?: number;
  /** How long storing a message may take after its end, before `451 4.3.0` (the data termination timeout). Default 600. */
  deliveryTimeout?: number;
  /** Octets of a message held for a slow delivery before the connection is paused. Default 64 KiB. */
  bodyHighWaterMark?: number;
  /**
   * Commands (and message text frames) of one session taken per read and per turn of the event
   * loop: the rest of a pipelined flood waits, the connection unread, for the next turns. Default 64.
   */
  commandsPerTurn?: number;
  /** Runs a session's next turn of commands. Default `work => clock.callLater(0, work)`. */
  scheduler?: CooperatorScheduler;
  /** The clock timeouts run on and message times read. Default the reactor. */
  clock?: ReactorTime;
}

/**
 * An SMTP server: a protocol for `listen` (half-close kept, so commands sent before the client's
 * FIN are answered; each session drains when the server closes: `421 4.3.2` between messages).
 */
export interface SmtpServer extends Protocol {
  readonly name: 'smtp';
  readonly halfClose: true;
  /** The sessions open now. */
  readonly sessions: number;
  /** The connections refused so far (421): past `maxConnections` or `maxConnectionsPerPeer`. */
  readonly refused: number;
  /** Serves SMTP on one connection; its session (undefined when refused: too many). */
  serve(connection: Connection): Session | undefined;
}

/**
 * Serves ESMTP, as a protocol: `listen('tcp:25', smtpServer({ domains, maildir }))`.
 *
 * Each session greets (`220`), reads commands (`SmtpInputDecoder`) and answers them in order,
 * the answers to a pipelined batch in one write. The session is an explicit state machine:
 * greeted → EHLO/HELO → MAIL → RCPT… → DATA or BDAT… → delivered → MAIL again; an out-of-order
 * command gets `503 5.5.1`, a bad argument `501`, an unknown verb `500 5.5.2`, EXPN and the like
 * `502`. Mail is taken only for `domains` (`550 5.7.1` relay denied), each recipient and the
 * sender passing the hooks. The message is handed to the delivery hook as it arrives, as a body
 * stream with backpressure, and `250 2.0.0 Ok: queued as ID` comes only once the hook has
 * stored it; a failure answers `451`/`452` and the session goes on. A message with a bare CR or LF
 * is refused `550 5.5.2` after its real end (smuggling), one with a line over 1000 octets `500
 * 5.5.2`, one over `maxMessageSize` `552 5.3.4`. STARTTLS drops what the client pipelined after
 * it and forgets the session (a new EHLO is needed); AUTH PLAIN and LOGIN are offered only over
 * TLS unless `allowInsecureAuth`.
 *
 * ```text
 * client: EHLO ─ MAIL FROM ─ RCPT TO ─ DATA ─────────── text . ──── QUIT
 * server: 220 ─ 250-… ─ 250 2.1.0 ─ 250 2.1.5 ─ 354 ─ (stored, fsynced) ─ 250 2.0.0 ─ 221
 * ```
 *
 * @throws RangeError for an option out of range; TypeError without `domains` or `recipient`, or
 * without `maildir` or `deliver`.
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { smtpServer, smtpUsers } from 'spindle/protocols/smtp';
 *
 * listen('tcp:2525', smtpServer({ domains: ['example.com'], maildir: '/var/mail', tls: { key, cert }, checker: smtpUsers({ alice: 'secret' }) }));
 * ```
 */
export function smtpServer(options: SmtpServerOptions): SmtpServer {
  if (options.domains === undefined && options.recipient === undefined) {
    throw new TypeError('smtpServer needs domains or a recipient hook: whom is mail taken for?');
  }
  const deliver =
    options.deliver ?? (options.maildir === undefined ? undefined : maildirDelivery(options.maildir));
  if (deliver === undefined) throw new TypeError('smtpServer needs a maildir or a deliver hook');
  const name = options.hostname ?? hostname();
  const clock = options.clock ?? reactor;
  const settings: SmtpSettings = {
    hostname: name,
    clock,
    domains:
      options.domains === undefined
        ? undefined
        : new Set(options.domains.map((domain) => domain.toLowerCase())),
    recipient: options.recipient,
    sender: options.sender,
    deliver,
    checker: options.checker,
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    tls:
      options.tls === undefined ? undefined : createSecureContext({ minVersion: 'TLSv1.2', ...options.tls }),
    maxMessageSize: count('maxMessageSize', options.maxMessageSize, 10 * 1024 * 1024),
    maxRecipients: count('maxRecipients', options.maxRecipients, 100),
    maxBadCommands: count('maxBadCommands', options.maxBadCommands, 20),
    commandTimeout: seconds('commandTimeout', options.commandTimeout, 300),
    dataTimeout: seconds('dataTimeout', options.dataTimeout, 180),
    deliveryTimeout: seconds('deliveryTimeout', options.deliveryTimeout, 600),
    bodyHighWaterMark: count('bodyHighWaterMark', options.bodyHighWaterMark, 64 * 1024),
    turns: turnOptions('commandsPerTurn', options.commandsPerTurn, clock, options.scheduler),
  };
  return commandServer({
    name: 'smtp',
    limits: options,
    refusal: (passed) => {
      const text =
        passed === 'total'
          ? `${name} Error: too many connections`
          : `${name} Error: too many connections from you`;
      return formatReply({ code: 421, enhanced: '4.7.0', text });
    },
    open: (connection) => new SmtpSession(settings, connection),
  });
}
