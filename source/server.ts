/**
 * `Server`: a listening port as a stream of events, the connections it accepts, and the protocol
 * it runs on them; `ServerBase`, what every server shares whatever accepts its connections.
 *
 * @module
 */
import { filter, map, Observable, type Observer, Subject, Subscriber, type Subscription } from 'rxjs';
import { ConnectionLimits, type LimitPassed } from './_connection-limits.js';
import { OnceEvent } from './_once-event.js';
import { count } from './_option-checks.js';
import { peerHost } from './_peer-host.js';
import { type Address, formatAddress } from './address.js';
import type { DelayedCall, ReactorTime } from './clock.js';
import { BaseConnection, type CloseReason, type Connection, type ConnectionOptions } from './connection.js';
import { type Deferred, maybeDeferred } from './deferred.js';
import { CannotListenError, ConnectionLost, ServerClosedError } from './errors.js';
import { Failure } from './failure.js';
import { Logger } from './log.js';
import { isSession, type Protocol, type Session } from './protocol.js';

/** What happens to a listening server, in order: listening, connections, errors, close. */
export type ServerEvent =
  | { readonly type: 'listening'; readonly address: Address }
  | { readonly type: 'connection'; readonly connection: Connection }
  | { readonly type: 'error'; readonly error: Error }
  | { readonly type: 'close' };

/**
 * Options of `listen`, whatever runs on the connections.
 *
 * @example
 * ```ts
 * listen('tcp:8080', httpServer(app), { maxConnections: 10_000, gracePeriod: 30 });
 * ```
 */
export interface ListenOptions {
  /** Bytes an async iterator of a connection may hold unread before its socket is paused. Default 64 KiB. */
  readHighWaterMark?: number;
  /** The most connections open at once (a TLS one counts from its TCP accept); more are refused. */
  maxConnections?: number;
  /**
   * The most connections open at once from one peer host (an IPv4-mapped IPv6 address counts as
   * its IPv4 one; Unix socket peers count only against `maxConnections`); more are refused.
   */
  maxConnectionsPerPeer?: number;
  /**
   * Seconds `close()` (and the reactor's shutdown) lets open connections finish before aborting
   * them. Default 10 (the reactor's `shutdownGracePeriod`).
   */
  gracePeriod?: number;
  /**
   * Whether the program cannot do without this server (default true): a failure to listen then
   * ends a running reactor's run (exit code 1 when it owns the process), and is logged as an
   * error. With false, the failure is logged as a warning and `address` errbacks with it, and the
   * program goes on (to try another port, say).
   */
  required?: boolean;
}

/**
 * Options of `listen` for a server with no protocol, whose connections go to `connections$`
 * subscribers.
 *
 * @example
 * ```ts
 * listen('tcp:7', { allowHalfOpen: true }).connections$.subscribe((conn) => answerLater(conn));
 * ```
 */
export interface StreamListenOptions extends ListenOptions {
  /**
   * Keep connections writable after the peer's FIN. Default false. (A `Protocol` declares this
   * itself, as `halfClose`.)
   */
  allowHalfOpen?: boolean;
}

/**
 * How a server got its connections so far.
 *
 * @example
 * ```ts
 * const { accepted, refused, lost } = server.stats;
 * ```
 */
export interface ServerStats {
  /**
   * Connections taken in past the limits: given to the protocol (or to `connections$`), or
   * dropped because nothing handles them or the protocol's `serve` threw (those count as lost too).
   */
  readonly accepted: number;
  /**
   * Connections refused as they arrived: the server was full (`maxConnections`), their peer had
   * `maxConnectionsPerPeer` open, or the server was closing.
   */
  readonly refused: number;
  /** Accepted connections that ended uncleanly: reset by the peer, or aborted. */
  readonly lost: number;
}

/**
 * A listening server. `events$` tells everything that happens to it; `connections$` emits each
 * accepted connection (after the protocol, if any, has started on it). A connection that arrives
 * while nobody handles it (no protocol, no subscriber to `connections$` or `events$`) is closed
 * at once, with a warning on the log stream.
 *
 * ```text
 * events$:      -L--c---c--e--C|     (L listening, c connection, e error, C close)
 * connections$: ----c---c------|
 * ```
 *
 * @example
 * ```ts
 * const server = listen('tcp:0:interface=127.0.0.1', echo);
 * const { port } = await server.address;
 * await server.close();
 * ```
 */
export interface Server<A extends Address = Address> {
  readonly events$: Observable<ServerEvent>;
  /**
   * Each accepted connection. A subscriber that throws is logged with the connection's peer, and
   * that connection is aborted.
   */
  readonly connections$: Observable<Connection>;
  /**
   * Fires with the bound address once listening (the real port for `tcp:0`); errbacks with
   * `CannotListenError` if it cannot listen (also logged as an error), or `ServerClosedError` if
   * closed first. Each read gives a Deferred of its own.
   */
  readonly address: Deferred<A>;
  /** The protocol run on each connection, if one was given. */
  readonly protocol: Protocol | undefined;
  /** The connections open now. */
  readonly connections: ReadonlySet<Connection>;
  /** How many connections were accepted, refused and lost so far. */
  readonly stats: ServerStats;
  /** Fires once the server has stopped listening (or failed to) and all its connections are closed. */
  readonly closed: Deferred<void>;
  /**
   * Stops listening, then lets open connections finish for up to `gracePeriod` seconds: each
   * protocol session drains (answers what it took), then its connection is closed after its
   * writes flush; at the deadline the rest are aborted. Fires once all are closed.
   */
  close(options?: { gracePeriod?: number }): Deferred<void>;
}

/**
 * What a server is asked to be: where (described, for messages), what runs on its connections,
 * and its options.
 *
 * @example
 * ```ts
 * const setup: ServerSetup = { endpoint: 'tcp:8080', protocol: echo, options: {} };
 * ```
 */
export interface ServerSetup {
  /** Where it listens, as an endpoint description (`tcp:8080:interface=127.0.0.1`). */
  readonly endpoint: string;
  readonly protocol: Protocol | undefined;
  readonly options: StreamListenOptions;
}

/** Where a server is in its life. */
type ServerState =
  | 'starting' // asked to listen, not bound yet
  | 'listening' // accepting connections
  | 'draining' // close() called (or binding failed): stopping listening, connections finishing
  | 'closed'; // not listening, no connection left

const log = new Logger('spindle.server');

/**
 * `connections$`: an Observable whose direct subscribers are guarded: a `next` that throws is
 * logged with the connection's peer and the connection aborted (rxjs would only report the error
 * later, with no way to tell which connection it left unanswered). Subscribers made by operators
 * (`connections$.pipe(…)`) are passed through as they are.
 */
class ConnectionStream extends Observable<Connection> {
  override subscribe(
    observerOrNext?: Partial<Observer<Connection>> | ((value: Connection) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const observer: Partial<Observer<Connection>> =
      typeof observerOrNext === 'function' || observerOrNext === null || observerOrNext === undefined
        ? {
            ...(observerOrNext && { next: observerOrNext }),
            ...(error && { error }),
            ...(complete && { complete }),
          }
        : observerOrNext;
    const next = observer.next;
    if (next === undefined) return super.subscribe(observer);
    return super.subscribe({
      next: (connection) => {
        try {
          next.call(observer, connection);
        } catch (failure) {
          const peer = formatAddress(connection.remoteAddress);
          log.error(`a connections$ subscriber failed on the connection from ${peer}: aborting it`, {
            error: failure,
            fields: { peer },
          });
          connection.abort();
        }
      },
      error: (reason: unknown) => observer.error?.(reason),
      complete: () => observer.complete?.(),
    });
  }
}

/**
 * What every `Server` shares, whatever accepts its connections: the event streams, the protocol
 * run on each connection, the open connections and their sessions, `maxConnections` and
 * `maxConnectionsPerPeer`, the rule that a connection nobody handles is closed, and graceful
 * closing with the one grace timer on the reactor's clock. A subclass calls `accept(connection)`
 * for each arrival, `listeningOn(address)` once bound or `failed(error)`, and implements
 * `stopListening()`; one that spends something on an arrival before it is a connection (a TLS
 * handshake) counts it with `take` first and `release`s it after.
 *
 * `events$` gives a subscriber that comes while the server listens a `listening` event first.
 *
 * @example
 * ```ts
 * class LoopServer extends ServerBase {
 *   protected stopListening() { return succeed(undefined); }
 * }
 * ```
 */
export abstract class ServerBase<A extends Address = Address> implements Server<A> {
  readonly protocol: Protocol | undefined;
  /** The endpoint asked for, as a description. */
  readonly endpoint: string;
  protected readonly options: StreamListenOptions;
  private _state: ServerState = 'starting';
  private readonly _address = new OnceEvent<A>();
  private readonly _closed = new OnceEvent();
  private readonly _events = new Subject<ServerEvent>();
  private readonly _open = new Set<Connection>();
  /** The sessions of open connections that can be drained. */
  private readonly _sessions = new Map<Connection, Session>();
  /** Every connection counted, the open ones and (on TLS) those in their handshake. */
  private readonly _limits: ConnectionLimits;
  private _bound: A | undefined = undefined;
  private _stoppedListening = false;
  private _graceTimer: DelayedCall | undefined = undefined;
  private _connectionSubscribers = 0;
  private _eventSubscribers = 0;
  private _accepted = 0;
  private _refused = 0;
  private _lost = 0;
  private readonly _connectionLost = (connection: Connection, reason: CloseReason) => {
    this._open.delete(connection);
    this._sessions.delete(connection);
    this._limits.release(this._hostOf(connection.remoteAddress));
    if (reason instanceof ConnectionLost) this._lost++;
    this._finishIfDone();
  };

  constructor(
    setup: ServerSetup,
    protected readonly time: ReactorTime,
  ) {
    this.endpoint = setup.endpoint;
    this.protocol = setup.protocol;
    this.options = setup.options;
    const infinity = Number.POSITIVE_INFINITY;
    this._limits = new ConnectionLimits(
      count('maxConnections', setup.options.maxConnections, infinity),
      count('maxConnectionsPerPeer', setup.options.maxConnectionsPerPeer, infinity),
    );
  }

  /** Stops accepting; fires once the listening socket is closed. */
  protected abstract stopListening(): Deferred<void>;

  get events$(): Observable<ServerEvent> {
    return new Observable<ServerEvent>((subscriber) => {
      this._eventSubscribers++;
      if (this._bound !== undefined && this._state === 'listening')
        subscriber.next({ type: 'listening', address: this._bound });
      const subscription = this._events.subscribe(subscriber);
      return () => {
        this._eventSubscribers--;
        subscription.unsubscribe();
      };
    });
  }

  get connections$(): Observable<Connection> {
    return new ConnectionStream((subscriber) => {
      this._connectionSubscribers++;
      const subscription = this._events
        .pipe(
          filter((event) => event.type === 'connection'),
          map((event) => event.connection),
        )
        .subscribe(subscriber);
      return () => {
        this._connectionSubscribers--;
        subscription.unsubscribe();
      };
    });
  }

  get address(): Deferred<A> {
    return this._address.wait();
  }

  get connections(): ReadonlySet<Connection> {
    return this._open;
  }

  get stats(): ServerStats {
    return { accepted: this._accepted, refused: this._refused, lost: this._lost };
  }

  get closed(): Deferred<void> {
    return this._closed.wait();
  }

  /** Whether it accepts connections: bound, and `close()` not called. */
  get listening(): boolean {
    return this._state === 'listening';
  }

  close(options: { gracePeriod?: number } = {}): Deferred<void> {
    const state = this._state;
    if (state === 'starting' || state === 'listening') {
      this._state = 'draining';
      if (state === 'starting') {
        this._address.fail(new ServerClosedError(`the server on ${this.endpoint} closed before it listened`));
      }
      const gracePeriod = options.gracePeriod ?? this.options.gracePeriod ?? 10;
      this._drainConnections(gracePeriod);
      this.stopListening().addBoth(() => {
        this._stoppedListening = true;
        this._finishIfDone();
      });
    }
    return this._closed.wait();
  }

  /** The server is listening on `address`. */
  protected listeningOn(address: A): void {
    if (this._state !== 'starting') return; // closed meanwhile: stopListening() unbinds it
    this._state = 'listening';
    this._bound = address;
    this._address.fire(address);
    this._events.next({ type: 'listening', address });
  }

  /**
   * The server could not listen (`error` becomes a `CannotListenError` if it is not one), or,
   * once listening, its socket failed. A failure to listen is logged as an error and closes the
   * server; a later one is logged as a warning and emitted on `events$`.
   */
  protected failed(error: Error): void {
    if (this._state !== 'starting') {
      log.warn(`the server on ${this.endpoint} failed: ${error.message}`, {
        error,
        fields: { endpoint: this.endpoint },
      });
      this._events.next({ type: 'error', error });
      return;
    }
    const failure =
      error instanceof CannotListenError
        ? error
        : new CannotListenError(this.endpoint, error.message, {
            cause: error,
            reason: (error as { code?: string }).code,
          });
    // a server the program can do without (`required: false`) is its caller's to replace: a warning
    const level = this.options.required === false ? 'warn' : 'error';
    log[level](failure.message, { error: failure, fields: { endpoint: this.endpoint } });
    this._state = 'draining';
    this._stoppedListening = true;
    this._address.fail(failure);
    this._events.next({ type: 'error', error: failure });
    this._finishIfDone();
  }

  /**
   * Counts an arrival from `peer` against the limits, before anything is spent on it (a TLS
   * handshake), until `release(peer)`; or refuses it (counted and logged; the caller drops it)
   * if the server is closing or full, in all or for that peer. True if it was taken.
   */
  protected take(peer: Address): boolean {
    const passed = this._state === 'listening' ? this._limits.take(this._hostOf(peer)) : 'closing';
    if (passed === undefined) return true;
    this._refuse(peer, passed);
    return false;
  }

  /** Counts out an arrival `take` counted that will not become a connection, or already has. */
  protected release(peer: Address): void {
    this._limits.release(this._hostOf(peer));
  }

  /** The host a peer counts under, when a limit per peer is set. */
  private _hostOf(peer: Address): string | undefined {
    return this._limits.perPeer ? peerHost(peer) : undefined;
  }

  private _refuse(peer: Address, passed: LimitPassed | 'closing'): void {
    this._refused++;
    const from = formatAddress(peer);
    const fields = { peer: from };
    if (passed === 'closing') {
      log.debug(`refusing the connection from ${from}: the server is closing`, { fields });
    } else if (passed === 'total') {
      log.warn(`refusing the connection from ${from}: ${this.options.maxConnections} connections open`, {
        fields,
      });
    } else {
      log.warn(
        `refusing the connection from ${from}: ${this.options.maxConnectionsPerPeer} connections open from ${peerHost(peer)}`,
        { fields },
      );
    }
  }

  /**
   * A connection arrived: it is refused (aborted) if the server is closing or full, in all or
   * for its peer; else the protocol starts on it, and it is emitted on `events$` and `connections$`.
   */
  protected accept(connection: Connection): void {
    if (!this.take(connection.remoteAddress)) {
      connection.abort();
      return;
    }
    this._open.add(connection);
    this._accepted++;
    // Not `connection.closed`: a Deferred and a closure per connection cost ~400 bytes of heap.
    if (connection instanceof BaseConnection) BaseConnection.onceLost(connection, this._connectionLost);
    else connection.closed.addCallback((reason) => this._connectionLost(connection, reason));
    const protocol = this.protocol;
    if (protocol !== undefined) {
      let session: Session | undefined;
      try {
        session = protocol.serve(connection);
      } catch (error) {
        const peer = formatAddress(connection.remoteAddress);
        log.error(`the ${protocol.name ?? 'protocol'} failed on the connection from ${peer}: aborting it`, {
          error,
          fields: { peer },
        });
        connection.abort();
        return;
      }
      if (isSession(session) && this._open.has(connection)) this._sessions.set(connection, session);
    } else if (this._connectionSubscribers === 0 && this._eventSubscribers === 0) {
      const peer = formatAddress(connection.remoteAddress);
      log.warn(`nobody handles connections: closing the one from ${peer}`, { fields: { peer } });
      connection.abort();
      return;
    }
    this._events.next({ type: 'connection', connection });
  }

  /**
   * Graceful close of every open connection: a session drains first, then its connection closes
   * (after its writes flush); the one grace timer aborts whatever is open at the deadline.
   */
  private _drainConnections(gracePeriod: number): void {
    if (this._open.size === 0) return;
    const deadline = this.time.seconds() + gracePeriod;
    this._graceTimer = this.time.callLater(gracePeriod, () => {
      for (const connection of this._open) connection.abort();
    });
    for (const connection of [...this._open]) {
      const session = this._sessions.get(connection);
      if (session === undefined) {
        connection.close();
        continue;
      }
      maybeDeferred(() => session.drain(deadline)).addBoth((result) => {
        if (result instanceof Failure) {
          const peer = formatAddress(connection.remoteAddress);
          log.error(`draining the connection from ${peer} failed`, { error: result, fields: { peer } });
        }
        connection.close();
      });
    }
  }

  private _finishIfDone(): void {
    if (this._state !== 'draining' || !this._stoppedListening || this._open.size > 0) return;
    this._state = 'closed';
    if (this._graceTimer?.active()) this._graceTimer.cancel();
    this._events.next({ type: 'close' });
    this._events.complete();
    this._closed.fire();
  }
}

/**
 * The options each connection of a server is made with: the read high-water mark, and half-close
 * as the protocol declares it (or, with no protocol, as the options say).
 *
 * @example
 * ```ts
 * new StreamConnection(socket, 'server', tcpAddresses(socket), connectionOptionsOf(setup));
 * ```
 */
export function connectionOptionsOf(setup: ServerSetup): ConnectionOptions {
  const { readHighWaterMark, allowHalfOpen } = setup.options;
  return {
    ...(readHighWaterMark !== undefined && { readHighWaterMark }),
    allowHalfOpen:
      setup.protocol !== undefined ? (setup.protocol.halfClose ?? false) : (allowHalfOpen ?? false),
  };
}
