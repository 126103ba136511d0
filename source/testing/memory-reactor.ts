/**
 * `MemoryReactor`: a reactor with no I/O, on a virtual clock (Twisted's `MemoryReactorClock`).
 *
 * @module
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { type Address, inetAddress } from '../address.js';
import { Clock, type DelayedCall } from '../clock.js';
import { type Connection, type ConnectionOptions, UnsupportedTransportError } from '../connection.js';
import { type Deferred, fail, succeed } from '../deferred.js';
import type { ClientEndpoint, StreamServerEndpoint, UDPEndpoint } from '../endpoint-description.js';
import { describeServerEndpoint } from '../endpoint-description.js';
import { ConnectionRefusedError } from '../errors.js';
import type { Protocol } from '../protocol.js';
import type { ReactorLike } from '../reactor.js';
import type { StreamListenOptions } from '../server.js';
import type { DatagramOptions, DatagramPort } from '../transports/udp.js';
import { flushMemory } from './_memory-duplex.js';
import { connectedPair } from './connected-pair.js';
import { MemoryServer } from './memory-server.js';

/** Options of `MemoryReactor`. */
export interface MemoryReactorOptions {
  /** The clock to run on. Default a new `Clock`. */
  clock?: Clock;
  /** Buffer size of the in-memory connections `connectStream` makes. Default 16 KiB. */
  highWaterMark?: number;
}

/** A `listenStream` or `listenDatagram` call, as `MemoryReactor` recorded it. */
export interface ListenCall {
  readonly endpoint: StreamServerEndpoint | UDPEndpoint;
  readonly options: StreamListenOptions | DatagramOptions;
  /** The protocol given, for a stream listen. */
  readonly protocol?: Protocol;
}

/** A `connectStream` call, as `MemoryReactor` recorded it. */
export interface ConnectCall {
  readonly endpoint: ClientEndpoint;
  readonly options: ConnectionOptions;
}

/** First port handed to `port: 0` listens, as an ephemeral port range starts. */
const firstEphemeralPort = 49152;

/** The port a memory server listens on, if it is a TCP or TLS one. */
function portOf(server: MemoryServer): number | undefined {
  return server.boundAddress.type === 'tcp' ? server.boundAddress.port : undefined;
}

/**
 * A `ReactorLike` for tests: time is a virtual `Clock` (`clock`; `advance` it), every call is
 * recorded (`listens`, `connects`), and nothing touches the network.
 *
 * `listenStream` returns a `MemoryServer`, listening at once on the endpoint's address (`port: 0`
 * gets a made-up port from 49152 up; no address-in-use check). `connectStream` to an endpoint
 * some open memory server listens on (same type and port, or same Unix path; the host is not
 * compared) makes a `connectedPair`, hands the server end to that server and fires at once with
 * the client end; `tls:` endpoints get a pair whose ends report `secure` without encrypting. With
 * no such server it fails at once with `ConnectionRefusedError`. `listenDatagram` is recorded,
 * then throws `UnsupportedTransportError`: there is no memory UDP.
 *
 * @example
 * ```ts
 * const reactor = new MemoryReactor();
 * listen('tcp:7', { reactor }).connections$.subscribe((conn) => conn.data$.subscribe(conn));
 * const client = await connect('tcp:host=127.0.0.1:port=7', { reactor });
 * client.write('echo');
 * await reactor.flush();
 * ```
 */
export class MemoryReactor implements ReactorLike, SchedulerLike {
  /** The virtual clock every timer of this reactor runs on. */
  readonly clock: Clock;
  private readonly _highWaterMark: number | undefined;
  private readonly _listens: ListenCall[] = [];
  private readonly _connects: ConnectCall[] = [];
  private readonly _started: MemoryServer[] = [];
  private _nextPort = firstEphemeralPort;
  private _clients = 0;

  constructor(options: MemoryReactorOptions = {}) {
    this.clock = options.clock ?? new Clock();
    this._highWaterMark = options.highWaterMark;
  }

  /** Every `listenStream` and `listenDatagram` call, in order. */
  get listens(): readonly ListenCall[] {
    return this._listens;
  }

  /** Every `connectStream` call, in order. */
  get connects(): readonly ConnectCall[] {
    return this._connects;
  }

  /** The servers started through this reactor and not closed yet (as `Reactor.servers`). */
  get servers(): ReadonlySet<MemoryServer> {
    return new Set(this._started.filter((server) => !server.closed.called));
  }

  seconds(): number {
    return this.clock.seconds();
  }

  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    return this.clock.callLater(delay, fn, ...args);
  }

  getDelayedCalls(): readonly DelayedCall[] {
    return this.clock.getDelayedCalls();
  }

  /** rxjs `SchedulerLike`: the clock's time in milliseconds. */
  now(): number {
    return this.clock.now();
  }

  /** rxjs `SchedulerLike`: runs `work` after `delay` virtual milliseconds. */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return this.clock.schedule(work, delay, state);
  }

  listenStream(
    endpoint: StreamServerEndpoint,
    options: StreamListenOptions = {},
    protocol?: Protocol,
  ): MemoryServer {
    this._listens.push({ endpoint, options, ...(protocol !== undefined && { protocol }) });
    const setup = { endpoint: describeServerEndpoint(endpoint), protocol, options };
    const server = new MemoryServer(endpoint, this._address(endpoint), setup, this);
    this._started.push(server);
    return server;
  }

  listenDatagram(endpoint: UDPEndpoint, options: DatagramOptions = {}): DatagramPort {
    this._listens.push({ endpoint, options });
    throw new UnsupportedTransportError(`MemoryReactor cannot listen for UDP (on port ${endpoint.port})`);
  }

  connectStream(endpoint: ClientEndpoint, options: ConnectionOptions = {}): Deferred<Connection> {
    this._connects.push({ endpoint, options });
    const server = this._started.find(
      (candidate) => candidate.listening && this._reaches(endpoint, candidate),
    );
    const target = endpoint.type === 'unix' ? endpoint.path : `${endpoint.host}:${endpoint.port}`;
    if (server === undefined) {
      return fail(new ConnectionRefusedError(`connection refused by ${target}: nothing listens there`));
    }
    const pair = connectedPair({
      clientAddress: { type: 'memory', name: `client-${++this._clients}` },
      serverAddress: server.boundAddress,
      highWaterMark: this._highWaterMark,
      client: options,
      server: server.connectionOptions,
      secure: endpoint.type === 'tls',
    });
    server.accept(pair.server);
    return succeed(pair.client);
  }

  /**
   * Lets the bytes in flight on the memory connections arrive (see `ConnectedPair.flush`).
   *
   * @example
   * ```ts
   * client.write('ping'); await reactor.flush(); // the server has read it
   * ```
   */
  flush(): Promise<void> {
    return flushMemory();
  }

  /** Where a server on `endpoint` listens: its address, with a made-up port for `port: 0`. */
  private _address(endpoint: StreamServerEndpoint): Address {
    if (endpoint.type === 'unix') return { type: 'unix', path: endpoint.path };
    let port = endpoint.port;
    if (port === 0) {
      const taken = new Set(this._started.map((server) => portOf(server)));
      while (taken.has(this._nextPort)) this._nextPort++;
      port = this._nextPort++;
    }
    return inetAddress('tcp', endpoint.host ?? '0.0.0.0', port, undefined);
  }

  private _reaches(endpoint: ClientEndpoint, server: MemoryServer): boolean {
    if (endpoint.type !== server.requested.type) return false;
    if (endpoint.type === 'unix')
      return server.requested.type === 'unix' && server.requested.path === endpoint.path;
    return portOf(server) === endpoint.port;
  }
}
