/**
 * `TcpSession`: DNS over one TCP or TLS connection (RFC 7766, RFC 7858): 2-byte-framed
 * queries, several in flight at once and answered as each completes, read paused while too many
 * wait, at most `turns.perTurn` taken per turn of the event loop (the rest of a pipelined flood
 * waits, unread, for the next turns), and the connection closed once it has been idle for a while.
 *
 * @module
 */
import { type Subscription, tap } from 'rxjs';
import { TurnBudget, type TurnOptions } from '../../source/_turn-budget.js';
import { formatAddress } from '../../source/address.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import { Deadline } from '../../source/deadline.js';
import { Deferred, succeed } from '../../source/deferred.js';
import { Logger } from '../../source/log.js';
import type { Session } from '../../source/protocol.js';
import type { Responder } from './_responder.js';
import { encodeMessage } from './encode-message.js';
import type { Message } from './message.js';
import { dnsTcpFrames, encodeTcpFrame } from './tcp-framing.js';

const log = new Logger('spindle.dns');

/** The largest message TCP can frame. */
const tcpMessageLimit = 65_535;

/** Limits of a DNS-over-TCP connection. */
export interface TcpSessionOptions {
  readonly clock: ReactorTime;
  /** Seconds a connection may sit with no query in flight before it is closed. */
  readonly idleTimeout: number;
  /** Queries one connection may have waiting on the forwarder; reading pauses beyond. */
  readonly maxInFlight: number;
  /** Queries answered per read and per turn of the event loop; the rest wait for the next turns, unread. */
  readonly turns: TurnOptions;
}

/**
 * Where a connection is: taking queries, finishing those in flight before closing (after the
 * peer's FIN, an unreadable message, or a drain), or closed.
 */
type TcpPhase = 'reading' | 'finishing' | 'closed';

/** One DNS-over-TCP connection's session. */
export class TcpSession implements Session {
  #phase: TcpPhase = 'reading';
  readonly #inFlight = new Set<Deferred<Message>>();
  readonly #idle: Deadline;
  readonly #reading: Subscription;
  readonly #turns: TurnBudget;
  /** Queries read and not yet taken: past the turn's budget, they wait for the next. */
  #waiting: Uint8Array[] = [];
  /** The peer sent its FIN: the session finishes once the waiting queries are taken. */
  #ended = false;
  #finished: Deferred<void> | undefined;

  constructor(
    private readonly _connection: Connection,
    private readonly _responder: Responder,
    private readonly _options: TcpSessionOptions,
  ) {
    this.#idle = new Deadline(_options.clock, () => {
      log.debug(`closing idle DNS connection from ${formatAddress(_connection.remoteAddress)}`);
      this._connection.close();
    });
    this.#idle.set(_options.clock.seconds() + _options.idleTimeout);
    _connection.closed.addBoth(() => this.#closed());
    this.#turns = new TurnBudget(_options.turns, _connection, () => this.#take());
    this.#reading = _connection.data$
      .pipe(
        tap(() => this.#turns.renew()),
        dnsTcpFrames(),
      )
      .subscribe({
        next: (frame) => {
          this.#waiting.push(frame);
          if (this.#waiting.length === 1) this.#take();
        },
        error: (error: unknown) => {
          log.debug(`DNS connection from ${formatAddress(_connection.remoteAddress)}: ${String(error)}`);
          this._connection.abort();
        },
        complete: () => {
          this.#ended = true;
          this.#take();
        },
      });
  }

  /** Takes no more queries; settles once those in flight are answered. */
  drain(): Deferred<void> {
    this.#finish();
    return this.#finished ?? succeed(undefined);
  }

  /** Takes the waiting queries while the turn's budget lasts; finishes after the FIN once none wait. */
  #take(): void {
    const waiting = this.#waiting;
    let taken = 0;
    while (taken < waiting.length && this.#phase === 'reading' && this.#turns.spend()) {
      this.#query(waiting[taken++] as Uint8Array);
    }
    waiting.splice(0, taken);
    if (waiting.length === 0 && this.#ended) this.#finish();
  }

  #query(frame: Uint8Array): void {
    if (this.#phase !== 'reading') return;
    this.#idle.clear();
    const { response } = this._responder.receive(frame);
    switch (response.kind) {
      case 'drop':
        // a message without even an id: the stream cannot be trusted any more
        if (response.reason === 'unreadable') this.#finish();
        break;
      case 'reply':
        this.#send(response.message);
        break;
      case 'pending':
        this.#wait(response.message);
        break;
    }
    this.#settle();
  }

  #wait(pending: Deferred<Message>): void {
    this.#inFlight.add(pending);
    if (this.#inFlight.size >= this._options.maxInFlight) this._connection.pause();
    pending.addCallback((message) => {
      this.#inFlight.delete(pending);
      if (this.#phase !== 'closed') this.#send(message);
      if (this.#phase === 'reading' && this.#inFlight.size < this._options.maxInFlight)
        this._connection.resume();
      this.#settle();
    });
  }

  #send(message: Message): void {
    this._connection.write(encodeTcpFrame(encodeMessage(message, { maxSize: tcpMessageLimit })));
    this._responder.sent();
  }

  /** After a query: idle when nothing waits; finished when finishing and nothing waits. */
  #settle(): void {
    if (this.#inFlight.size > 0) return;
    if (this.#phase === 'reading') this.#idle.set(this._options.clock.seconds() + this._options.idleTimeout);
    else if (this.#phase === 'finishing') {
      this.#phase = 'closed';
      this.#finished?.callback(undefined);
      this._connection.close();
    }
  }

  #finish(): void {
    if (this.#phase !== 'reading') return;
    this.#phase = 'finishing';
    this.#finished = new Deferred<void>();
    this.#reading.unsubscribe();
    this.#turns.stop();
    this.#waiting = [];
    this.#idle.cancel();
    this.#settle();
  }

  #closed(): void {
    const wasFinishing = this.#phase === 'finishing';
    this.#phase = 'closed';
    this.#idle.cancel();
    this.#reading.unsubscribe();
    this.#turns.stop();
    this.#waiting = [];
    for (const pending of [...this.#inFlight]) pending.cancel();
    this.#inFlight.clear();
    if (wasFinishing) this.#finished?.callback(undefined);
  }
}
