/**
 * UDP: a bound port whose datagrams arrive as an Observable and an async iterable.
 *
 * @module
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { type Observable, Subject } from 'rxjs';
import { OnceEvent } from '../_once-event.js';
import { Wakeup } from '../_wakeup.js';
import { type InetAddress, inetAddress } from '../address.js';
import { Deferred } from '../deferred.js';
import type { UDPEndpoint } from '../endpoint-description.js';
import { describeServerEndpoint } from '../endpoint-description.js';
import { Logger } from '../log.js';
import { cannotListen } from './_cannot-listen.js';

const log = new Logger('spindle.udp');

/** One datagram received. */
export interface Datagram {
  readonly data: Uint8Array;
  /** The sender's address and port. */
  readonly address: string;
  readonly port: number;
}

/** Options of a UDP port. */
export interface DatagramOptions {
  /** Allow sending to broadcast addresses. Default false. */
  broadcast?: boolean;
  /** Share the port with other sockets (for multicast listeners). Default false. */
  reuseAddress?: boolean;
  /** Datagrams an async iterator may hold unread; more are dropped and counted. Default 1024. */
  maxQueued?: number;
  /**
   * Whether the program cannot do without this server (default true): a failure to listen then
   * ends a running reactor's run (exit code 1 when it owns the process), and is logged as an
   * error. With false, the failure is logged as a warning and `address` errbacks with it, and the
   * program goes on (to try another port, say).
   */
  required?: boolean;
}

/**
 * A bound UDP port. Datagrams nobody is subscribed to are dropped (as the network may drop
 * them); `dropped` counts those an async iterator had no room for.
 *
 * ```text
 * datagrams$: --d1--d2----d3--   (hot: what arrives while subscribed)
 * ```
 *
 * @example
 * ```ts
 * const port = listen('udp:0:interface=127.0.0.1');
 * port.datagrams$.subscribe(({ data, address, port: from }) => port.send(data, address, from)); // echo
 * ```
 */
export class DatagramPort {
  private readonly _address = new OnceEvent<InetAddress>();
  private readonly _datagrams = new Subject<Datagram>();
  private readonly _socket: DgramSocket;
  private readonly _maxQueued: number;
  private _dropped = 0;
  private _closing: OnceEvent | undefined;
  private _closeStarted = false;

  constructor(endpoint: UDPEndpoint, options: DatagramOptions = {}) {
    this._maxQueued = options.maxQueued ?? 1024;
    const type = endpoint.family ?? (endpoint.host?.includes(':') ? 'udp6' : 'udp4');
    this._socket = createSocket({ type, reuseAddr: options.reuseAddress ?? false });
    this._socket.on('message', (data, info) =>
      this._datagrams.next({ data, address: info.address, port: info.port }),
    );
    this._socket.on('error', (error) => {
      if (this._address.fired) {
        this._datagrams.error(error);
        return;
      }
      const failure = cannotListen(describeServerEndpoint(endpoint), error);
      log[options.required === false ? 'warn' : 'error'](failure.message, { error: failure });
      this._address.fail(failure);
      this.close();
    });
    this._socket.on('listening', () => {
      if (options.broadcast) this._socket.setBroadcast(true);
      const bound = this._socket.address();
      this._address.fire(inetAddress('udp', bound.address, bound.port, bound.family));
    });
    this._socket.bind({
      port: endpoint.port,
      ...(endpoint.host !== undefined && { address: endpoint.host }),
    });
  }

  /**
   * Fires with the bound address once bound; errbacks with `CannotListenError` if binding fails
   * (also logged as an error). Each read gives a Deferred of its own.
   */
  get address(): Deferred<InetAddress> {
    return this._address.wait();
  }

  /** The datagrams received while subscribed; errors if the socket fails, completes on close. */
  get datagrams$(): Observable<Datagram> {
    return this._datagrams.asObservable();
  }

  /** Fires once the port is closed. */
  get closed(): Deferred<void> {
    this._closing ??= new OnceEvent();
    return this._closing.wait();
  }

  /** Datagrams dropped because an async iterator's queue was full. */
  get dropped(): number {
    return this._dropped;
  }

  /** Pulls datagrams; while the reader is slow, up to `maxQueued` wait and later ones are dropped. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Datagram, void, undefined> {
    const queue: Datagram[] = [];
    let done = false;
    let failure: unknown;
    const reader = new Wakeup();
    const subscription = this._datagrams.subscribe({
      next: (datagram) => {
        if (queue.length >= this._maxQueued) this._dropped++;
        else queue.push(datagram);
        reader.wake();
      },
      error: (error: unknown) => {
        failure = error;
        done = true;
        reader.wake();
      },
      complete: () => {
        done = true;
        reader.wake();
      },
    });
    try {
      for (;;) {
        const datagram = queue.shift();
        if (datagram !== undefined) yield datagram;
        else if (done) {
          if (failure !== undefined) throw failure;
          return;
        } else await reader.wait();
      }
    } finally {
      subscription.unsubscribe();
    }
  }

  /** Sends one datagram; fires once it is handed to the network. */
  send(data: Uint8Array | string, address: string, port: number): Deferred<void> {
    const sent = new Deferred<void>();
    this._socket.send(data, port, address, (error) => {
      if (error) sent.errback(error);
      else sent.callback(undefined);
    });
    return sent;
  }

  /**
   * Sends one datagram without waiting to hear how it went (Twisted's `write` on a UDP port):
   * libuv tries to send it at once, with no completion to report, which is what lets a busy
   * server answer at the rate of the network rather than of the event loop. A datagram that
   * cannot be sent is dropped, as the network may drop any datagram; use `send` to learn of it.
   *
   * @example
   * ```ts
   * port.datagrams$.subscribe(({ data, address, port: from }) => port.write(answer(data), address, from));
   * ```
   */
  write(data: Uint8Array | string, address: string, port: number): void {
    this._socket.send(data, port, address);
  }

  /** Joins a multicast group (on `interfaceAddress`, or the default interface). */
  joinGroup(group: string, interfaceAddress?: string): void {
    this._socket.addMembership(group, interfaceAddress);
  }

  /** Leaves a multicast group. */
  leaveGroup(group: string, interfaceAddress?: string): void {
    this._socket.dropMembership(group, interfaceAddress);
  }

  /** Allows or forbids sending to broadcast addresses. */
  setBroadcast(enabled: boolean): void {
    this._socket.setBroadcast(enabled);
  }

  /** Whether multicast datagrams we send come back to us. */
  setMulticastLoopback(enabled: boolean): void {
    this._socket.setMulticastLoopback(enabled);
  }

  /** How many hops multicast datagrams we send may travel. */
  setMulticastTTL(hops: number): void {
    this._socket.setMulticastTTL(hops);
  }

  /** Closes the port; `datagrams$` completes. */
  close(): Deferred<void> {
    this._closing ??= new OnceEvent();
    const closing = this._closing;
    if (!this._closeStarted) {
      this._closeStarted = true;
      this._socket.close(() => {
        this._datagrams.complete();
        closing.fire();
      });
    }
    return closing.wait();
  }
}
