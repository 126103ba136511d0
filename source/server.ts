/**
 * `Server`: a listening port as a stream of events, and the connections it accepts.
 *
 * @module
 */
import type { Server as NetServer, Socket } from 'node:net';
import { filter, map, Observable, Subject } from 'rxjs';
import { OnceEvent } from './_once-event.js';
import { type Address, formatAddress } from './address.js';
import type { DelayedCall, ReactorTime } from './clock.js';
import { BaseConnection, type Connection, type ConnectionOptions } from './connection.js';
import { Deferred, maybeDeferred, succeed } from './deferred.js';
import { Failure } from './failure.js';
import { Logger } from './log.js';

/** What happens to a listening server, in order: listening, connections, errors, close. */
export type ServerEvent =
  | { readonly type: 'listening'; readonly address: Address }
  | { readonly type: 'connection'; readonly connection: Connection }
  | { readonly type: 'error'; readonly error: Error }
  | { readonly type: 'close' };

/** Options of `listen`. */
export interface ListenOptions extends ConnectionOptions {
  /**
   * Called with each accepted connection, before it is emitted on `connections$` (Twisted's
   * protocol factory). An exception is logged and drops that connection only.
   */
  handler?: (connection: Connection) => void;
  /** The most connections open at once; more are closed as soon as they are accepted. */
  maxConnections?: number;
  /** Seconds `close()` lets open connections finish before aborting them. Default 10. */
  gracePeriod?: number;
  /**
   * Called by `close()` before it closes the open connections: a protocol's own graceful stop
   * (an HTTP server answers the requests it has taken, then closes its connections). What it
   * returns (a Deferred or promise) is waited for, within the grace period.
   *
   * @example
   * ```ts
   * const app = httpServer(handler);
   * listen('tcp:8080', { handler: app, drain: () => app.shutdown() });
   * ```
   */
  drain?: () => unknown;
}

/**
 * A listening server. `events$` tells everything that happens to it; `connections$` emits each
 * accepted connection. A connection that arrives while nobody handles it (no `handler`, no
 * subscriber to `connections$` or `events$`) is closed at once, with a warning on the log stream.
 *
 * ```text
 * events$:      -L--c---c--e--C|     (L listening, c connection, e error, C close)
 * connections$: ----c---c------|
 * ```
 *
 * @example
 * ```ts
 * const server = listen('tcp:0:interface=127.0.0.1');
 * server.connections$.subscribe(conn => conn.data$.subscribe(conn)); // echo
 * console.log(`listening on ${formatAddress(await server.address)}`);
 * await server.close();
 * ```
 */
export interface Server {
  readonly events$: Observable<ServerEvent>;
  readonly connections$: Observable<Connection>;
  /** Fires with the bound address once listening (the real port for `tcp:0`); errbacks if it cannot listen. */
  readonly address: Deferred<Address>;
  /** The connections open now. */
  readonly connections: ReadonlySet<Connection>;
  /** Fires once the server has stopped listening and all its connections are closed. */
  readonly closed: Deferred<void>;
  /**
   * Stops listening, lets open connections finish for up to `gracePeriod` seconds, then aborts
   * the rest; fires once all are closed.
   */
  close(options?: { gracePeriod?: number }): Deferred<void>;
}

const log = new Logger('spindle.server');

/**
 * What every `Server` shares, whatever accepts its connections: the event streams, the open
 * connections, the `handler` and `maxConnections` options, the rule that a connection nobody
 * handles is closed, and graceful closing with a grace period on the reactor's clock. A subclass
 * calls `accept(connection)` for each arrival, `listening(address)` / `failed(error)` once, and
 * implements `stopListening()`.
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
export abstract class ServerBase implements Server {
  readonly address = new Deferred<Address>();
  private readonly _events = new Subject<ServerEvent>();
  private readonly _open = new Set<Connection>();
  private readonly _closed = new OnceEvent();
  private _bound: Address | undefined;
  private _closing = false;
  private _stoppedListening = false;
  private _deadline: DelayedCall | undefined;
  private _connectionSubscribers = 0;
  private _eventSubscribers = 0;
  private readonly _connectionLost = (connection: Connection) => {
    this._open.delete(connection);
    this._finishIfDone();
  };

  constructor(
    protected readonly options: ListenOptions,
    protected readonly time: ReactorTime,
  ) {}

  /** Stops accepting; fires once the listening socket is closed. */
  protected abstract stopListening(): Deferred<void>;

  get events$(): Observable<ServerEvent> {
    return new Observable<ServerEvent>((subscriber) => {
      this._eventSubscribers++;
      if (this._bound !== undefined && !this._closing)
        subscriber.next({ type: 'listening', address: this._bound });
      const subscription = this._events.subscribe(subscriber);
      return () => {
        this._eventSubscribers--;
        subscription.unsubscribe();
      };
    });
  }

  get connections$(): Observable<Connection> {
    return new Observable<Connection>((subscriber) => {
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

  get connections(): ReadonlySet<Connection> {
    return this._open;
  }

  get closed(): Deferred<void> {
    return this._closed.wait();
  }

  /** Whether it accepts connections: listening, and `close()` not called. */
  get listening(): boolean {
    return this._bound !== undefined && !this._closing;
  }

  close(options: { gracePeriod?: number } = {}): Deferred<void> {
    if (!this._closing) {
      this._closing = true;
      if (!this.address.called) this.address.errback(new Error('server closed before it was listening'));
      const gracePeriod = options.gracePeriod ?? this.options.gracePeriod ?? 10;
      if (this._open.size > 0) {
        this._deadline = this.time.callLater(gracePeriod, () => {
          for (const connection of this._open) connection.abort();
        });
        const drain = this.options.drain;
        (drain === undefined ? succeed(undefined) : maybeDeferred(drain)).addBoth((result) => {
          if (result instanceof Failure) log.error('draining the server failed', { error: result });
          for (const connection of this._open) connection.close();
        });
      }
      this.stopListening().addBoth(() => {
        this._stoppedListening = true;
        this._finishIfDone();
      });
    }
    return this._closed.wait();
  }

  /** The server is listening on `address`. */
  protected listeningOn(address: Address): void {
    this._bound = address;
    this.address.callback(address);
    this._events.next({ type: 'listening', address });
  }

  /** The server could not listen, or its socket failed. */
  protected failed(error: Error): void {
    if (!this.address.called) this.address.errback(error);
    this._events.next({ type: 'error', error });
  }

  /**
   * A connection arrived: it is refused (aborted) if the server is closing or full, given to the
   * `handler`, and emitted on `events$` and `connections$`.
   */
  protected accept(connection: Connection): void {
    const { maxConnections, handler } = this.options;
    if (this._closing || (maxConnections !== undefined && this._open.size >= maxConnections)) {
      log.warn(`refusing a connection: ${this._closing ? 'closing' : `${maxConnections} connections open`}`);
      connection.abort();
      return;
    }
    this._open.add(connection);
    // Not `connection.closed`: a Deferred and a closure per connection cost ~400 bytes of heap.
    if (connection instanceof BaseConnection) BaseConnection.onceLost(connection, this._connectionLost);
    else connection.closed.addCallback(() => this._connectionLost(connection));
    if (handler !== undefined) {
      try {
        handler(connection);
      } catch (error) {
        log.error(`connection handler failed for ${formatAddress(connection.remoteAddress)}`, { error });
        connection.abort();
        return;
      }
    } else if (this._connectionSubscribers === 0 && this._eventSubscribers === 0) {
      log.warn(`nobody handles connections: closing the one from ${formatAddress(connection.remoteAddress)}`);
      connection.abort();
      return;
    }
    this._events.next({ type: 'connection', connection });
  }

  private _finishIfDone(): void {
    if (!this._closing || !this._stoppedListening || this._open.size > 0 || this._closed.fired) return;
    if (this._deadline?.active()) this._deadline.cancel();
    this._events.next({ type: 'close' });
    this._events.complete();
    this._closed.fire();
  }
}

/** How a transport turns an accepted socket into a connection. */
export type AcceptSocket = (socket: Socket) => Connection;

/**
 * A `Server` over a `node:net` (or `node:tls`) server. The net server should be created with
 * `pauseOnConnect: true`; `wrap` turns each socket into a connection.
 *
 * @example
 * ```ts
 * const net = createServer({ pauseOnConnect: true });
 * const server = new NetServerAdapter(net, (s) => new StreamConnection(s, 'server', …), reactor, {}, serverAddress);
 * net.listen(0, '127.0.0.1');
 * ```
 */
export class NetServerAdapter extends ServerBase {
  constructor(
    private readonly _server: NetServer,
    wrap: AcceptSocket,
    time: ReactorTime,
    options: ListenOptions,
    describeAddress: (server: NetServer) => Address,
    acceptEvent: 'connection' | 'secureConnection' = 'connection',
  ) {
    super(options, time);
    _server.on('listening', () => this.listeningOn(describeAddress(_server)));
    _server.on('error', (error: Error) => this.failed(error));
    _server.on(acceptEvent, (socket: Socket) => {
      if (!this.listening) socket.destroy();
      else this.accept(wrap(socket));
    });
  }

  /** The `node:net` server underneath. */
  get netServer(): NetServer {
    return this._server;
  }

  protected stopListening(): Deferred<void> {
    const stopped = new Deferred<void>();
    if (this._server.listening) {
      this._server.close(() => stopped.callback(undefined));
    } else {
      // Not bound yet (or never will be): close it if it still comes up.
      this._server.once('listening', () => this._server.close());
      stopped.callback(undefined);
    }
    return stopped;
  }
}
