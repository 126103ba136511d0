/**
 * Where an FTP session's next data connection comes from: a passive listener (PASV, EPSV) that
 * takes one connection from the client's own address, or an active target (PORT, EPRT) the server
 * connects to. Private to protocols/ftp.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import { peerHost } from '../../source/_peer-host.js';
import { formatAddress, type InetAddress } from '../../source/address.js';
import type { Connection } from '../../source/connection.js';
import { Deferred, succeed } from '../../source/deferred.js';
import { connect, listen } from '../../source/endpoints.js';
import { ConnectionDone } from '../../source/errors.js';
import { Logger } from '../../source/log.js';
import type { ReactorLike } from '../../source/reactor.js';
import type { Server } from '../../source/server.js';
import type { HostPort } from './host-port.js';

const log = new Logger('spindle.ftp.server');

/**
 * The ports passive listeners take, in turn: a configured range (shared by every session of a
 * server, each listener trying the next free one), or any ephemeral port.
 *
 * @example
 * ```ts
 * const ports = new PassivePorts([50000, 50099]);
 * ports.candidates(); // [50000, 50001, …] from where the last listener stopped
 * ```
 */
export class PassivePorts {
  private _next: number;

  constructor(private readonly _range: readonly [number, number] | undefined) {
    this._next = _range?.[0] ?? 0;
  }

  /**
   * The ports to try for one listener, in order (`[0]`: an ephemeral port), at most 100; the
   * next listener starts one port further.
   */
  candidates(): number[] {
    const range = this._range;
    if (range === undefined) return [0];
    const [low, high] = range;
    const after = (port: number) => (port >= high ? low : port + 1);
    const ports: number[] = [];
    for (let port = this._next, n = 0; n < Math.min(high - low + 1, 100); n++, port = after(port)) {
      ports.push(port);
    }
    this._next = after(this._next);
    return ports;
  }
}

/** Where a passive listener is: waiting for its connection, holding it, given it away, or closed. */
type ListenerState = 'waiting' | 'holding' | 'taken' | 'closed';

/**
 * A passive data listener: one port, taking the first connection from `peer` (the control
 * connection's peer host); a connection from any other address is closed at once (logged) and the
 * wait goes on, against the FTP bounce and port-stealing attacks. Later connections are closed
 * too. `close()` stops listening once the connection given away has closed.
 *
 * @example
 * ```ts
 * const listener = await PassiveListener.open(reactor, '127.0.0.1', ports, '127.0.0.1');
 * reply(227, formatPasv('127.0.0.1', listener.port));
 * const data = await listener.take();
 * ```
 */
export class PassiveListener {
  private _state: ListenerState = 'waiting';
  private _port = 0;
  private _connection: Connection | undefined = undefined;
  private _waiter: Deferred<Connection> | undefined = undefined;
  private readonly _subscription: Subscription;

  private constructor(
    private readonly _server: Server,
    private readonly _peer: string | undefined,
  ) {
    this._subscription = _server.connections$.subscribe((connection) => this._arrived(connection));
  }

  /**
   * Listens on `host` (all interfaces when undefined) on the first free port of `ports`; fires
   * with the listener, or errbacks with the last `CannotListenError`.
   */
  static open(
    reactor: ReactorLike,
    host: string | undefined,
    ports: PassivePorts,
    peer: string | undefined,
  ): Deferred<PassiveListener> {
    const candidates = ports.candidates();
    const attempt = (index: number): Deferred<PassiveListener> => {
      const server = listen(
        { type: 'tcp', port: candidates[index]!, ...(host !== undefined && { host }) },
        { reactor, required: false },
      );
      // subscribed before the address fires, so no connection arrives unhandled
      const listener = new PassiveListener(server, peer);
      return server.address.addCallbacks(
        (address) => listener._bound(address),
        (failure) => {
          listener.close();
          if (index + 1 >= candidates.length) throw failure.value;
          return attempt(index + 1);
        },
      );
    };
    return attempt(0);
  }

  /** The port it listens on. */
  get port(): number {
    return this._port;
  }

  /** The data connection: at once when it came already, else when it comes (cancel stops waiting). */
  take(): Deferred<Connection> {
    const connection = this._connection;
    if (this._state === 'holding' && connection !== undefined) {
      this._state = 'taken';
      return succeed(connection);
    }
    this._waiter = new Deferred<Connection>(() => {
      this._waiter = undefined;
    });
    return this._waiter;
  }

  /** Whether the client's connection came and is waiting to be taken. */
  get connected(): boolean {
    return this._state === 'holding';
  }

  /**
   * Stops listening: a connection not taken is aborted; one taken is let finish first (its owner
   * closes it). A waiter errbacks with `ConnectionDone`.
   */
  close(): void {
    if (this._state === 'closed') return;
    const taken = this._state === 'taken' ? this._connection : undefined;
    if (this._state === 'holding') this._connection?.abort();
    this._state = 'closed';
    this._subscription.unsubscribe();
    const waiter = this._waiter;
    this._waiter = undefined;
    waiter?.errback(new ConnectionDone('the passive listener closed before the data connection came'));
    const server = this._server;
    if (taken === undefined) server.close({ gracePeriod: 0 });
    else taken.closed.addBoth(() => server.close({ gracePeriod: 0 }));
  }

  private _bound(address: InetAddress): PassiveListener {
    this._port = address.port;
    return this;
  }

  private _arrived(connection: Connection): void {
    const from = peerHost(connection.remoteAddress);
    if (this._state !== 'waiting' || from === undefined || from !== this._peer) {
      if (this._state === 'waiting') {
        log.warn(
          `refused a passive data connection from ${formatAddress(connection.remoteAddress)}: not the control connection's peer (${this._peer})`,
          { fields: { peer: formatAddress(connection.remoteAddress) } },
        );
      }
      connection.abort();
      return;
    }
    this._connection = connection;
    const waiter = this._waiter;
    if (waiter === undefined) {
      this._state = 'holding';
      return;
    }
    this._waiter = undefined;
    this._state = 'taken';
    waiter.callback(connection);
  }
}

/**
 * Connects to the client's PORT/EPRT target (already checked to be its own address); fires with
 * the data connection. Cancelling aborts the attempt.
 *
 * @example
 * ```ts
 * const data = await connectActive(reactor, { family: 4, address: '127.0.0.1', port: 50000 }, 30);
 * ```
 */
export function connectActive(reactor: ReactorLike, target: HostPort, timeout: number): Deferred<Connection> {
  return connect({ type: 'tcp', host: target.address, port: target.port, timeout }, { reactor });
}
