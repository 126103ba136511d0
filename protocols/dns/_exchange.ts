/**
 * One query sent to one server over one transport (a UDP socket or a TCP connection): the
 * response check, the deadline, and closing the transport before the result is given.
 *
 * @module
 */
import type { DelayedCall, ReactorTime } from '../../source/clock.js';
import { Deferred } from '../../source/deferred.js';
import { TimeoutError } from '../../source/errors.js';
import type { ReactorLike } from '../../source/reactor.js';
import type { NameServer } from './_resolv-conf.js';
import { decodeMessage } from './decode-message.js';
import { FormatError } from './dns-error.js';
import { namesEqual } from './domain-name.js';
import type { Message } from './message.js';

/** Why a message that came in was not taken as the answer. */
export type DropReason = 'malformed' | 'not a response' | 'wrong id' | 'wrong question' | 'wrong source';

/** What an exchange needs besides its query and server. */
export interface ExchangeOptions {
  /** The clock the deadline runs on. */
  readonly clock: ReactorTime;
  /** Seconds to wait for the answer, transport setup included. */
  readonly timeout: number;
  /** Told of every message dropped. */
  readonly onDropped: (reason: DropReason, server: NameServer) => void;
}

/** What a transport's query function takes besides the query: the exchange's options and a reactor. */
export interface QueryOptions extends ExchangeOptions {
  /** The reactor to open the socket or connection on. */
  readonly reactor: ReactorLike;
}

/**
 * Sends `bytes`, the encoding of `query`, to `server` over one transport and fires with the
 * response, as `Exchange.result` does.
 */
export type SendQuery = (
  bytes: Uint8Array,
  query: Message,
  server: NameServer,
  options: QueryOptions,
) => Deferred<Message>;

/**
 * `waiting` for the answer; `closing` the transport, the outcome known; `done` once the result
 * is given or the exchange was cancelled.
 */
type ExchangeState = 'waiting' | 'closing' | 'done';

/**
 * The part of a query's exchange that does not depend on the transport. The transport feeds it
 * what it receives (`receive`) or how it failed (`fail`), and tells it how to close (`closeWith`);
 * `result` fires with the first response that answers the query (its id, and its question's name
 * without regard to case, type and class), after the transport is closed, or errbacks with
 * `TimeoutError` once `timeout` has passed. Cancelling `result` closes the transport at once.
 *
 * @example
 * ```ts
 * const exchange = new Exchange(query, server, { clock, timeout: 3, onDropped });
 * exchange.closeWith(() => port.close());
 * port.datagrams$.subscribe(({ data }) => exchange.receive(data));
 * return exchange.result;
 * ```
 */
export class Exchange {
  readonly result: Deferred<Message>;
  private _state: ExchangeState = 'waiting';
  private readonly _timer: DelayedCall;
  private _close: () => PromiseLike<unknown> | undefined = () => undefined;

  constructor(
    private readonly _query: Message,
    private readonly _server: NameServer,
    private readonly _options: ExchangeOptions,
  ) {
    this.result = new Deferred<Message>(() => this._cancel());
    const { timeout } = _options;
    this._timer = _options.clock.callLater(timeout, () =>
      this.fail(
        new TimeoutError(`no answer from ${describeServer(_server)} within ${timeout} seconds`, {
          seconds: timeout,
        }),
      ),
    );
  }

  /** Whether the exchange still waits for its answer. */
  get waiting(): boolean {
    return this._state === 'waiting';
  }

  /**
   * Sets what closes the transport (it may return a Deferred or promise that fires once closed);
   * the last one set is used.
   */
  closeWith(close: () => PromiseLike<unknown> | undefined): void {
    this._close = close;
  }

  /** Offers a message received; it settles the exchange if it answers the query. */
  receive(bytes: Uint8Array): void {
    if (this._state !== 'waiting') return;
    let response: Message;
    try {
      response = decodeMessage(bytes);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      this.drop('malformed');
      return;
    }
    const reason = mismatch(this._query, response);
    if (reason !== undefined) this.drop(reason);
    else this._settle(() => this.result.callback(response));
  }

  /** Notes a message dropped for `reason`. */
  drop(reason: DropReason): void {
    this._options.onDropped(reason, this._server);
  }

  /** Ends the exchange with `error` (the transport failed, or the time is up). */
  fail(error: unknown): void {
    this._settle(() => this.result.errback(error));
  }

  private _settle(give: () => void): void {
    if (this._state !== 'waiting') return;
    this._state = 'closing';
    this._stopTimer();
    const closed = this._close();
    const done = () => {
      this._state = 'done';
      if (!this.result.called) give();
    };
    if (closed === undefined) done();
    else closed.then(done, done);
  }

  private _cancel(): void {
    if (this._state !== 'waiting') return;
    this._state = 'done';
    this._stopTimer();
    this._close();
  }

  private _stopTimer(): void {
    if (this._timer.active()) this._timer.cancel();
  }
}

/** Why `response` does not answer `query`, or undefined when it does. */
function mismatch(query: Message, response: Message): DropReason | undefined {
  if (!response.qr) return 'not a response';
  if (response.id !== query.id) return 'wrong id';
  const asked = query.questions[0];
  const echoed = response.questions[0];
  if (
    asked === undefined ||
    echoed === undefined ||
    response.questions.length !== 1 ||
    echoed.type !== asked.type ||
    echoed.class !== asked.class ||
    !namesEqual(echoed.name, asked.name)
  ) {
    return 'wrong question';
  }
  return undefined;
}

/** `host:port`, brackets around an IPv6 address. */
export function describeServer(server: NameServer): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
