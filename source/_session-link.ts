/**
 * `SessionLink`: what a line-based server session (FTP's, SMTP's) does with its connection,
 * whatever its protocol: reading the peer's bytes, the peer's FIN, the server's drain, pausing the
 * reading, the one movable deadline, and the connection's loss.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import type { ReactorTime } from './clock.js';
import type { Connection } from './connection.js';
import { Deadline } from './deadline.js';
import type { Deferred } from './deferred.js';

/**
 * Where a link is:
 * - `new`: not started;
 * - `reading`: the peer's bytes go to the session;
 * - `ended`: the peer sent its FIN (the connection stays writable: replies still go out);
 * - `closed`: the connection is gone.
 */
export type SessionLinkState = 'new' | 'reading' | 'ended' | 'closed';

/** What a link tells its session. */
export interface SessionLinkHost {
  /** Bytes from the peer. */
  readonly received: (chunk: Uint8Array) => void;
  /** The peer's FIN or a drain came: the session takes what it may, and closes if it is time to. */
  readonly pump: () => void;
  /** The connection is gone (reading and the deadline stopped already): the session drops what is under way. */
  readonly lost: () => void;
  /** The deadline passed. */
  readonly expired: () => void;
}

/**
 * A server session's hold on its connection. `start` registers the connection as its own producer
 * (its reading pauses while its write buffer is full), greets and reads; the session hears of
 * bytes, the FIN, a drain, the deadline and the loss through its `SessionLinkHost`. The session
 * keeps its own state machine; this keeps the facts every such session has: whether the peer has
 * ended (`ended`), whether the server drains it (`draining`), whether reading is paused, and the
 * deadline (`deadline`, set from the session's state, cancelled once the connection is gone).
 *
 * @example
 * ```ts
 * const link = new SessionLink(connection, clock, { received, pump, lost, expired });
 * if (link.start(() => connection.write('220 ready\r\n'))) link.deadline.set(clock.seconds() + 300);
 * link.pauseReading(queue.length >= 32);
 * ```
 */
export class SessionLink {
  /** The one deadline of the session: the session sets and clears it from its state. */
  readonly deadline: Deadline;
  private _state: SessionLinkState = 'new';
  private _draining = false;
  private _paused = false;
  private _subscription: Subscription | undefined = undefined;

  constructor(
    readonly connection: Connection,
    clock: ReactorTime,
    private readonly _host: SessionLinkHost,
  ) {
    this.deadline = new Deadline(clock, _host.expired);
  }

  /** Where the link is. */
  get state(): SessionLinkState {
    return this._state;
  }

  /** Whether the peer has sent its FIN (and the connection is not gone). */
  get ended(): boolean {
    return this._state === 'ended';
  }

  /** Whether the server has asked the session to stop (`drain`). */
  get draining(): boolean {
    return this._draining;
  }

  /**
   * Registers the connection as its own producer, watches for its loss, then (unless it is gone
   * already: false) runs `greet` and reads the peer's bytes.
   */
  start(greet: () => void): boolean {
    const connection = this.connection;
    connection.registerProducer(connection);
    connection.closed.addCallback(() => this._lost());
    if (this._state === 'closed') return false;
    this._state = 'reading';
    greet();
    this._subscription = connection.data$.subscribe({
      next: this._host.received,
      complete: this._ended,
      error: () => undefined, // the connection is lost: `closed` fires next
    });
    return true;
  }

  /** The session's `drain`: marks the link draining, lets the session act on it; fires once the connection is closed. */
  drain(): Deferred<void> {
    this._draining = true;
    this._host.pump();
    return this.connection.closed.addCallback(() => undefined);
  }

  /** Pauses or resumes reading the connection; only a change reaches the connection. */
  pauseReading(paused: boolean): void {
    if (paused === this._paused) return;
    this._paused = paused;
    if (paused) this.connection.pause();
    else this.connection.resume();
  }

  private readonly _ended = (): void => {
    if (this._state === 'reading') this._state = 'ended';
    this._host.pump();
  };

  private _lost(): undefined {
    if (this._state === 'closed') return;
    this._state = 'closed';
    this.deadline.cancel();
    this._subscription?.unsubscribe();
    this._host.lost();
  }
}
