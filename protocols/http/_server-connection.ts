/**
 * `ServerConnection`: HTTP/1.1 on one server connection: requests parsed from its bytes, handed
 * to the handler in order, answered in order, with keep-alive, pipelining, timeouts and graceful
 * closing. Private to protocols/http.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import { TurnBudget, type TurnOptions } from '../../source/_turn-budget.js';
import { formatAddress } from '../../source/address.js';
import type { ReactorTime } from '../../source/clock.js';
import type { CloseReason, Connection } from '../../source/connection.js';
import { CorkedOutput } from '../../source/corked-output.js';
import { Deadline } from '../../source/deadline.js';
import { ConnectionDone, TimeoutError } from '../../source/errors.js';
import type { Pausable } from '../../source/producer.js';
import { isSession, type Session } from '../../source/protocol.js';
import type { DateField } from './_date-field.js';
import type { IncomingRequest } from './_incoming-request.js';
import { type ExchangeHost, ServerExchange } from './_server-exchange.js';
import type { AccessLogRecord } from './access-log.js';
import { HttpTruncatedError } from './http-error.js';
import type { HeadEvent, ParseEvent, RequestHead } from './message.js';
import { RequestParser, type RequestParserOptions } from './parse-request.js';
import type { ProtocolUpgrade } from './response.js';

/**
 * What every connection of one `httpServer` shares: the handler, the options, the clock, and
 * where reports go.
 *
 * @example
 * ```ts
 * new ServerConnection(settings, connection).start(); // settings made once by httpServer
 * ```
 */
export interface ServerSettings {
  readonly handler: (request: IncomingRequest) => unknown;
  readonly clock: ReactorTime;
  readonly date: DateField;
  readonly headerTimeout: number;
  readonly idleTimeout: number;
  readonly bodyTimeout: number;
  readonly requestTimeout: number;
  readonly maxBodyBytes: number;
  readonly maxPipelined: number;
  readonly turns: TurnOptions;
  readonly parser: RequestParserOptions;
  /** Where access log records go, or undefined while nobody listens. */
  accessLog(): ((record: AccessLogRecord) => void) | undefined;
  /** Reports a handler or response failure (`status` 0: the response was cut short). */
  report(request: IncomingRequest | undefined, peer: string, error: unknown, status: number): void;
}

/**
 * Where a server connection is, and so which deadline runs:
 * - `awaiting-head`: idle between requests (or before the first): the idle timeout (the header
 *   timeout before the first request);
 * - `reading-head`: a request head has begun and is not complete: the header timeout (slowloris);
 * - `reading-body`: a request's body is read from the client: the body timeout between bytes and
 *   the request timeout over head and body, while the client is expected to send (not while the
 *   server itself holds the body back: the handler not reading it, the pipeline full, or the
 *   connection's write buffer full because the client does not read what it is sent);
 * - `answering`: requests taken, answers not all out, nothing read: no deadline (the handler's time);
 * - `lingering`: FIN sent after the last answer, dropping what the client still sends until it
 *   closes too (so unread bytes do not turn the close into a reset): the idle timeout, and at
 *   most `maxDroppedBytes` dropped (then it closes, as node:http does at once);
 * - `switched`: a `101` went out; the connection speaks another protocol, HTTP's deadlines are off;
 * - `closed`.
 */
export type ServerPhase =
  | 'awaiting-head'
  | 'reading-head'
  | 'reading-body'
  | 'answering'
  | 'lingering'
  | 'switched'
  | 'closed';

/** What happens to input: parsed into requests, or read and dropped (after an error, or once no request is taken). */
type InputState = 'parsing' | 'dropping';

/**
 * The most input a connection reads and drops once no request is taken (after a 431 for a
 * header flood, say): past it, the connection stops reading, and closes once its last answer is
 * out (at once if it is). So a client that keeps sending costs a bounded read, not all it
 * sends within the idle timeout.
 */
const maxDroppedBytes = 64 * 1024;

/**
 * The HTTP/1.1 server side of one connection, and its `Session` (the server drains it). Bytes go
 * through a `RequestParser`; each request head becomes a `ServerExchange` whose handler runs at once,
 * up to `maxPipelined` unanswered exchanges (past that, or while the write buffer is full, the
 * connection stops reading until one is answered, or it drains), and at most `turns.perTurn`
 * requests per read and per turn of the event loop (the rest wait, unread, for the next turns);
 * responses go out in request
 * order, those ready together in one write. One movable
 * deadline serves every phase (see `ServerPhase`). A connection that must close (a request said
 * so, an error, a timeout, a drain) answers what it has taken, then lingers.
 *
 * @example
 * ```ts
 * const session = new ServerConnection(settings, connection);
 * session.start();
 * ```
 */
export class ServerConnection implements ExchangeHost, Session {
  readonly output: CorkedOutput;
  private readonly _parser: RequestParser;
  private readonly _deadline: Deadline;
  /** Requests taken per read and per turn: past them, the rest wait for the next turn. */
  private readonly _turns: TurnBudget;
  private _phase: ServerPhase = 'awaiting-head';
  private _input: InputState = 'parsing';
  private _events: ParseEvent<RequestHead>[] = [];
  private _next = 0;
  private readonly _queue: ServerExchange[] = [];
  /** The exchange whose request body is being read from the connection. */
  private _reading: ServerExchange | undefined = undefined;
  private _failure: unknown = undefined;
  /** No more requests are taken: the connection closes once those taken are answered. */
  private _stopped = false;
  /** The client sent its FIN. */
  private _eof = false;
  private _pipelineFull = false;
  /** The connection's write buffer is full: no request is taken until it drains. */
  private _writeFull = false;
  private _bodyPauses = 0;
  /** Bytes read and dropped since input began to be dropped. */
  private _dropped = 0;
  /** The connection's write buffer is past its high-water mark (the client does not read fast enough). */
  private _outputFull = false;
  /** Told by the connection when its write buffer fills and drains: reading pauses meanwhile. */
  private readonly _output: Pausable = {
    pauseProducing: () => this._outputFullness(true),
    resumeProducing: () => this._outputFullness(false),
  };
  private _paused = false;
  private _driving = false;
  private _again = false;
  /** The `Date` line of the round of writes under way. */
  private _date: string | undefined = undefined;
  private _served = 0;
  /** When the current request head's first bytes came (-1: no head in progress). */
  private _headStart = -1;
  /** When the last bytes came, or the body wait started. */
  private _lastData = 0;
  /** Since when the client is expected to send the body being read (-1: it is not, now). */
  private _waitStart = -1;
  /** Seconds the client has spent sending the request being read, waits under way not counted. */
  private _clientTime = 0;
  private _idleSince: number;
  private _closingSince = 0;
  private _subscription: Subscription | undefined = undefined;
  private _peer: string | undefined = undefined;
  /** Where the connection goes once the 101 being written is out. */
  private _upgrade: ProtocolUpgrade | undefined = undefined;
  /** What the upgrade returned: the new protocol's session, drained in HTTP's stead. */
  private _upgraded: unknown = undefined;

  constructor(
    private readonly _settings: ServerSettings,
    readonly connection: Connection,
  ) {
    this.output = new CorkedOutput(connection);
    this._parser = new RequestParser(_settings.parser);
    this._deadline = new Deadline(_settings.clock, this._expired);
    this._turns = new TurnBudget(_settings.turns, connection, () => this._drive());
    this._idleSince = _settings.clock.seconds();
  }

  /** The peer's address, formatted. */
  get peer(): string {
    this._peer ??= formatAddress(this.connection.remoteAddress);
    return this._peer;
  }

  /** Where the connection is. */
  get phase(): ServerPhase {
    return this._phase;
  }

  /** Starts reading requests. */
  start(): void {
    const connection = this.connection;
    connection.registerProducer(this._output);
    connection.closed.addCallback((reason) => this._lost(reason));
    if (this._phase === 'closed') return;
    this._subscription = connection.data$.subscribe({
      next: this._received,
      complete: this._ended,
      error: () => undefined, // the connection is lost: `closed` fires next
    });
    this._updateDeadline();
  }

  /**
   * Session: takes no more requests, answers those taken, then closes; fires once the connection
   * is closed. (The server aborts it at `deadline`.)
   */
  drain(deadline: number): unknown {
    if (this._phase === 'switched') {
      const upgraded = this._upgraded;
      return isSession(upgraded) ? upgraded.drain(deadline) : this.connection.closed;
    }
    if (this._phase !== 'closed') {
      this._stopped = true;
      this._drive();
    }
    return this.connection.closed.addCallback(() => undefined);
  }

  /** The `Date` line: read once per round of writes (a batch of pipelined answers shares it). */
  dateLine(): string {
    if (!this._driving) return this._settings.date.line();
    this._date ??= this._settings.date.line();
    return this._date;
  }

  /**
   * Whether the connection may carry another exchange after `exchange` (Twisted's
   * `checkPersistence`): the request allows it (HTTP/1.1 without `Connection: close`, HTTP/1.0
   * with `keep-alive`), the response did not close it (`Connection: close`, a failure), the
   * connection is not closing, the request's body has all arrived once the exchange is
   * `answered` (while a streamed answer goes on, a body being read may still end first), and,
   * once no more requests are taken, it is not the last one taken.
   */
  persistsAfter(exchange: ServerExchange, answered: boolean): boolean {
    if (!exchange.keepAlive || exchange.closeAfter || this._phase === 'lingering') return false;
    const body = exchange.body;
    if (body !== undefined && !body.ended && (answered || !body.reading)) return false;
    const queue = this._queue;
    return !(this._stopped && queue[queue.length - 1] === exchange);
  }

  isCurrent(exchange: ServerExchange): boolean {
    return this._queue[0] === exchange;
  }

  wake(): void {
    this._drive();
  }

  bodyFull(full: boolean): void {
    this._bodyPauses += full ? 1 : -1;
    this._paceChanged();
  }

  switchProtocols(upgrade: ProtocolUpgrade): void {
    this._upgrade = upgrade;
  }

  report(exchange: ServerExchange, error: unknown, status: number): void {
    this._settings.report(exchange.request, this.peer, error, status);
  }

  record(exchange: ServerExchange, completed: boolean): void {
    const sink = this._settings.accessLog();
    if (sink === undefined) return;
    const request = exchange.request;
    sink({
      method: request?.method ?? '-',
      target: request?.target ?? '-',
      version: request?.version ?? '-',
      status: exchange.status,
      bytes: exchange.bytes,
      time: exchange.time,
      duration: this._settings.clock.seconds() - exchange.time,
      peer: this.peer,
      completed,
      referer: request?.headers.get('referer'),
      userAgent: request?.headers.get('user-agent'),
    });
  }

  private readonly _received = (chunk: Uint8Array): void => {
    if (this._input === 'dropping') {
      this._discarded(chunk.byteLength);
      return;
    }
    const events = this._events;
    this._turns.renew();
    try {
      this._parser.push(chunk, events);
    } catch (error) {
      this._failure = error;
      this._input = 'dropping';
    }
    this._lastData = this._settings.clock.seconds();
    this._drive();
  };

  private readonly _ended = (): void => {
    this._eof = true;
    if (this._phase === 'lingering') {
      this.connection.close();
      return;
    }
    if (this._input === 'parsing') {
      this._input = 'dropping';
      try {
        this._parser.end(this._events);
      } catch (error) {
        this._failure = error;
      }
    }
    this._stopped = true;
    this._drive();
  };

  private _lost(reason: CloseReason): void {
    if (this._phase === 'closed' || this._phase === 'switched') return;
    this._phase = 'closed';
    this._deadline.cancel();
    this._turns.stop();
    this._subscription?.unsubscribe();
    const error =
      reason instanceof ConnectionDone
        ? new ConnectionDone('the connection closed before the exchange ended')
        : reason;
    const reading = this._reading;
    this._reading = undefined;
    for (const exchange of this._queue.splice(0)) exchange.lost(error);
    reading?.body?.fail(error); // when its exchange was answered already
    this._events = [];
    this._next = 0;
  }

  /**
   * Takes the parsed events in (as far as the pipeline bound allows) and writes what is ready,
   * until nothing moves; the writes of one round leave together.
   */
  private _drive(): void {
    if (this._driving) {
      this._again = true;
      return;
    }
    if (this._phase === 'closed') return;
    this._driving = true;
    this.output.cork();
    try {
      do {
        this._again = false;
        this._dispatch();
        this._pump();
        // a pipeline's answers go out before more requests are taken: none past a full write buffer
        if (this._again && this._pipelineFull) this._flush();
      } while (this._again && !this._isClosed());
    } finally {
      this._driving = false;
      this._date = undefined;
      if (!this.output.uncork()) this._awaitDrain();
    }
    if (this._isClosed()) return;
    if (this._phase === 'switched') {
      this._handOver();
      return;
    }
    if (this._stopped && this._queue.length === 0 && this._phase !== 'lingering') this._close();
    // A head begun and not finished (after any complete requests in the same bytes) is timed from
    // when its bytes came: the header timeout (slowloris).
    if (this._headStart < 0 && this._input === 'parsing' && this._parser.readingHead) {
      this._headStart = this._lastData;
    }
    this._updatePhase();
    this._updatePause();
    this._updateDeadline();
  }

  /** Hands the parsed events to their exchanges, starting new exchanges while the pipeline has room. */
  private _dispatch(): void {
    const events = this._events;
    let next = this._next;
    while (next < events.length && this._phase !== 'closed') {
      const event = events[next]!;
      if (event.type === 'body') {
        this._reading?.body?.push(event.data);
      } else if (event.type === 'end') {
        const exchange = this._reading;
        this._reading = undefined;
        exchange?.body?.end();
        if (this._stopped) this._input = 'dropping'; // that was the last request taken
      } else if (this._stopped) {
        // no more requests: this one and all after it are dropped
        this._input = 'dropping';
        next = events.length;
        break;
      } else if (this._queue.length >= this._settings.maxPipelined || this._writeFull) {
        this._pipelineFull = true;
        break;
      } else if (!this._turns.spend()) {
        break; // the turn's budget is spent: the next turn drives on
      } else {
        this._begin(event);
      }
      next++;
    }
    if (next < events.length) {
      this._next = next;
      return;
    }
    this._next = 0;
    if (events.length > 0) events.length = 0;
    this._pipelineFull = false;
    if (this._failure !== undefined) {
      const failure = this._failure;
      this._failure = undefined;
      this._inputFailed(failure);
    }
  }

  /** Writes what the round has gathered so far. */
  private _flush(): void {
    const written = this.output.uncork();
    this.output.cork();
    if (!written) this._awaitDrain();
  }

  /** The write buffer is full: takes no request until it drains (a client pipelining without reading). */
  private _awaitDrain(): void {
    if (this._writeFull) return;
    this._writeFull = true;
    this.output.drained().addCallback(() => {
      this._writeFull = false;
      this._drive();
    });
  }

  /** A request head: a new exchange, its handler called. */
  private _begin(event: HeadEvent<RequestHead>): void {
    const settings = this._settings;
    const start = this._headStart >= 0 ? this._headStart : this._lastData;
    this._headStart = -1;
    const exchange = new ServerExchange(this, this._lastData, event, settings.maxBodyBytes);
    this._queue.push(exchange);
    if (exchange.body !== undefined) {
      this._reading = exchange;
      this._clientTime = this._lastData - start;
      this._waitStart = -1;
    }
    if (!event.keepAlive) this._stopped = true;
    exchange.run(settings.handler);
  }

  /** Writes the responses whose turn has come, in order; closes after one that must be the last. */
  private _pump(): void {
    const queue = this._queue;
    while (queue.length > 0) {
      const exchange = queue[0]!;
      exchange.takeTurn();
      if (!exchange.done) return;
      const persists = this.persistsAfter(exchange, true);
      queue.shift();
      this._served++;
      if (this._upgrade !== undefined) {
        this._phase = 'switched'; // the upgrading request is the last the parser gave: the queue is empty
        return;
      }
      if (!persists) {
        this._stopped = true;
        this._input = 'dropping';
        for (const rest of queue.splice(0)) rest.lost(new ConnectionDone('the connection is closing'));
      } else if (exchange.upgrade) {
        // the upgrade was declined (answered as a plain request): the held bytes are HTTP again
        try {
          this._parser.resume(this._events);
        } catch (error) {
          this._failure = error;
          this._input = 'dropping';
        }
        this._again = true;
      }
      if (queue.length === 0) this._idleSince = this._settings.clock.seconds();
      if (this._pipelineFull) this._again = true;
    }
  }

  /**
   * The input failed (bad bytes, truncation, a timeout): the request being read gets the error
   * (its body errors, its answer is the error's status), or, between requests, an exchange of
   * its own answers it; then the connection closes.
   */
  private _inputFailed(error: unknown): void {
    this._stopped = true;
    this._input = 'dropping';
    this._pipelineFull = false;
    this._events.length = 0;
    this._next = 0;
    this._headStart = -1;
    const reading = this._reading;
    this._reading = undefined;
    if (reading !== undefined) reading.inputFailed(error);
    else if (!(error instanceof HttpTruncatedError)) {
      this._queue.push(ServerExchange.failed(this, this._settings.clock.seconds(), error));
    }
  }

  /**
   * After the 101 is out: HTTP lets the connection go (its deadline, its subscription, its
   * pauses) and the upgrade takes it over, with the bytes the parser held after the request.
   */
  private _handOver(): void {
    const upgrade = this._upgrade!;
    this._upgrade = undefined;
    this._input = 'dropping';
    this._deadline.cancel();
    this._turns.stop();
    this._subscription?.unsubscribe();
    this._subscription = undefined;
    this.connection.unregisterProducer();
    if (this._paused) {
      this._paused = false;
      this.connection.resume();
    }
    const head = this._parser.detach();
    try {
      this._upgraded = upgrade(this.connection, head);
    } catch (error) {
      this._settings.report(undefined, this.peer, error, 0);
      this.connection.abort();
    }
  }

  /** Input read and dropped: past `maxDroppedBytes`, the connection stops reading, and closes if it lingers. */
  private _discarded(bytes: number): void {
    this._dropped += bytes;
    if (this._dropped < maxDroppedBytes) return;
    this._updatePause();
    if (this._phase === 'lingering') this.connection.close();
  }

  /**
   * Closes after the last response: FIN now, then linger, dropping what comes until the client
   * closes too (at once when it has sent too much to drop already).
   */
  private _close(): void {
    this._phase = 'lingering';
    this._input = 'dropping';
    const reading = this._reading;
    this._reading = undefined;
    reading?.body?.fail(new ConnectionDone('the connection closed before the request body ended'));
    this._closingSince = this._settings.clock.seconds();
    if (this._eof || !this.connection.writable || this._dropped >= maxDroppedBytes) this.connection.close();
    else this.connection.end();
  }

  private _outputFullness(full: boolean): void {
    this._outputFull = full;
    if (this._phase !== 'switched' && this._phase !== 'closed') this._paceChanged();
  }

  /** Something that pauses reading changed: acted on now, or at the end of the round under way. */
  private _paceChanged(): void {
    if (this._driving) return;
    this._updatePhase();
    this._updatePause();
    this._updateDeadline();
  }

  /** Whether the connection is gone (a method, so that the compiler does not narrow the phase across calls). */
  private _isClosed(): boolean {
    return this._phase === 'closed';
  }

  /** The phase the facts say (lingering and closed are set where they begin). */
  private _updatePhase(): void {
    if (this._phase === 'lingering' || this._phase === 'switched' || this._phase === 'closed') return;
    this._phase =
      this._reading !== undefined
        ? 'reading-body'
        : this._headStart >= 0
          ? 'reading-head'
          : this._queue.length > 0
            ? 'answering'
            : 'awaiting-head';
  }

  private _updatePause(): void {
    const paused =
      this._dropped >= maxDroppedBytes ||
      (this._phase !== 'lingering' && (this._pipelineFull || this._bodyPauses > 0 || this._outputFull));
    if (paused === this._paused) return;
    this._paused = paused;
    if (paused) this.connection.pause();
    else this.connection.resume();
  }

  /** Sets the one deadline from the phase. */
  private _updateDeadline(): void {
    const settings = this._settings;
    const deadline = this._deadline;
    switch (this._phase) {
      case 'closed':
      case 'switched':
        return;
      case 'lingering':
        deadline.set(this._closingSince + settings.idleTimeout);
        return;
      case 'reading-head':
        deadline.set(this._headStart + Math.min(settings.headerTimeout, settings.requestTimeout));
        return;
      case 'answering':
        deadline.clear();
        return;
      case 'awaiting-head':
        deadline.set(this._idleSince + (this._served === 0 ? settings.headerTimeout : settings.idleTimeout));
        return;
      case 'reading-body': {
        const waiting = !this._paused && !this._reading!.awaitingContinue;
        const now = settings.clock.seconds();
        if (waiting && this._waitStart < 0) {
          // the client is expected to send (again) from now on: the wait starts now
          this._waitStart = now;
          this._lastData = now;
        } else if (!waiting && this._waitStart >= 0) {
          this._clientTime += now - this._waitStart;
          this._waitStart = -1;
        }
        if (waiting) deadline.set(Math.min(this._bodyDeadline(), this._requestDeadline()));
        else deadline.clear();
        return;
      }
    }
  }

  /** When the body times out: `bodyTimeout` after its last bytes. */
  private _bodyDeadline(): number {
    return this._lastData + this._settings.bodyTimeout;
  }

  /** When the request times out: its client time reaches `requestTimeout`. */
  private _requestDeadline(): number {
    return this._waitStart + this._settings.requestTimeout - this._clientTime;
  }

  private readonly _expired = (): void => {
    const settings = this._settings;
    switch (this._phase) {
      case 'closed':
      case 'switched':
        return;
      case 'lingering':
      case 'awaiting-head':
        this.connection.close();
        return;
      case 'reading-body': {
        const whole = this._requestDeadline() <= this._bodyDeadline();
        const seconds = whole ? settings.requestTimeout : settings.bodyTimeout;
        this._inputFailed(
          new TimeoutError(
            whole
              ? `the request took more than ${seconds} seconds to arrive`
              : `no request body bytes for ${seconds} seconds`,
            { seconds },
          ),
        );
        break;
      }
      case 'reading-head': {
        const seconds = Math.min(settings.headerTimeout, settings.requestTimeout);
        this._inputFailed(
          new TimeoutError(`the request head took more than ${seconds} seconds`, { seconds }),
        );
        break;
      }
      case 'answering':
        return;
    }
    this._drive();
  };
}
