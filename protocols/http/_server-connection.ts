/**
 * `ServerConnection`: HTTP/1.1 on one server connection: requests parsed from its bytes, handed
 * to the handler in order, answered in order, with keep-alive, pipelining, timeouts and graceful
 * closing. Private to protocols/http.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import { formatAddress } from '../../source/address.js';
import type { ReactorTime } from '../../source/clock.js';
import type { CloseReason, Connection } from '../../source/connection.js';
import { ConnectionDone, TimeoutError } from '../../source/errors.js';
import type { DateField } from './_server-date.js';
import { Deadline } from './_server-deadline.js';
import { Exchange, type ExchangeHost } from './_server-exchange.js';
import { CorkedOutput } from './_server-output.js';
import type { IncomingRequest } from './_server-request.js';
import type { AccessLogRecord } from './access-log.js';
import { HttpTruncatedError } from './http-error.js';
import type { HeadEvent, ParseEvent, RequestHead } from './message.js';
import { RequestParser, type RequestParserOptions } from './parse-request.js';

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
  readonly maxBodyBytes: number;
  readonly maxPipelined: number;
  readonly parser: RequestParserOptions;
  /** Where access log records go, or undefined while nobody listens. */
  accessLog(): ((record: AccessLogRecord) => void) | undefined;
  /** Reports a handler or response failure (`status` 0: the response was cut short). */
  report(request: IncomingRequest | undefined, peer: string, error: unknown, status: number): void;
  /** The connection has closed. */
  closed(connection: ServerConnection): void;
}

/**
 * The HTTP/1.1 server side of one connection. Bytes go through a `RequestParser`; each request
 * head becomes an `Exchange` whose handler runs at once, up to `maxPipelined` unanswered
 * exchanges (past that the connection stops reading until one is answered); responses go out in
 * request order, those ready together in one write. One movable deadline covers the header
 * timeout (from a head's first byte), the body timeout (between body bytes, while the body is
 * read), the idle timeout (between exchanges) and the lingering close. A connection that must
 * close (a request said so, an error, a timeout, shutdown) answers what it has taken, sends FIN,
 * then reads and drops what the client still sends until it closes too, so that unread bytes do
 * not turn the close into a reset that destroys the response.
 *
 * @example
 * ```ts
 * new ServerConnection(settings, connection).start();
 * ```
 */
export class ServerConnection implements ExchangeHost {
  readonly output: CorkedOutput;
  private readonly _parser: RequestParser;
  private readonly _deadline: Deadline;
  private _events: ParseEvent<RequestHead>[] = [];
  private _next = 0;
  private readonly _queue: Exchange[] = [];
  /** The exchange whose request body is being read from the connection. */
  private _reading: Exchange | undefined = undefined;
  private _failure: unknown = undefined;
  /** No more requests are taken: the connection closes once the queue is answered. */
  private _stopped = false;
  /** Input is dropped unread: after an error, or while closing. */
  private _ignoring = false;
  private _eof = false;
  private _closing = false;
  private _closed = false;
  private _pipelineFull = false;
  private _bodyPauses = 0;
  private _paused = false;
  private _driving = false;
  private _again = false;
  private _served = 0;
  /** When the current request head's first bytes came (-1: no head in progress). */
  private _headStart = -1;
  /** When the last bytes came, or the body wait started. */
  private _lastData = 0;
  /** Whether the body timeout runs: a body is being read, and the client is expected to send it. */
  private _waitingForBody = false;
  private _idleSince: number;
  private _closingSince = 0;
  private _subscription: Subscription | undefined = undefined;
  private _peer: string | undefined = undefined;

  constructor(
    private readonly _settings: ServerSettings,
    readonly connection: Connection,
  ) {
    this.output = new CorkedOutput(connection);
    this._parser = new RequestParser(_settings.parser);
    this._deadline = new Deadline(_settings.clock, this._expired);
    this._idleSince = _settings.clock.seconds();
  }

  /** The peer's address, formatted. */
  get peer(): string {
    this._peer ??= formatAddress(this.connection.remoteAddress);
    return this._peer;
  }

  /** Starts reading requests. */
  start(): void {
    const connection = this.connection;
    connection.registerProducer(connection);
    connection.closed.addCallback((reason) => this._lost(reason));
    if (this._closed) return;
    this._subscription = connection.data$.subscribe({
      next: this._received,
      complete: this._ended,
      error: () => undefined, // the connection is lost: `closed` fires next
    });
    this._updateDeadline();
  }

  /** Shutdown: takes no more requests, closes once those taken are answered. */
  drain(): void {
    if (this._closed) return;
    this._stopped = true;
    this._drive();
  }

  /** The grace period is over: closes at once. */
  abort(): void {
    this.connection.abort();
  }

  dateLine(): string {
    return this._settings.date.line();
  }

  keepAliveAfter(exchange: Exchange): boolean {
    if (!exchange.keepAlive || this._closing) return false;
    const queue = this._queue;
    return !(this._stopped && queue[queue.length - 1] === exchange);
  }

  isCurrent(exchange: Exchange): boolean {
    return this._queue[0] === exchange;
  }

  wake(): void {
    this._drive();
  }

  bodyFull(full: boolean): void {
    this._bodyPauses += full ? 1 : -1;
    if (this._driving) return; // acted on at the end of the round
    this._updatePause();
    this._updateDeadline();
  }

  report(exchange: Exchange, error: unknown, status: number): void {
    this._settings.report(exchange.request, this.peer, error, status);
  }

  record(exchange: Exchange, completed: boolean): void {
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
    if (this._ignoring) return;
    const events = this._events;
    try {
      this._parser.push(chunk, events);
    } catch (error) {
      this._failure = error;
      this._ignoring = true;
    }
    this._lastData = this._settings.clock.seconds();
    this._drive();
  };

  private readonly _ended = (): void => {
    this._eof = true;
    if (this._closing) {
      this.connection.close();
      return;
    }
    if (!this._ignoring) {
      this._ignoring = true;
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
    if (this._closed) return;
    this._closed = true;
    this._deadline.cancel();
    this._subscription?.unsubscribe();
    const error =
      reason instanceof ConnectionDone
        ? new ConnectionDone('the connection closed before the exchange ended')
        : reason;
    const reading = this._reading;
    this._reading = undefined;
    for (const exchange of this._queue.splice(0)) exchange.abandon(error);
    reading?.body?.fail(error); // when its exchange was answered already
    this._events = [];
    this._next = 0;
    this._settings.closed(this);
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
    if (this._closed) return;
    this._driving = true;
    this.output.cork();
    try {
      do {
        this._again = false;
        this._dispatch();
        this._pump();
      } while (this._again && !this._closed);
    } finally {
      this._driving = false;
      this.output.uncork();
    }
    if (this._closed) return;
    if (this._stopped && this._queue.length === 0 && !this._closing) this._close();
    // A head begun and not finished (after any complete requests in the same bytes) is timed from
    // when its bytes came: the header timeout (slowloris).
    if (this._headStart < 0 && !this._ignoring && this._parser.readingHead) this._headStart = this._lastData;
    this._updatePause();
    this._updateDeadline();
  }

  /** Hands the parsed events to their exchanges, starting new exchanges while the pipeline has room. */
  private _dispatch(): void {
    const events = this._events;
    let next = this._next;
    while (next < events.length && !this._closed) {
      const event = events[next]!;
      if (event.type === 'body') {
        this._reading?.body?.push(event.data);
      } else if (event.type === 'end') {
        const exchange = this._reading;
        this._reading = undefined;
        exchange?.body?.end();
      } else if (this._stopped) {
        // no more requests: this one and all after it are dropped
        this._ignoring = true;
        next = events.length;
        break;
      } else if (this._queue.length >= this._settings.maxPipelined) {
        this._pipelineFull = true;
        break;
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

  /** A request head: a new exchange, its handler called. */
  private _begin(event: HeadEvent<RequestHead>): void {
    const settings = this._settings;
    this._headStart = -1;
    const exchange = new Exchange(this, this._lastData, event, settings.maxBodyBytes);
    this._queue.push(exchange);
    if (exchange.body !== undefined) this._reading = exchange;
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
      queue.shift();
      this._served++;
      if (exchange.closeAfter || (exchange.body !== undefined && !exchange.body.ended)) {
        this._stopped = true;
        this._ignoring = true;
        for (const rest of queue.splice(0)) rest.abandon(new ConnectionDone('the connection is closing'));
      } else if (exchange.upgrade && !this._stopped) {
        // the upgrade was declined (answered as a plain request): the held bytes are HTTP again
        try {
          this._parser.resume(this._events);
        } catch (error) {
          this._failure = error;
          this._ignoring = true;
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
    this._ignoring = true;
    this._pipelineFull = false;
    this._events.length = 0;
    this._next = 0;
    this._headStart = -1;
    const reading = this._reading;
    this._reading = undefined;
    if (reading !== undefined) reading.inputFailed(error);
    else if (!(error instanceof HttpTruncatedError)) {
      this._queue.push(Exchange.failed(this, this._settings.clock.seconds(), error));
    }
  }

  /** Closes after the last response: FIN now, then drop what comes until the client closes too. */
  private _close(): void {
    this._closing = true;
    this._ignoring = true;
    const reading = this._reading;
    this._reading = undefined;
    reading?.body?.fail(new ConnectionDone('the connection closed before the request body ended'));
    this._closingSince = this._settings.clock.seconds();
    if (this._eof || !this.connection.writable) this.connection.close();
    else this.connection.end();
  }

  private _updatePause(): void {
    const paused = !this._closing && (this._pipelineFull || this._bodyPauses > 0);
    if (paused === this._paused) return;
    this._paused = paused;
    if (paused) this.connection.pause();
    else this.connection.resume();
  }

  private _updateDeadline(): void {
    if (this._closed) return;
    const settings = this._settings;
    const deadline = this._deadline;
    if (this._closing) {
      deadline.set(this._closingSince + settings.idleTimeout);
      return;
    }
    const reading = this._reading;
    const waitingForBody = reading !== undefined && !this._paused && !reading.awaitingContinue;
    if (waitingForBody !== this._waitingForBody) {
      // the client is expected to send (again) from now on: the wait starts now
      this._waitingForBody = waitingForBody;
      if (waitingForBody) this._lastData = settings.clock.seconds();
    }
    if (reading !== undefined) {
      if (waitingForBody) deadline.set(this._lastData + settings.bodyTimeout);
      else deadline.clear();
    } else if (this._headStart >= 0) {
      deadline.set(this._headStart + settings.headerTimeout);
    } else if (this._queue.length === 0) {
      deadline.set(this._idleSince + (this._served === 0 ? settings.headerTimeout : settings.idleTimeout));
    } else {
      deadline.clear();
    }
  }

  private readonly _expired = (): void => {
    if (this._closed) return;
    const settings = this._settings;
    if (this._closing) {
      this.connection.close();
    } else if (this._reading !== undefined) {
      this._inputFailed(
        new TimeoutError(`no request body bytes for ${settings.bodyTimeout} seconds`, {
          seconds: settings.bodyTimeout,
        }),
      );
    } else if (this._headStart >= 0) {
      this._inputFailed(
        new TimeoutError(`the request head took more than ${settings.headerTimeout} seconds`, {
          seconds: settings.headerTimeout,
        }),
      );
    } else {
      this.connection.close();
      return;
    }
    this._drive();
  };
}
