/**
 * `MemoryServer`: a listening `Server` with no socket, that a test (or `MemoryReactor`) hands
 * connections to.
 *
 * @module
 */
import { filter, map, Observable, Subject } from 'rxjs';
import { OnceEvent } from '../_once.js';
import { type Address, formatAddress } from '../address.js';
import type { DelayedCall, ReactorTime } from '../clock.js';
import type { Connection } from '../connection.js';
import { Deferred } from '../deferred.js';
import type { StreamServerEndpoint } from '../endpoint-description.js';
import { Logger } from '../log.js';
import type { ListenOptions, Server, ServerEvent } from '../server.js';
import { trackOpen } from './_open-doubles.js';

const log = new Logger('spindle.testing.server');

/**
 * A `Server` in memory (what `MemoryReactor.listenStream` returns): listening at once, on the
 * address it was given; `accept(connection)` is a connection arriving. It behaves as a real
 * server does: the `handler` option runs first, `maxConnections` is enforced, a connection nobody
 * handles is aborted, and `close()` closes the open connections, aborting those still open after
 * the grace period (on the reactor's clock).
 *
 * `events$` gives each new subscriber a `listening` event first while the server listens, since
 * this server was listening before anyone could subscribe.
 *
 * ```text
 * accept(c1) accept(c2) close()
 * events$:  L----c1------c2------C|
 * ```
 *
 * @example
 * ```ts
 * const server = new MemoryReactor().listenStream({ type: 'tcp', port: 25 });
 * server.connections$.subscribe((conn) => smtpSession(conn));
 * server.accept(new StringTransport());
 * ```
 */
export class MemoryServer implements Server {
  readonly address: Deferred<Address>;
  /** Where it was asked to listen. */
  readonly endpoint: StreamServerEndpoint;
  /** The options it was started with. */
  readonly options: ListenOptions;
  /** The address it listens on (what `address` fires with), at hand without waiting. */
  readonly boundAddress: Address;
  private readonly _events = new Subject<ServerEvent>();
  private readonly _open = new Set<Connection>();
  private readonly _time: ReactorTime;
  private readonly _forget: () => void;
  private _closing = false;
  private readonly _closed = new OnceEvent();
  private _deadline: DelayedCall | undefined = undefined;

  constructor(endpoint: StreamServerEndpoint, address: Address, options: ListenOptions, time: ReactorTime) {
    this.endpoint = endpoint;
    this.boundAddress = address;
    this.options = options;
    this._time = time;
    this.address = new Deferred<Address>();
    this.address.callback(address);
    this._forget = trackOpen({
      description: `MemoryServer on ${formatAddress(address)}`,
      dispose: () => {
        for (const connection of this._open) connection.abort();
        this.close({ gracePeriod: 0 });
      },
    });
  }

  /** Whether it still accepts connections (`close()` not called). */
  get listening(): boolean {
    return !this._closing;
  }

  get closed(): Deferred<void> {
    return this._closed.wait();
  }

  get events$(): Observable<ServerEvent> {
    return new Observable<ServerEvent>((subscriber) => {
      if (this.listening) subscriber.next({ type: 'listening', address: this.boundAddress });
      return this._events.subscribe(subscriber);
    });
  }

  get connections$(): Observable<Connection> {
    return this._events.pipe(
      filter((event) => event.type === 'connection'),
      map((event) => event.connection),
    );
  }

  get connections(): ReadonlySet<Connection> {
    return this._open;
  }

  /**
   * A connection arrives: it is refused (aborted) if the server is closing or full, given to the
   * `handler`, and emitted on `events$` and `connections$`.
   *
   * @example
   * ```ts
   * const transport = new StringTransport();
   * server.accept(transport); // the protocol's greeting is in transport.text()
   * ```
   */
  accept(connection: Connection): void {
    const { maxConnections, handler } = this.options;
    if (!this.listening || (maxConnections !== undefined && this._open.size >= maxConnections)) {
      log.warn(`refusing a connection: ${this.listening ? `${maxConnections} connections open` : 'closing'}`);
      connection.abort();
      return;
    }
    this._open.add(connection);
    connection.closed.addCallback(() => {
      this._open.delete(connection);
      if (this._open.size === 0 && !this.listening) this._finish();
    });
    if (handler !== undefined) {
      try {
        handler(connection);
      } catch (error) {
        log.error(`connection handler failed for ${formatAddress(connection.remoteAddress)}`, { error });
        connection.abort();
        return;
      }
    } else if (!this._events.observed) {
      log.warn(`nobody handles connections: closing the one from ${formatAddress(connection.remoteAddress)}`);
      connection.abort();
      return;
    }
    this._events.next({ type: 'connection', connection });
  }

  close(options: { gracePeriod?: number } = {}): Deferred<void> {
    if (!this._closing) {
      this._closing = true;
      if (this._open.size === 0) {
        this._finish();
      } else {
        const gracePeriod = options.gracePeriod ?? this.options.gracePeriod ?? 10;
        this._deadline = this._time.callLater(gracePeriod, () => {
          for (const connection of this._open) connection.abort();
        });
        for (const connection of this._open) connection.close();
      }
    }
    return this._closed.wait();
  }

  /** Every connection is closed after `close()`: the server is closed. */
  private _finish(): void {
    if (this._deadline?.active()) this._deadline.cancel();
    this._forget();
    this._events.next({ type: 'close' });
    this._events.complete();
    this._closed.fire();
  }
}
