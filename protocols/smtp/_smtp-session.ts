/**
 * `SmtpSession`: the server side of one SMTP connection: its state machine, the commands, the
 * hooks, the message intake, STARTTLS, AUTH, limits and timeouts. Private to protocols/smtp.
 *
 * @module
 */
import type { SecureContext } from 'node:tls';
import { randomHex } from '../../source/_random-hex.js';
import { SessionLink } from '../../source/_session-link.js';
import { TurnBudget, type TurnOptions } from '../../source/_turn-budget.js';
import { formatAddress } from '../../source/address.js';
import { BodyStream } from '../../source/body-stream.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import { CorkedOutput } from '../../source/corked-output.js';
import { type Deferred, maybeDeferred } from '../../source/deferred.js';
import {
  BodyTooLargeError,
  CancelledError,
  ConnectionDone,
  ProtocolError,
  TimeoutError,
} from '../../source/errors.js';
import { Logger } from '../../source/log.js';
import type { Session } from '../../source/protocol.js';
import { domainOf, hasNonAscii, readMailArgument } from './_mail-path.js';
import { SmtpInputDecoder, type SmtpInputFrame } from './input-decoder.js';
import { MaildirError } from './maildir-error.js';
import { formatReply, type SmtpReply } from './reply.js';
import type {
  SmtpChecker,
  SmtpDecision,
  SmtpDelivery,
  SmtpRecipientHook,
  SmtpSenderHook,
  SmtpSessionInfo,
} from './smtp-hooks.js';

const log = new Logger('spindle.smtp.server');

/**
 * What every session of one `smtpServer` shares: names, hooks, TLS, limits and times.
 *
 * @example
 * ```ts
 * new SmtpSession(settings, connection).start(); // settings made once by smtpServer
 * ```
 */
export interface SmtpSettings {
  readonly hostname: string;
  readonly clock: ReactorTime;
  readonly domains: ReadonlySet<string> | undefined;
  readonly recipient: SmtpRecipientHook | undefined;
  readonly sender: SmtpSenderHook | undefined;
  readonly deliver: SmtpDelivery;
  readonly checker: SmtpChecker | undefined;
  readonly allowInsecureAuth: boolean;
  readonly tls: SecureContext | undefined;
  readonly maxMessageSize: number;
  readonly maxRecipients: number;
  readonly maxBadCommands: number;
  readonly commandTimeout: number;
  readonly dataTimeout: number;
  readonly deliveryTimeout: number;
  readonly bodyHighWaterMark: number;
  readonly turns: TurnOptions;
}

/** What HELO or EHLO said. */
interface Hello {
  readonly name: string;
  readonly extended: boolean;
}

/** A mail transaction: MAIL's facts and the recipients taken so far. */
interface Transaction {
  readonly from: string;
  readonly bodyType: '7BIT' | '8BITMIME';
  readonly smtputf8: boolean;
  readonly recipients: string[];
  /** Whether a RCPT was tried at all (DATA without any: 503; with all refused: 554). */
  tried: boolean;
}

/** A message coming in: its body stream, the delivery hook's settling, its size, and why it is refused, if it is. */
interface Intake {
  readonly id: string;
  readonly body: BodyStream;
  readonly delivery: Deferred<SmtpDecision>;
  size: number;
  refusal: SmtpReply | undefined;
}

/** A SASL exchange waiting for the client's next line. */
type SaslStep =
  | { readonly mechanism: 'PLAIN' }
  | { readonly mechanism: 'LOGIN'; readonly user: undefined }
  | { readonly mechanism: 'LOGIN'; readonly user: string };

/**
 * Where a session is:
 * - `greeted`: no HELO/EHLO yet (at the start, and after STARTTLS);
 * - `ready`: between transactions;
 * - `mail`: MAIL taken, RCPTs coming;
 * - `data`: DATA's text coming;
 * - `chunks`: BDAT chunks coming (`reading` while inside one);
 * - `delivering`: the message is all in, the delivery hook is storing it;
 * - `auth`: AUTH waits for the client's next SASL line;
 * - `securing`: the TLS handshake after STARTTLS;
 * - `closing`: the last reply is flushing;
 * - `closed`.
 */
type SessionState =
  | { readonly name: 'greeted' }
  | { readonly name: 'ready'; readonly hello: Hello }
  | { readonly name: 'mail'; readonly hello: Hello; readonly transaction: Transaction }
  | {
      readonly name: 'data';
      readonly hello: Hello;
      readonly transaction: Transaction;
      readonly intake: Intake;
    }
  | {
      readonly name: 'chunks';
      readonly hello: Hello;
      readonly transaction: Transaction;
      readonly intake: Intake;
      reading: boolean;
      last: boolean;
    }
  | {
      readonly name: 'delivering';
      readonly hello: Hello;
      readonly transaction: Transaction;
      readonly intake: Intake;
      readonly since: number;
    }
  | { readonly name: 'auth'; readonly hello: Hello; readonly step: SaslStep }
  | { readonly name: 'securing' }
  | { readonly name: 'closing' }
  | { readonly name: 'closed' };

/** Reply codes that count as the client's errors. */
const errorCodes = new Set([500, 501, 502, 503, 504, 535, 555]);
/** Known commands this server does not do. */
const notImplemented = new Set(['EXPN', 'TURN', 'ETRN', 'ATRN', 'SEND', 'SOML', 'SAML']);
const heloName = /^[\x21-\x7e\u0080-\uffff]+$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ok = (code: number, enhanced: string, text: string): SmtpReply => ({ code, enhanced, text });

/**
 * The SMTP server side of one connection, and its `Session` (the server drains it). Frames come
 * from an `SmtpInputDecoder` into a queue and are taken one at a time, at most `turns.perTurn` per
 * read and per turn of the event loop; while a hook runs, or the turn's budget is spent, the queue
 * waits (and the connection is not read), so replies go out in order; those written in one round
 * leave in one write. One movable deadline serves every state.
 *
 * @example
 * ```ts
 * const session = new SmtpSession(settings, connection);
 * session.start();
 * ```
 */
export class SmtpSession implements Session {
  private readonly _output: CorkedOutput;
  private readonly _decoder = new SmtpInputDecoder();
  private readonly _link: SessionLink;
  /** Frames taken per read and per turn: past them, the rest wait for the next turn. */
  private readonly _turns: TurnBudget;
  private _state: SessionState = { name: 'greeted' };
  private _frames: SmtpInputFrame[] = [];
  private _next = 0;
  /** A hook is running: frames wait. */
  private _busy = false;
  private _bodyPaused = false;
  private _pumping = false;
  /** How deep the output is corked: closing and STARTTLS wait for the outermost uncork, so the replies before go first. */
  private _corks = 0;
  private _whenWritten: (() => void) | undefined = undefined;
  private _errors = 0;
  private _user: string | undefined = undefined;
  /** The reply owed at the end of a BDAT chunk that was refused (its octets are dropped). */
  private _chunkReply: SmtpReply | undefined = undefined;
  private _since: number;

  constructor(
    private readonly _settings: SmtpSettings,
    readonly connection: Connection,
  ) {
    this._output = new CorkedOutput(connection);
    this._link = new SessionLink(connection, _settings.clock, {
      received: this._received,
      pump: () => this._pump(),
      lost: () => this._lost(),
      expired: this._expired,
    });
    this._turns = new TurnBudget(_settings.turns, connection, () => this._pump());
    this._since = _settings.clock.seconds();
  }

  /** The name of the state the session is in. */
  get state(): SessionState['name'] {
    return this._state.name;
  }

  /** Greets the client and starts reading. */
  start(): void {
    if (this._link.start(() => this._reply(220, undefined, `${this._settings.hostname} ESMTP Spindle`))) {
      this._update();
    }
  }

  /** Session: finishes the message under way, then says `421 4.3.2` and closes. */
  drain(_deadline: number): Deferred<void> {
    return this._link.drain();
  }

  private readonly _received = (chunk: Uint8Array): void => {
    const name = this._state.name;
    if (name === 'closing' || name === 'closed' || name === 'securing') return;
    this._since = this._settings.clock.seconds();
    this._turns.renew();
    this._decoder.push(chunk, this._frames);
    this._pump();
  };

  private _lost(): undefined {
    const state = this._state;
    this._state = { name: 'closed' };
    this._turns.stop();
    this._frames = [];
    this._next = 0;
    if ('intake' in state) this._drop(state.intake, new ConnectionDone('the SMTP client went away'));
  }

  /** A message that will not be answered: its body fails, and the hook's outcome is of no more use. */
  private _drop(intake: Intake, reason: Error): undefined {
    intake.body.fail(reason);
    intake.delivery.addErrback(() => undefined);
  }

  // --- the loop

  /** Takes the queued frames, one at a time, until one has to be waited for; the replies of the round leave together. */
  private _pump(): undefined {
    if (this._pumping) return;
    this._pumping = true;
    this._cork();
    try {
      while (!this._busy && this._taking()) {
        const frame = this._frames[this._next];
        if (frame === undefined || !this._turns.spend()) break;
        this._next++;
        this._take(frame);
        // the decoder holds after the last frame it gave (DATA, STARTTLS): taken, and not switched on
        // by it (a refused DATA, a SASL line that looks like one), what it held is commands again
        if (this._next === this._frames.length && this._decoder.holding && this._state.name !== 'securing') {
          this._decoder.resume(this._frames);
        }
      }
      if (this._next >= this._frames.length) {
        this._frames = [];
        this._next = 0;
      }
      this._atRest();
    } finally {
      this._pumping = false;
      this._uncork();
    }
    this._update();
  }

  /** Whether frames are taken now: not delivering, securing, closing or closed. */
  private _taking(): boolean {
    const name = this._state.name;
    return name !== 'delivering' && name !== 'securing' && name !== 'closing' && name !== 'closed';
  }

  /** With nothing left to take: closes after the client's FIN, or for a drain, between messages. */
  private _atRest(): undefined {
    if (this._busy || this._next < this._frames.length) return;
    const name = this._state.name;
    if (name === 'delivering' || name === 'securing' || name === 'closing' || name === 'closed') return;
    if (this._link.ended)
      this._close(); // a message cut short by the FIN is dropped
    else if (this._link.draining && name !== 'data' && name !== 'chunks') {
      this._close(421, '4.3.2', `${this._settings.hostname} Service shutting down`);
    }
  }

  /** Runs a hook; a result that is there at once is taken at once, else the session waits for it. */
  private _await<T>(running: Deferred<T>, then: (result: T | Error) => void): undefined {
    let settled = false;
    running.addCallbacks(
      (result) => {
        settled = true;
        this._settled(then, result);
      },
      (failure) => {
        settled = true;
        this._settled(then, failure.value as Error);
      },
    );
    if (!settled) {
      this._busy = true;
      this._update();
    }
  }

  private _settled<T>(then: (result: T | Error) => void, result: T | Error): undefined {
    const wasBusy = this._busy;
    this._busy = false;
    if (this._state.name === 'closed') return;
    if (!wasBusy) {
      then(result);
      return;
    }
    this._cork();
    try {
      then(result);
    } finally {
      this._uncork();
    }
    this._since = this._settings.clock.seconds();
    this._pump();
  }

  /** Handles one frame. */
  private _take(frame: SmtpInputFrame): undefined {
    const state = this._state;
    switch (frame.type) {
      case 'text':
        if (state.name === 'data') this._intake(state.intake, frame.data);
        return;
      case 'text-error':
        if (state.name === 'data') {
          const refusal =
            frame.reason === 'bare-newline'
              ? ok(550, '5.5.2', 'Error: bare <CR> or <LF> in the message text')
              : ok(500, '5.5.2', 'Error: message line too long');
          this._refuse(
            state.intake,
            refusal,
            new ProtocolError(refusal.text as string, { protocolCode: refusal.code }),
          );
        }
        return;
      case 'text-end':
        if (state.name === 'data') this._deliver(state.hello, state.transaction, state.intake);
        return;
      case 'chunk':
        if (state.name === 'chunks') this._intake(state.intake, frame.data);
        return;
      case 'chunk-end':
        return this._chunkEnd();
      case 'refused':
        if (state.name === 'auth') {
          this._state = { name: 'ready', hello: state.hello };
          return this._reply(500, '5.5.6', 'Error: authentication exchange line is too long');
        }
        if (frame.reason === 'too-long') return this._reply(500, '5.5.2', 'Error: line too long');
        if (frame.reason === 'encoding')
          return this._reply(500, '5.5.2', 'Error: invalid UTF-8 in the command');
        return this._reply(500, '5.5.2', 'Error: bad syntax');
      case 'command':
        if (state.name === 'auth') {
          this._sasl(
            state.hello,
            state.step,
            frame.argument === '' ? frame.verb : `${frame.verb} ${frame.argument}`,
          );
          return;
        }
        return this._command(frame.verb.toUpperCase(), frame.argument);
    }
  }

  // --- commands

  private _command(verb: string, argument: string): undefined {
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        return this._hello(verb === 'EHLO', argument);
      case 'MAIL':
        return this._mail(argument);
      case 'RCPT':
        return this._rcpt(argument);
      case 'DATA':
        return this._data(argument);
      case 'BDAT':
        return this._bdat(argument);
      case 'RSET':
        if (argument !== '') return this._reply(501, '5.5.4', 'Syntax: RSET');
        this._abort(new CancelledError('the SMTP client sent RSET'));
        return this._reply(250, '2.0.0', 'Ok');
      case 'NOOP':
        return this._reply(250, '2.0.0', 'Ok');
      case 'QUIT':
        this._abort(new CancelledError('the SMTP client sent QUIT'));
        return this._close(221, '2.0.0', 'Bye');
      case 'VRFY':
        if (argument === '') return this._reply(501, '5.5.4', 'Syntax: VRFY address');
        return this._reply(252, '2.0.0', 'Cannot VRFY user, but will accept message and attempt delivery');
      case 'HELP':
        return this._reply(214, '2.0.0', [
          'Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH',
          'See RFC 5321',
        ]);
      case 'STARTTLS':
        return this._startTls(argument);
      case 'AUTH':
        return this._auth(argument);
      default:
        if (notImplemented.has(verb)) return this._reply(502, '5.5.1', `Error: ${verb} not implemented`);
        return this._reply(500, '5.5.2', 'Error: command not recognized');
    }
  }

  /** The greeting's state, or undefined (and 503) when there was no HELO/EHLO. */
  private _hello(extended: boolean, argument: string): undefined {
    const name = argument.trim();
    if (!heloName.test(name))
      return this._reply(501, '5.5.4', `Syntax: ${extended ? 'EHLO' : 'HELO'} hostname`);
    this._abort(new CancelledError('the SMTP client said EHLO again'));
    const hello = { name, extended };
    this._state = { name: 'ready', hello };
    const settings = this._settings;
    if (!extended) return this._reply(250, undefined, settings.hostname);
    const secure = this.connection.secure;
    const lines = [settings.hostname, 'PIPELINING', `SIZE ${settings.maxMessageSize}`];
    if (settings.tls !== undefined && !secure) lines.push('STARTTLS');
    if (settings.checker !== undefined && (secure || settings.allowInsecureAuth))
      lines.push('AUTH PLAIN LOGIN');
    lines.push('ENHANCEDSTATUSCODES', '8BITMIME', 'SMTPUTF8', 'CHUNKING');
    this._reply(250, undefined, lines);
  }

  private _mail(argument: string): undefined {
    const state = this._state;
    if (state.name === 'greeted') return this._reply(503, '5.5.1', 'Error: send HELO/EHLO first');
    if (state.name !== 'ready') return this._reply(503, '5.5.1', 'Error: nested MAIL command');
    const read = readMailArgument(argument, 'FROM');
    if (read === 'syntax' || read === 'parameters')
      return this._reply(501, '5.5.4', 'Syntax: MAIL FROM:<address>');
    if (read === 'address') return this._reply(501, '5.1.7', 'Bad sender address syntax');
    let bodyType: Transaction['bodyType'] = '7BIT';
    let smtputf8 = false;
    for (const [key, value] of read.parameters) {
      if (!state.hello.extended) return this._reply(555, '5.5.4', `Unsupported option: ${key}`);
      if (key === 'SIZE') {
        if (value === undefined || !/^\d{1,20}$/.test(value))
          return this._reply(501, '5.5.4', 'Bad SIZE syntax');
        if (Number(value) > this._settings.maxMessageSize) {
          return this._reply(552, '5.3.4', 'Message size exceeds fixed limit');
        }
      } else if (key === 'BODY') {
        const type = value?.toUpperCase();
        if (type !== '7BIT' && type !== '8BITMIME')
          return this._reply(555, '5.5.4', 'Unsupported option: BODY');
        bodyType = type;
      } else if (key === 'SMTPUTF8' && value === undefined) smtputf8 = true;
      else if (key !== 'AUTH') return this._reply(555, '5.5.4', `Unsupported option: ${key}`);
    }
    if (hasNonAscii(read.address) && !smtputf8) {
      return this._reply(553, '5.6.7', 'Must declare SMTPUTF8 to send Unicode address');
    }
    const transaction: Transaction = { from: read.address, bodyType, smtputf8, recipients: [], tried: false };
    const hook = this._settings.sender;
    if (hook === undefined) return this._mailTaken(state.hello, transaction, undefined);
    this._await(maybeDeferred(hook, read.address, this._info(state.hello)), (decision) =>
      this._mailTaken(state.hello, transaction, decision),
    );
  }

  private _mailTaken(hello: Hello, transaction: Transaction, decision: SmtpDecision | Error): undefined {
    if (this._refused(decision, 'the sender hook')) return;
    this._state = { name: 'mail', hello, transaction };
    this._reply(250, '2.1.0', 'Ok');
  }

  private _rcpt(argument: string): undefined {
    const state = this._state;
    if (state.name === 'greeted') return this._reply(503, '5.5.1', 'Error: send HELO/EHLO first');
    if (state.name !== 'mail') return this._reply(503, '5.5.1', 'Error: need MAIL command');
    const transaction = state.transaction;
    const read = readMailArgument(argument, 'TO');
    if (read === 'syntax') return this._reply(501, '5.5.4', 'Syntax: RCPT TO:<address>');
    if (read === 'address') return this._reply(501, '5.1.3', 'Bad recipient address syntax');
    if (read === 'parameters') return this._reply(501, '5.5.4', 'Syntax: RCPT TO:<address>');
    const [first] = read.parameters.keys();
    if (first !== undefined) return this._reply(555, '5.5.4', `Unsupported option: ${first}`);
    transaction.tried = true;
    const address = read.address;
    if (hasNonAscii(address) && !transaction.smtputf8) {
      return this._reply(553, '5.6.7', 'Must declare SMTPUTF8 to send Unicode address');
    }
    if (transaction.recipients.length >= this._settings.maxRecipients) {
      return this._reply(452, '4.5.3', 'Error: too many recipients');
    }
    const domains = this._settings.domains;
    if (domains !== undefined && !domains.has(domainOf(address))) {
      return this._reply(550, '5.7.1', `<${address}>: Relay access denied`);
    }
    const hook = this._settings.recipient;
    if (hook === undefined) return this._rcptTaken(transaction, address, undefined);
    const info = { ...this._info(state.hello), from: transaction.from };
    this._await(maybeDeferred(hook, address, info), (decision) =>
      this._rcptTaken(transaction, address, decision),
    );
  }

  private _rcptTaken(transaction: Transaction, address: string, decision: SmtpDecision | Error): undefined {
    if (this._refused(decision, 'the recipient hook')) return;
    transaction.recipients.push(address);
    this._reply(250, '2.1.5', 'Ok');
  }

  /** Whether a hook's decision refuses (and says so): an error, or a reply of 400 or more. A 2xx reply of its own is sent. */
  private _refused(decision: SmtpDecision | Error, hook: string): boolean {
    if (decision instanceof Error) {
      log.error(`${hook} failed for ${this._peer()}`, { error: decision, fields: { peer: this._peer() } });
      this._reply(451, '4.3.0', 'Error: local error in processing');
      return true;
    }
    if (decision === undefined) return false;
    this._send(decision);
    return decision.code >= 400;
  }

  /** Whether DATA or BDAT may start a message now; answers why not when it may not. */
  private _canStart(verb: 'DATA' | 'BDAT'): boolean {
    const state = this._state;
    if (state.name === 'greeted') this._refuseStart(verb, ok(503, '5.5.1', 'Error: send HELO/EHLO first'));
    else if (state.name !== 'mail') this._refuseStart(verb, ok(503, '5.5.1', 'Error: need MAIL command'));
    else if (state.transaction.recipients.length === 0) {
      this._refuseStart(
        verb,
        state.transaction.tried
          ? ok(554, '5.5.1', 'Error: no valid recipients')
          : ok(503, '5.5.1', 'Error: need RCPT command'),
      );
    } else return true;
    return false;
  }

  /** DATA is answered now; BDAT once its chunk, which follows regardless, is read. */
  private _refuseStart(verb: 'DATA' | 'BDAT', reply: SmtpReply): undefined {
    if (verb === 'DATA') this._send(reply);
    else this._chunkReply = reply;
  }

  private _data(argument: string): undefined {
    const state = this._state;
    if (argument !== '') return this._reply(501, '5.5.4', 'Syntax: DATA');
    if (state.name === 'chunks') return this._reply(503, '5.5.1', 'Error: DATA after BDAT');
    if (!this._canStart('DATA') || state.name !== 'mail') return;
    const intake = this._begin(state.hello, state.transaction);
    this._state = { name: 'data', hello: state.hello, transaction: state.transaction, intake };
    this._reply(354, undefined, 'End data with <CR><LF>.<CR><LF>');
    this._decoder.startText(this._frames);
  }

  private _bdat(argument: string): undefined {
    const found = /^(\d{1,15})( +LAST)? *$/i.exec(argument);
    if (found === null) return this._reply(501, '5.5.4', 'Syntax: BDAT size [LAST]');
    const last = found[2] !== undefined;
    const state = this._state;
    if (state.name === 'chunks') {
      state.reading = true;
      state.last = last;
      return;
    }
    if (!this._canStart('BDAT') || state.name !== 'mail') return;
    const intake = this._begin(state.hello, state.transaction);
    this._state = {
      name: 'chunks',
      hello: state.hello,
      transaction: state.transaction,
      intake,
      reading: true,
      last,
    };
  }

  private _chunkEnd(): undefined {
    const owed = this._chunkReply;
    if (owed !== undefined) {
      this._chunkReply = undefined;
      return this._send(owed);
    }
    const state = this._state;
    if (state.name !== 'chunks') return;
    state.reading = false;
    if (state.last || state.intake.refusal !== undefined) {
      this._deliver(state.hello, state.transaction, state.intake);
    } else this._reply(250, '2.0.0', `${state.intake.size} octets received`);
  }

  // --- the message

  /** Starts a message: its body stream, and the delivery hook called with it. */
  private _begin(hello: Hello, transaction: Transaction): Intake {
    const settings = this._settings;
    const body = new BodyStream({
      highWaterMark: settings.bodyHighWaterMark,
      source: {
        pause: () => {
          this._bodyPaused = true;
          this._update();
        },
        resume: () => {
          this._bodyPaused = false;
          this._update();
        },
      },
    });
    const id = randomHex(6).toUpperCase();
    const secure = this.connection.secure;
    const authenticated = this._user !== undefined;
    const protocol = transaction.smtputf8
      ? `UTF8SMTP${secure ? 'S' : ''}${authenticated ? 'A' : ''}`
      : hello.extended
        ? `ESMTP${secure ? 'S' : ''}${authenticated ? 'A' : ''}`
        : 'SMTP';
    const message = {
      ...this._info(hello),
      id,
      from: transaction.from,
      recipients: [...transaction.recipients],
      bodyType: transaction.bodyType,
      smtputf8: transaction.smtputf8,
      protocol,
      time: settings.clock.seconds(),
      body,
    };
    // a hook done before the body's end has no use for the rest: it is read and dropped
    const delivery = maybeDeferred(settings.deliver, message);
    delivery.addBoth((outcome) => {
      body.discard();
      return outcome;
    });
    return { id, body, delivery, size: 0, refusal: undefined };
  }

  private _intake(intake: Intake, data: Uint8Array): undefined {
    if (intake.refusal !== undefined) return;
    intake.size += data.byteLength;
    const max = this._settings.maxMessageSize;
    if (intake.size > max) {
      this._refuse(intake, ok(552, '5.3.4', 'Error: message file too big'), new BodyTooLargeError(max));
    } else intake.body.push(data);
  }

  /** The message is refused (answered at its end); the hook hears of it through its body. */
  private _refuse(intake: Intake, reply: SmtpReply, error: Error): undefined {
    if (intake.refusal !== undefined) return;
    intake.refusal = reply;
    intake.body.fail(error);
  }

  /** The message is all in (or refused): waits for the hook, then answers. */
  private _deliver(hello: Hello, transaction: Transaction, intake: Intake): undefined {
    if (intake.refusal === undefined) intake.body.end();
    const since = this._settings.clock.seconds();
    const state: SessionState = { name: 'delivering', hello, transaction, intake, since };
    this._state = state;
    this._await(intake.delivery, (outcome) => {
      if (this._state !== state) return; // timed out already
      this._state = { name: 'ready', hello };
      this._delivered(intake, outcome);
    });
  }

  private _delivered(intake: Intake, outcome: SmtpDecision | Error): undefined {
    if (intake.refusal !== undefined) return this._send(intake.refusal);
    if (outcome instanceof Error) {
      if (outcome instanceof MaildirError && outcome.kind === 'no-space') {
        log.warn(`no space to store message ${intake.id}: ${outcome.message}`, { error: outcome });
        return this._reply(452, '4.3.1', 'Error: insufficient system storage');
      }
      log.error(`storing message ${intake.id} from ${this._peer()} failed`, { error: outcome });
      return this._reply(451, '4.3.0', 'Error: local error in processing');
    }
    if (outcome !== undefined) return this._send(outcome);
    this._reply(250, '2.0.0', `Ok: queued as ${intake.id}`);
  }

  /** Drops the transaction (RSET, EHLO, QUIT): a message coming in fails, and the hook hears of it. */
  private _abort(reason: Error): undefined {
    const state = this._state;
    if (state.name === 'mail' || state.name === 'chunks') {
      if (state.name === 'chunks') this._drop(state.intake, reason);
      this._state = { name: 'ready', hello: state.hello };
    }
  }

  // --- STARTTLS and AUTH

  private _startTls(argument: string): undefined {
    const state = this._state;
    const tls = this._settings.tls;
    if (tls === undefined) return this._reply(502, '5.5.1', 'Error: STARTTLS not available');
    if (this.connection.secure) return this._reply(503, '5.5.1', 'Error: TLS already active');
    if (argument !== '') return this._reply(501, '5.5.4', 'Syntax: STARTTLS');
    if (state.name === 'mail' || state.name === 'chunks') {
      return this._reply(503, '5.5.1', 'Error: MAIL transaction in progress');
    }
    // what the client sent after STARTTLS in the clear is dropped (CVE-2011-0411)
    this._decoder.discardHeld();
    this._frames = [];
    this._next = 0;
    this._reply(220, '2.0.0', 'Ready to start TLS');
    this._state = { name: 'securing' };
    this._afterReplies(() => this._secure(tls));
  }

  private _secure(tls: SecureContext): undefined {
    this.connection.startTLS({ secureContext: tls }).addCallbacks(
      () => {
        if (this._state.name !== 'securing') return;
        // RFC 3207 section 4.2: everything learnt before is forgotten
        this._state = { name: 'greeted' };
        this._user = undefined;
        this._since = this._settings.clock.seconds();
        this._pump();
      },
      (failure) => {
        log.info(`STARTTLS failed with ${this._peer()}: ${failure.value.message}`, { error: failure.value });
        this.connection.abort();
      },
    );
  }

  private _auth(argument: string): undefined {
    const state = this._state;
    const settings = this._settings;
    if (settings.checker === undefined) return this._reply(503, '5.5.1', 'Error: authentication not enabled');
    if (state.name === 'greeted') return this._reply(503, '5.5.1', 'Error: send HELO/EHLO first');
    if (state.name !== 'ready') return this._reply(503, '5.5.1', 'Error: MAIL transaction in progress');
    if (this._user !== undefined) return this._reply(503, '5.5.1', 'Error: already authenticated');
    const [given, initial, extra] = argument.split(' ');
    const mechanism = given?.toUpperCase();
    if (mechanism !== 'PLAIN' && mechanism !== 'LOGIN') {
      return this._reply(504, '5.5.4', 'Error: unsupported authentication mechanism');
    }
    if (extra !== undefined) return this._reply(501, '5.5.4', 'Syntax: AUTH mechanism [initial-response]');
    if (!this.connection.secure && !settings.allowInsecureAuth) {
      return this._reply(538, '5.7.11', 'Encryption required for requested authentication mechanism');
    }
    const step: SaslStep = mechanism === 'PLAIN' ? { mechanism } : { mechanism, user: undefined };
    if (initial === undefined) {
      this._state = { name: 'auth', hello: state.hello, step };
      return this._reply(334, undefined, mechanism === 'PLAIN' ? '' : 'VXNlcm5hbWU6');
    }
    this._sasl(state.hello, step, initial);
  }

  /** One SASL response line. */
  private _sasl(hello: Hello, step: SaslStep, line: string): undefined {
    this._state = { name: 'ready', hello };
    if (line === '*') return this._reply(501, '5.7.0', 'Authentication aborted');
    const text = line === '=' ? '' : line;
    if (!base64.test(text)) return this._reply(501, '5.5.2', 'Error: cannot decode the response');
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    if (step.mechanism === 'LOGIN') {
      if (step.user === undefined) {
        this._state = { name: 'auth', hello, step: { mechanism: 'LOGIN', user: decoded } };
        return this._reply(334, undefined, 'UGFzc3dvcmQ6');
      }
      return this._check(hello, 'LOGIN', step.user, decoded, '');
    }
    const parts = decoded.split('\0');
    if (parts.length !== 3) return this._reply(535, '5.7.8', 'Error: authentication failed');
    this._check(hello, 'PLAIN', parts[1]!, parts[2]!, parts[0]!);
  }

  private _check(
    hello: Hello,
    mechanism: 'PLAIN' | 'LOGIN',
    user: string,
    password: string,
    authorize: string,
  ): undefined {
    const connection = this.connection;
    const credentials = {
      user,
      password,
      authorize,
      mechanism,
      peer: connection.remoteAddress,
      secure: connection.secure,
    };
    this._await(maybeDeferred(this._settings.checker!, credentials), (accepted) => {
      if (accepted instanceof Error) {
        log.error(`the SMTP checker failed on ${user} from ${this._peer()}`, { error: accepted });
        return this._reply(454, '4.7.0', 'Temporary authentication failure');
      }
      if (accepted !== true) {
        log.info(`AUTH ${mechanism} failed for ${user} from ${this._peer()}`, {
          fields: { user, peer: this._peer() },
        });
        return this._reply(535, '5.7.8', 'Error: authentication failed');
      }
      this._user = user;
      this._state = { name: 'ready', hello };
      this._reply(235, '2.7.0', 'Authentication successful');
    });
  }

  // --- replies, closing, time

  private _info(hello: Hello): SmtpSessionInfo {
    return {
      peer: this.connection.remoteAddress,
      helo: hello.name,
      secure: this.connection.secure,
      user: this._user,
      hostname: this._settings.hostname,
    };
  }

  private _peer(): string {
    return formatAddress(this.connection.remoteAddress);
  }

  private _reply(code: number, enhanced: string | undefined, text: string | readonly string[]): undefined {
    this._send(enhanced === undefined ? { code, text } : { code, enhanced, text });
  }

  /** Writes a reply; the client's last allowed error is followed by `421` and closing. */
  private _send(reply: SmtpReply): undefined {
    const name = this._state.name;
    if (name === 'closing' || name === 'closed') return;
    this._output.write(formatReply(reply));
    if (!errorCodes.has(reply.code)) return;
    this._errors++;
    if (this._errors >= this._settings.maxBadCommands) {
      this._abort(new CancelledError('the SMTP client made too many errors'));
      this._close(421, '4.7.0', `${this._settings.hostname} Error: too many errors`);
    }
  }

  /** Says `code text` (when given), then closes once it is flushed. */
  private _close(code?: number, enhanced?: string, text?: string): undefined {
    const state = this._state;
    if (state.name === 'closing' || state.name === 'closed') return;
    if (code !== undefined) this._reply(code, enhanced, text ?? '');
    if ('intake' in state) this._drop(state.intake, new ConnectionDone('the SMTP session is closing'));
    this._state = { name: 'closing' };
    this._since = this._settings.clock.seconds();
    this._frames = [];
    this._next = 0;
    this._afterReplies(() => this.connection.close());
  }

  /** Runs `action` once the replies gathered so far are written. */
  private _afterReplies(action: () => void): undefined {
    if (this._corks > 0) this._whenWritten = action;
    else action();
  }

  private _cork(): undefined {
    this._corks++;
    this._output.cork();
  }

  private _uncork(): undefined {
    this._output.uncork();
    const action = this._whenWritten;
    if (--this._corks > 0 || action === undefined) return;
    this._whenWritten = undefined;
    action();
  }

  /** Pauses or resumes reading, and moves the deadline, from the state. */
  private _update(): undefined {
    const state = this._state;
    if (state.name === 'closed') return;
    const settings = this._settings;
    const deadline = this._link.deadline;
    if (state.name === 'delivering') deadline.set(state.since + settings.deliveryTimeout);
    else if (this._busy || this._bodyPaused) deadline.clear();
    else if (state.name === 'data' || (state.name === 'chunks' && state.reading)) {
      deadline.set(this._since + settings.dataTimeout);
    } else deadline.set(this._since + settings.commandTimeout);
    // last: resuming may deliver what waits at once, and so run the session again
    this._link.pauseReading(this._bodyPaused || this._next < this._frames.length || this._decoder.holding);
  }

  private readonly _expired = (): void => {
    const state = this._state;
    if (state.name === 'closing' || state.name === 'securing') {
      this.connection.abort();
      return;
    }
    if (state.name === 'delivering') {
      log.error(
        `storing message ${state.intake.id} took more than ${this._settings.deliveryTimeout} seconds`,
      );
      this._state = { name: 'ready', hello: state.hello };
      this._busy = false;
      this._cork();
      this._reply(451, '4.3.0', 'Error: timeout while storing the message');
      this._uncork();
      this._since = this._settings.clock.seconds();
      this._pump();
      return;
    }
    if ('intake' in state) {
      const seconds = this._settings.dataTimeout;
      this._drop(state.intake, new TimeoutError(`no message data for ${seconds} seconds`, { seconds }));
    }
    this._close(421, '4.4.2', `${this._settings.hostname} Error: timeout exceeded`);
  };
}
