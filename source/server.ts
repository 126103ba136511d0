/**
 * `Server`: a listening port as a stream of events, and the connections it accepts.
 *
 * @module
 */
import type { Server as NetServer, Socket } from 'node:net';
import { filter, map, Observable, Subject } from 'rxjs';
import { OnceEvent } from './_once.js';
import { type Address, formatAddress } from './address.js';
import type { ReactorTime } from './clock.js';
import type { Connection, ConnectionOptions } from './connection.js';
import { Deferred } from './deferred.js';
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

/** How a transport turns an accepted socket into a connection. */
export type AcceptSocket = (socket: Socket) => Connection;

/**
 * A `Server` over a `node:net` (or `node:tls`) server. The net server must be created with
 * `pauseOnConnect: true`; `accept` wraps each socket.
 *
 * @example
 * ```ts
 * const server = new NetServerAdapter(net.createServer({ pauseOnConnect: true }), accept, reactorTime, {});
 * server.listenWith(s => s.listen(0, '127.0.0.1'));
 * ```
 */
export class NetServerAdapter implements Server {
  readonly address = new Deferred<Address>();
  private readonly _events = new Subject<ServerEvent>();
  private readonly _open = new Set<Connection>();
  private _closing: OnceEvent | undefined;
  private readonly _closed = new OnceEvent();
  private _connectionSubscribers = 0;
  private _eventSubscribers = 0;

  constructor(
    private readonly _server: NetServer,
    private readonly _accept: AcceptSocket,
    private readonly _time: ReactorTime,
    private readonly _options: ListenOptions,
    private readonly _describeAddress: (server: NetServer) => Address,
    acceptEvent: 'connection' | 'secureConnection' = 'connection',
  ) {
    _server.on('listening', () => {
      const address = this._describeAddress(_server);
      this.address.callback(address);
      this._events.next({ type: 'listening', address });
    });
    _server.on('error', (error: Error) => {
      if (!this.address.called) this.address.errback(error);
      this._events.next({ type: 'error', error });
    });
    _server.on(acceptEvent, (socket: Socket) => this._onSocket(socket));
  }

  get events$(): Observable<ServerEvent> {
    return new Observable<ServerEvent>((subscriber) => {
      this._eventSubscribers++;
      const subscription = this._events.subscribe(subscriber);
      return () => {
        this._eventSubscribers--;
        subscription.unsubscribe();
      };
    });
  }

  get closed(): Deferred<void> {
    return this._closed.wait();
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

  /** The `node:net` server underneath. */
  get netServer(): NetServer {
    return this._server;
  }

  close(options: { gracePeriod?: number } = {}): Deferred<void> {
    if (this._closing === undefined) {
      const closing = new OnceEvent();
      this._closing = closing;
      const gracePeriod = options.gracePeriod ?? this._options.gracePeriod ?? 10;
      this._server.close(() => {
        this._events.next({ type: 'close' });
        this._events.complete();
        closing.fire();
        this._closed.fire();
      });
      if (!this.address.called) this.address.errback(new Error('server closed before it was listening'));
      if (this._open.size > 0) {
        for (const connection of this._open) connection.close();
        const deadline = this._time.callLater(gracePeriod, () => {
          for (const connection of this._open) connection.abort();
        });
        closing.wait().addCallback(() => {
          if (deadline.active()) deadline.cancel();
        });
      }
    }
    return this._closing.wait();
  }

  private _onSocket(socket: Socket): void {
    const { maxConnections, handler } = this._options;
    if (this._closing !== undefined || (maxConnections !== undefined && this._open.size >= maxConnections)) {
      log.warn(`refusing a connection: ${this._closing ? 'closing' : `${maxConnections} connections open`}`);
      socket.destroy();
      return;
    }
    const connection = this._accept(socket);
    this._open.add(connection);
    connection.closed.addCallback(() => {
      this._open.delete(connection);
    });
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
}
