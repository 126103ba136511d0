/**
 * `ClientSession`: one attempt to hand a message to one SMTP server, on a connection already
 * open: greeting, EHLO (or HELO), STARTTLS, AUTH, the envelope (pipelined when offered), the data.
 *
 * @module
 */
import { hostname } from 'node:os';
import type { Address } from '../../source/address.js';
import type { OutgoingBody } from '../../source/body-writer.js';
import { BodyWriter } from '../../source/body-writer.js';
import type { TLSOptions } from '../../source/connection.js';
import { Deferred, succeed } from '../../source/deferred.js';
import { type CommandChannel, check } from './_client-channel.js';
import { DataEncoder } from './_client-data.js';
import { type RecipientResult, type ServerReply, SMTPClientError, SMTPError } from './smtp-error.js';

/**
 * Seconds each wait may take (RFC 5321 section 4.5.3.2 gives the defaults of those it names).
 *
 * @example
 * ```ts
 * const timeouts: SmtpTimeouts = { greeting: 30, dataTermination: 120 };
 * ```
 */
export interface SmtpTimeouts {
  /** Connecting (TCP, and the TLS handshake of implicit TLS). Default 30. */
  readonly connect?: number;
  /** The server's 220 greeting. Default 300. */
  readonly greeting?: number;
  /** The reply to EHLO, HELO, STARTTLS and each AUTH step. Default 300. */
  readonly command?: number;
  /** The reply to MAIL. Default 300. */
  readonly mail?: number;
  /** The reply to each RCPT. Default 300. */
  readonly rcpt?: number;
  /** The 354 reply to DATA. Default 120. */
  readonly dataInitiation?: number;
  /** A full write buffer draining while the message is sent. Default 180. */
  readonly dataBlock?: number;
  /** The reply to the end of the data. Default 600. */
  readonly dataTermination?: number;
  /** The reply to QUIT, after which the connection closes anyway. Default 30. */
  readonly quit?: number;
}

/** `SmtpTimeouts` with every default filled in. */
export type Timeouts = Required<SmtpTimeouts>;

/**
 * The timeouts of `given`, each missing one at its default.
 *
 * @example
 * ```ts
 * withDefaults({ greeting: 10 }).dataTermination; // 600
 * ```
 */
export function withDefaults(given: SmtpTimeouts = {}): Timeouts {
  return {
    connect: 30,
    greeting: 300,
    command: 300,
    mail: 300,
    rcpt: 300,
    dataInitiation: 120,
    dataBlock: 180,
    dataTermination: 600,
    quit: 30,
    ...given,
  };
}

/**
 * The message as it will be sent: already encoded (bytes or a string given whole: its exact
 * size, and whether it has 8-bit data, are known before MAIL), or a stream read once, at DATA.
 */
export type PreparedMessage =
  | { readonly type: 'encoded'; readonly data: Uint8Array; readonly eightBit: boolean }
  | { readonly type: 'stream'; readonly body: OutgoingBody };

/** Credentials for AUTH PLAIN or LOGIN (RFC 4954). */
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** What a session needs besides its connection. */
export interface SessionPlan {
  readonly from: string;
  readonly to: readonly string[];
  readonly message: PreparedMessage;
  /** Whether STARTTLS is required (`'starttls'`); an implicit-TLS connection is secure already. */
  readonly startTLS: boolean;
  /** TLS settings for STARTTLS, the server's name already in them. */
  readonly tls: TLSOptions;
  readonly auth: Credentials | undefined;
  /** Whether AUTH may go over a connection without TLS. */
  readonly authInTheClear: boolean;
  /** Whether the envelope needs SMTPUTF8. */
  readonly utf8: boolean;
  /** The name EHLO gives; default the host's name when it has a dot, else an address literal. */
  readonly clientName: string | undefined;
  readonly timeouts: Timeouts;
}

/** What a session delivered: each recipient's fate and the reply to the message. */
export interface Delivered {
  readonly recipients: readonly RecipientResult[];
  readonly reply: ServerReply;
}

/**
 * Where a session is: what it waits for now. A failure up to `envelope` leaves the message
 * unsent (another server may be tried); from `data` on, the message may be partly sent.
 */
export type SessionPhase = 'greeting' | 'hello' | 'starttls' | 'auth' | 'envelope' | 'data' | 'done';

const encoder = new TextEncoder();

/**
 * One SMTP transaction on one connection (Twisted's `ESMTPClient`): `run()` fires with what was
 * delivered, or fails with SMTPError (the server refused), SMTPClientError (the client would not
 * send), or the channel's error. `phase` says where it stood when it failed.
 *
 * ```text
 * 220 ─▶ EHLO ─▶ [STARTTLS ─▶ 220 ─▶ TLS ─▶ EHLO] ─▶ [AUTH …] ─▶ MAIL, RCPT…, DATA ─▶ 354 ─▶ data ─▶ 250
 * ```
 *
 * @example
 * ```ts
 * new ClientSession(channel, plan).run().addCallback((delivered) => delivered.reply.code); // 250
 * ```
 */
export class ClientSession {
  private _phase: SessionPhase = 'greeting';
  private _extensions: ReadonlyMap<string, string> = new Map();

  constructor(
    private readonly _channel: CommandChannel,
    private readonly _plan: SessionPlan,
  ) {}

  /** Where the session is (or was, when it failed). */
  get phase(): SessionPhase {
    return this._phase;
  }

  /** The server's extensions, by upper-cased keyword, each with its parameters (`'SIZE' → '10240000'`). */
  get extensions(): ReadonlyMap<string, string> {
    return this._extensions;
  }

  /** Runs the transaction. */
  run(): Deferred<Delivered> {
    const channel = this._channel;
    return channel
      .next(this._plan.timeouts.greeting, 'the greeting')
      .addCallback((greeting) => {
        check(greeting, undefined, [220]);
        return this._hello();
      })
      .addCallback(() => this._startTLS())
      .addCallback(() => this._authenticate())
      .addCallback(() => this._envelope())
      .addCallback((recipients) => this._data(recipients));
  }

  /** EHLO, or HELO when the server refuses EHLO for good (5xx). */
  private _hello(): Deferred<void> {
    this._phase = 'hello';
    const channel = this._channel;
    const name = this._plan.clientName ?? defaultClientName(channel.connection.localAddress);
    const seconds = this._plan.timeouts.command;
    return channel.command(`EHLO ${name}`, seconds).addCallback((reply): void | Deferred<void> => {
      if (reply.code === 250) {
        this._extensions = parseExtensions(reply);
        return;
      }
      if (Math.floor(reply.code / 100) !== 5) throw new SMTPError(reply, `EHLO ${name}`);
      return channel.expect(`HELO ${name}`, seconds, [250]).addCallback(() => {
        this._extensions = new Map();
      });
    });
  }

  private _startTLS(): Deferred<void> | undefined {
    const channel = this._channel;
    if (!this._plan.startTLS || channel.connection.secure) return undefined;
    this._phase = 'starttls';
    if (!this._extensions.has('STARTTLS')) {
      throw new SMTPClientError('starttls', 'the SMTP server does not offer STARTTLS');
    }
    return channel
      .expect('STARTTLS', this._plan.timeouts.command, [220])
      .addCallback(() => channel.startTLS(this._plan.tls, 'STARTTLS'))
      .addCallback(() => this._hello());
  }

  private _authenticate(): Deferred<unknown> | undefined {
    const auth = this._plan.auth;
    if (auth === undefined) return undefined;
    this._phase = 'auth';
    const channel = this._channel;
    if (!channel.connection.secure && !this._plan.authInTheClear) {
      throw new SMTPClientError('auth', 'the SMTP client sends credentials only over TLS');
    }
    const offered = new Set((this._extensions.get('AUTH') ?? '').toUpperCase().split(/\s+/));
    const seconds = this._plan.timeouts.command;
    if (offered.has('PLAIN')) {
      const response = base64(`\0${auth.user}\0${auth.password}`);
      return channel.expect(`AUTH PLAIN ${response}`, seconds, [235], 'AUTH PLAIN');
    }
    if (offered.has('LOGIN')) {
      return channel
        .expect('AUTH LOGIN', seconds, [334])
        .addCallback(() => channel.expect(base64(auth.user), seconds, [334], 'AUTH LOGIN (user name)'))
        .addCallback(() => channel.expect(base64(auth.password), seconds, [235], 'AUTH LOGIN (password)'));
    }
    throw new SMTPClientError(
      'auth',
      this._extensions.has('AUTH')
        ? `the SMTP server offers no AUTH mechanism the client has (PLAIN, LOGIN): ${this._extensions.get('AUTH')}`
        : 'the SMTP server does not offer AUTH',
    );
  }

  /** MAIL, each RCPT and DATA: in one write if the server pipelines, else one at a time. */
  private _envelope(): Deferred<RecipientResult[]> {
    this._phase = 'envelope';
    const mail = this._mailCommand();
    const { to, timeouts } = this._plan;
    const channel = this._channel;
    const rcpts = to.map((address) => `RCPT TO:<${address}>`);
    if (this._extensions.has('PIPELINING')) {
      channel.send([mail, ...rcpts, 'DATA']);
      const mailReply = channel.next(timeouts.mail, mail);
      const rcptReplies = rcpts.map((line) => channel.next(timeouts.rcpt, line));
      const dataReply = channel.next(timeouts.dataInitiation, 'DATA');
      // Replies come in order and a failed channel fails them all: the last one carries it.
      const replies: ServerReply[] = [];
      for (const d of [mailReply, ...rcptReplies]) {
        d.addCallbacks(
          (reply) => {
            replies.push(reply);
          },
          () => undefined,
        );
      }
      return dataReply.addCallback((data) => {
        const [mailed, ...answers] = replies;
        const recipients = recipientResults(to, answers);
        const refusal = envelopeRefusal(mailed!, mail, recipients, rcpts);
        if (refusal === undefined) {
          check(data, 'DATA', [354]);
          return recipients;
        }
        if (data.code !== 354) throw refusal;
        // RFC 2920 section 3.1: DATA taken with nobody to deliver to; end it empty.
        return channel.command('.', timeouts.dataTermination, 'the empty message').addCallback(() => {
          throw refusal;
        });
      });
    }
    return channel
      .expect(mail, timeouts.mail, [2])
      .addCallback(() => {
        const answers: ServerReply[] = [];
        let chain: Deferred<unknown> = succeed(undefined);
        for (const line of rcpts) {
          chain = chain.addCallback(() =>
            channel.command(line, timeouts.rcpt).addCallback((reply) => answers.push(reply)),
          );
        }
        return chain.addCallback(() => recipientResults(to, answers));
      })
      .addCallback((recipients) => {
        const refusal = envelopeRefusal(undefined, mail, recipients, rcpts);
        if (refusal !== undefined) throw refusal;
        return channel.expect('DATA', timeouts.dataInitiation, [354]).addCallback(() => recipients);
      });
  }

  /** `MAIL FROM:<…>` with the parameters the message needs and the server offers. */
  private _mailCommand(): string {
    const { message, utf8, from } = this._plan;
    const ext = this._extensions;
    if (utf8 && !ext.has('SMTPUTF8')) {
      throw new SMTPClientError('smtputf8', 'an address is not ASCII and the SMTP server lacks SMTPUTF8');
    }
    const params: string[] = [];
    if (message.type === 'encoded') {
      if (message.eightBit && !ext.has('8BITMIME')) {
        throw new SMTPClientError(
          '8bitmime',
          'the message has 8-bit data and the SMTP server lacks 8BITMIME',
        );
      }
      const limit = Number(ext.get('SIZE') ?? '');
      const size = message.data.byteLength;
      if (Number.isSafeInteger(limit) && limit > 0 && size > limit) {
        throw new SMTPClientError('size', `the message (${size} octets) is over the server's SIZE ${limit}`);
      }
      if (ext.has('SIZE')) params.push(`SIZE=${size}`);
    }
    const eightBit = message.type === 'stream' || message.eightBit;
    if (eightBit && ext.has('8BITMIME')) params.push('BODY=8BITMIME');
    if (utf8) params.push('SMTPUTF8');
    return [`MAIL FROM:<${from}>`, ...params].join(' ');
  }

  /** Sends the message and fires with the reply to its end. */
  private _data(recipients: RecipientResult[]): Deferred<Delivered> {
    this._phase = 'data';
    const channel = this._channel;
    const { message, timeouts } = this._plan;
    let sent: Deferred<unknown>;
    if (message.type === 'encoded') {
      channel.connection.write(message.data);
      sent = succeed(undefined);
    } else sent = this._stream(message.body);
    return sent
      .addCallback(() => channel.next(timeouts.dataTermination, 'the message data'))
      .addCallback((reply) => {
        check(reply, 'the message data', [2]);
        this._phase = 'done';
        return { recipients, reply };
      });
  }

  /**
   * Streams the message, encoded as it goes, as fast as the connection drains; fires once its
   * end is written. A source that fails, or 8-bit data a 7-bit server cannot take, drops the
   * connection before the end of the data, so the server keeps nothing.
   */
  private _stream(body: OutgoingBody): Deferred<unknown> {
    const channel = this._channel;
    const data = new DataEncoder(!this._extensions.has('8BITMIME'));
    const output = {
      write: (bytes: Uint8Array | string) => channel.connection.write(bytes),
      drained: () => channel.drained(this._plan.timeouts.dataBlock),
    };
    const writer = new BodyWriter(body, output, {
      encoding: { chunk: (chunk) => data.encode(chunk), end: () => data.end() },
    });
    const written = new Deferred<unknown>();
    // The connection going (a timeout, the server leaving) stops the writer and fails the data.
    channel.connection.closed.addCallback((reason) => {
      writer.stop();
      if (!written.called) written.errback(channel.closedReason ?? reason);
    });
    writer.done.addCallbacks(
      (bytes) => {
        if (!written.called) written.callback(bytes);
      },
      (failure) => {
        channel.fail(failure.value);
        if (!written.called) written.errback(failure);
      },
    );
    writer.start();
    return written;
  }
}

/**
 * The name EHLO gives when none was chosen: the host's name if it is a domain (has a dot), else
 * the connection's own address as an address literal (RFC 5321 section 4.1.3).
 *
 * @example
 * ```ts
 * defaultClientName(connection.localAddress); // 'mail.example.com', or '[IPv6:::1]' on a host without a domain name
 * ```
 */
export function defaultClientName(local: Address): string {
  const name = hostname();
  if (name.includes('.')) return name;
  if (local.type === 'tcp' && local.host !== '') {
    return local.family === 'IPv6' ? `[IPv6:${local.host}]` : `[${local.host}]`;
  }
  return '[127.0.0.1]';
}

/** EHLO's keywords (every line after the first), upper-cased, with their parameters. */
function parseExtensions(reply: ServerReply): ReadonlyMap<string, string> {
  const extensions = new Map<string, string>();
  for (const line of reply.lines.slice(1)) {
    const found = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](.*))?$/.exec(line.trim());
    if (found !== null) extensions.set(found[1]!.toUpperCase(), (found[2] ?? '').trim());
  }
  return extensions;
}

function recipientResults(to: readonly string[], replies: readonly ServerReply[]): RecipientResult[] {
  return to.map((address, n) => {
    const reply = replies[n]!;
    return { address, accepted: Math.floor(reply.code / 100) === 2, reply };
  });
}

/** Why the envelope failed (MAIL refused, or every recipient), if it did. */
function envelopeRefusal(
  mailed: ServerReply | undefined,
  mail: string,
  recipients: readonly RecipientResult[],
  rcpts: readonly string[],
): SMTPError | undefined {
  if (mailed !== undefined && Math.floor(mailed.code / 100) !== 2) return new SMTPError(mailed, mail);
  if (recipients.some((recipient) => recipient.accepted)) return undefined;
  return new SMTPError(recipients[0]!.reply, rcpts[0], { recipients });
}

function base64(text: string): string {
  return Buffer.from(encoder.encode(text)).toString('base64');
}
