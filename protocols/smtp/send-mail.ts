/**
 * `sendMail`: the SMTP client (Twisted's `sendmail` and `ESMTPSender`; nodemailer's SMTP
 * transport): one message to its recipients, through a relay or straight to the domain's mail
 * exchangers, with STARTTLS or implicit TLS, AUTH, SIZE, PIPELINING, 8BITMIME and SMTPUTF8.
 *
 * @module
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { Resolver } from '../../protocols/dns/resolver.js';
import type { OutgoingBody } from '../../source/body-writer.js';
import type { TLSOptions } from '../../source/connection.js';
import { Deferred, fail, succeed } from '../../source/deferred.js';
import type { ClientEndpoint } from '../../source/endpoint-description.js';
import { CancelledError } from '../../source/errors.js';
import { reactor as defaultReactor, type ReactorLike } from '../../source/reactor.js';
import { CommandChannel } from './_client-channel.js';
import { DataEncoder } from './_client-data.js';
import { type Exchanger, exchangerAddresses, literalAddress, mailExchangers } from './_client-exchangers.js';
import {
  ClientSession,
  type Credentials,
  type PreparedMessage,
  type SessionPhase,
  type SmtpTimeouts,
  withDefaults,
} from './_client-session.js';
import type { MailResolver } from './mail-resolver.js';
import { type RecipientResult, type ServerReply, SMTPClientError, SMTPError } from './smtp-error.js';

export type { SmtpTimeouts } from './_client-session.js';
export type { MailResolver } from './mail-resolver.js';

/**
 * Options of `sendMail`. Times are in seconds, on the reactor's clock.
 *
 * @example
 * ```ts
 * const options: SendMailOptions = {
 *   from: 'ann@example.com', to: ['bob@example.net'], message: 'Subject: hi\r\n\r\nhello\r\n',
 *   host: 'smtp.example.com', port: 587, tls: 'starttls', auth: { user: 'ann', password: 's3cret' },
 * };
 * ```
 */
export interface SendMailOptions {
  /** The envelope sender (`MAIL FROM`), without angle brackets; `''` for a bounce (`<>`). */
  readonly from: string;
  /** The envelope recipients (`RCPT TO`), without angle brackets. */
  readonly to: string | readonly string[];
  /**
   * The message, headers and body: bytes, a string (UTF-8), or a stream of either (an
   * Observable, an async iterable, a Node `Readable`), read once, as fast as the connection
   * drains. Line ends become CR LF and lines starting with a dot are dot-stuffed on the way.
   * Given whole, its size is declared (SIZE) and checked against the server's before MAIL.
   */
  readonly message: OutgoingBody;
  /**
   * The server to hand the message to (a relay, a submission server). Default: the mail
   * exchangers of the recipients' domain, from DNS (then all recipients must share a domain).
   */
  readonly host?: string;
  /** Its port. Default 465 with implicit TLS, else 25. */
  readonly port?: number;
  /**
   * `'starttls'`: upgrade with STARTTLS before anything else is said (a server without it is
   * refused); `'implicit'`: TLS from the first byte (port 465, RFC 8314); `'none'`: in the clear.
   * The server's certificate is verified against `tlsOptions.ca` or the system's roots.
   */
  readonly tls: 'starttls' | 'implicit' | 'none';
  /** TLS settings (`ca`, `servername`, `rejectUnauthorized` …). Default: verify the server's name. */
  readonly tlsOptions?: TLSOptions;
  /** Credentials for AUTH (PLAIN, else LOGIN), sent only over TLS unless `authInTheClear`. */
  readonly auth?: Credentials;
  /** Let AUTH go over a connection without TLS (for tests). Default false. */
  readonly authInTheClear?: boolean;
  /**
   * Declare SMTPUTF8 (RFC 6531), for a message whose headers are UTF-8. Default: when an address
   * is not ASCII (and then a server without SMTPUTF8 is refused).
   */
  readonly smtputf8?: boolean;
  /** The name EHLO gives. Default the host's name if it has a dot, else an address literal. */
  readonly clientName?: string;
  /** Seconds the whole sending may take, every exchanger tried included. Default: no limit beyond `timeouts`. */
  readonly timeout?: number;
  /** Seconds each wait may take; RFC 5321 section 4.5.3.2's by default. */
  readonly timeouts?: SmtpTimeouts;
  /** Where MX lookups go. Default a `Resolver` on /etc/resolv.conf. */
  readonly resolver?: MailResolver;
  /** The reactor to connect and time on. Default the process-wide `reactor`. */
  readonly reactor?: ReactorLike;
}

/** The server that took a message: its name (the exchanger's, or `host`), and where it was reached. */
export interface MailServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/**
 * What `sendMail` fires with: each recipient's fate (accepted, or refused with the reason), the
 * reply to the message, and the server that took it.
 *
 * @example
 * ```ts
 * const refused = result.recipients.filter((r) => !r.accepted);
 * ```
 */
export interface SendMailResult {
  readonly recipients: readonly RecipientResult[];
  readonly reply: ServerReply;
  readonly server: MailServer;
}

/** How one attempt ended: sent, or failed, and if so whether another server may be tried. */
type Outcome =
  | { readonly type: 'sent'; readonly result: SendMailResult }
  | { readonly type: 'failed'; readonly error: Error; readonly retry: boolean };

/** Phases in which a failure leaves the message unsent. */
const beforeData: ReadonlySet<SessionPhase> = new Set(['greeting', 'hello', 'starttls', 'auth', 'envelope']);

/**
 * Sends one message, and fires with each recipient's result once the server has taken it
 * (250 after the data; at least one recipient accepted) and the connection is closed (after
 * QUIT's reply, or `timeouts.quit` without one).
 *
 * Without `host`, the recipients' domain's MX records are looked up (by preference, randomised
 * among equal ones; the domain's own A/AAAA records when it has none; a null MX refused) and
 * each exchanger's addresses tried in turn: a connection that fails, or a 4xx reply to the
 * greeting, EHLO, STARTTLS, AUTH or MAIL, moves on to the next address, then the next
 * exchanger. A 5xx, or any failure once the data has begun, ends the sending.
 *
 * On each connection: EHLO (HELO when EHLO is refused), STARTTLS if asked, AUTH if credentials
 * are given, then MAIL (with SIZE, BODY=8BITMIME and SMTPUTF8 when they apply), each RCPT and
 * DATA, in one write when the server offers PIPELINING, then the message, then QUIT.
 *
 * ```text
 * sendMail ──▶ [MX lookup] ──▶ connect ──▶ 220 ──▶ EHLO ──▶ [STARTTLS ──▶ EHLO] ──▶ [AUTH] ──▶
 *   MAIL+RCPT…+DATA ──▶ 354 ──▶ message . ──▶ 250 ──▶ QUIT ──▶ result
 * ```
 *
 * Errbacks with SMTPError (the server refused: at MAIL, every recipient, the data…; `replyCode`,
 * `enhancedCode`), SMTPClientError (the client would not send), SMTPReplyError, the connection's
 * error (`ConnectionRefusedError`, `CertificateError` …), the resolver's (`DomainError`),
 * `TimeoutError`, or a TypeError for bad options; when every server failed, with the last
 * one's error. Cancelling drops the connection.
 *
 * @example
 * ```ts
 * const result = await sendMail({
 *   from: 'ann@example.com',
 *   to: ['bob@example.net', 'carol@example.net'],
 *   message: 'From: ann@example.com\r\nSubject: hello\r\n\r\nHi!\r\n',
 *   tls: 'starttls',
 * });
 * for (const r of result.recipients) console.log(r.address, r.accepted ? 'accepted' : r.reply.text);
 * ```
 */
export function sendMail(options: SendMailOptions): Deferred<SendMailResult> {
  let to: readonly string[];
  let domain: string | undefined;
  try {
    to = checkEnvelope(options);
    domain = options.host === undefined ? recipientDomain(to) : undefined;
  } catch (error) {
    return fail(error);
  }
  const reactor = options.reactor ?? defaultReactor;
  const timeouts = withDefaults(options.timeouts);
  const port = options.port ?? (options.tls === 'implicit' ? 465 : 25);
  const message = prepare(options.message);
  const utf8 = options.smtputf8 === true || [options.from, ...to].some(notAscii);
  let channel: CommandChannel | undefined;
  let current: Deferred<unknown> | undefined;
  let state: 'sending' | 'cancelled' = 'sending';

  const result = new Deferred<SendMailResult>(() => {
    state = 'cancelled';
    channel?.fail(new CancelledError('sending the mail was cancelled'));
    current?.cancel();
  });

  /** One connection to `host`, for exchanger `name`. */
  const attempt = (name: string, host: string): Deferred<Outcome> => {
    const tls: TLSOptions = {
      host: name,
      ...(isIP(name) === 0 && { servername: name }),
      ...options.tlsOptions,
    };
    const endpoint: ClientEndpoint =
      options.tls === 'implicit'
        ? { type: 'tls', host, port, timeout: timeouts.connect, tls }
        : { type: 'tcp', host, port, timeout: timeouts.connect };
    let session: ClientSession | undefined;
    const connecting = reactor.connectStream(endpoint, {});
    current = connecting;
    return connecting
      .addCallback((connection) => {
        channel = new CommandChannel(connection, reactor);
        session = new ClientSession(channel, {
          from: options.from,
          to,
          message,
          startTLS: options.tls === 'starttls',
          tls,
          auth: options.auth,
          authInTheClear: options.authInTheClear ?? false,
          utf8,
          clientName: options.clientName,
          timeouts,
        });
        return session.run();
      })
      .addCallbacks(
        (delivered): Outcome => ({ type: 'sent', result: { ...delivered, server: { name, host, port } } }),
        (failure): Outcome => {
          const error = failure.value;
          const phase = session?.phase ?? 'greeting';
          return { type: 'failed', error, retry: state === 'sending' && retryable(error, phase) };
        },
      )
      .addCallback((outcome) => {
        const open = channel;
        channel = undefined;
        if (open === undefined || open.closedReason !== undefined) return outcome;
        // A refusal leaves the conversation in step: QUIT, as after a success; anything else drops it.
        const inStep =
          outcome.type === 'sent' ||
          outcome.error instanceof SMTPError ||
          outcome.error instanceof SMTPClientError;
        if (!inStep) {
          open.fail(outcome.error);
          return outcome;
        }
        return open.quit(timeouts.quit).addCallback(() => outcome);
      });
  };

  /** Tries each of `hosts` for exchanger `name`, then fires with the last outcome. */
  const tryHosts = (name: string, hosts: readonly string[], index = 0): Deferred<Outcome> =>
    attempt(name, hosts[index]!).addCallback((outcome) =>
      outcome.type === 'failed' && outcome.retry && index + 1 < hosts.length
        ? tryHosts(name, hosts, index + 1)
        : outcome,
    );

  /** Tries each exchanger from `index` on; fires with the first that took the message. */
  const tryExchangers = (list: readonly Exchanger[], index: number, last: Error | undefined): void => {
    const exchanger = list[index];
    if (exchanger === undefined) {
      result.errback(last ?? new SMTPClientError('no-exchanger', `no mail exchanger for ${domain}`));
      return;
    }
    const literal = literalAddress(exchanger.name);
    const lookup =
      options.host !== undefined || literal !== undefined
        ? succeed<readonly string[]>([literal ?? exchanger.name])
        : exchangerAddresses(resolver(), exchanger.name);
    current = lookup;
    lookup
      .addCallbacks(
        (hosts) => tryHosts(exchanger.name, hosts),
        (failure): Outcome => ({ type: 'failed', error: failure.value, retry: state === 'sending' }),
      )
      .addCallback((outcome) => {
        if (result.called) return;
        if (outcome.type === 'sent') result.callback(outcome.result);
        else if (outcome.retry) tryExchangers(list, index + 1, outcome.error);
        else result.errback(outcome.error);
      });
  };

  let ownResolver: MailResolver | undefined;
  const resolver = (): MailResolver => {
    ownResolver ??= options.resolver ?? new Resolver({ reactor });
    return ownResolver;
  };

  if (domain === undefined) {
    tryExchangers([{ name: options.host!, preference: 0 }], 0, undefined);
  } else if (literalAddress(domain) !== undefined) {
    tryExchangers([{ name: domain, preference: 0 }], 0, undefined);
  } else {
    let lookup: Deferred<Exchanger[]>;
    try {
      lookup = mailExchangers(resolver(), domain);
    } catch (error) {
      lookup = fail(error);
    }
    current = lookup;
    lookup.addCallbacks(
      (list) => tryExchangers(list, 0, undefined),
      (failure) => {
        if (!result.called) result.errback(failure);
      },
    );
  }
  return options.timeout === undefined ? result : result.addTimeout(options.timeout, reactor);
}

/** Whether another server may take the message after `error`, met in `phase`. */
function retryable(error: Error, phase: SessionPhase): boolean {
  if (!beforeData.has(phase)) return false;
  if (error instanceof SMTPError) return error.transient && error.recipients === undefined;
  return !(error instanceof TypeError);
}

/**
 * The recipients, checked: at least one, each with an `@`, and no address with a character
 * that could end a command or an address (CR, LF, NUL, `<`, `>`).
 */
function checkEnvelope(options: SendMailOptions): readonly string[] {
  const to = typeof options.to === 'string' ? [options.to] : options.to;
  if (to.length === 0) throw new TypeError('sendMail needs at least one recipient');
  if (!['starttls', 'implicit', 'none'].includes(options.tls)) {
    throw new TypeError(`tls is 'starttls', 'implicit' or 'none', not ${String(options.tls)}`);
  }
  for (const address of [options.from, ...to]) {
    if (/[\p{Cc}\s<>]/u.test(address)) {
      throw new TypeError(`not a mail address: ${JSON.stringify(address)}`);
    }
  }
  for (const address of to) {
    if (!address.includes('@')) throw new TypeError(`a recipient needs a domain: ${JSON.stringify(address)}`);
  }
  return to;
}

/** The recipients' one domain, in ASCII (IDNA) for the MX lookup. */
function recipientDomain(to: readonly string[]): string {
  const domains = new Set(to.map((address) => address.slice(address.lastIndexOf('@') + 1).toLowerCase()));
  if (domains.size > 1) {
    throw new TypeError(
      `without a host, sendMail delivers to one domain at a time, not ${[...domains].join(', ')}`,
    );
  }
  const [domain] = domains as Set<string>;
  if (literalAddress(domain!) !== undefined) return domain!;
  const ascii = domainToASCII(domain!);
  if (ascii === '') throw new TypeError(`not a domain: ${JSON.stringify(domain)}`);
  return ascii;
}

function notAscii(text: string): boolean {
  return /[^\0-\x7f]/.test(text);
}

/** A message given whole is encoded now (its size and 8-bit data known); a stream is read at DATA. */
function prepare(message: OutgoingBody): PreparedMessage {
  if (typeof message !== 'string' && !(message instanceof Uint8Array))
    return { type: 'stream', body: message };
  const encoder = new DataEncoder();
  const body = encoder.encode(typeof message === 'string' ? Buffer.from(message, 'utf8') : message);
  const end = encoder.end();
  const data = new Uint8Array(body.length + end.length);
  data.set(body);
  data.set(end, body.length);
  return { type: 'encoded', data, eightBit: encoder.eightBit };
}
