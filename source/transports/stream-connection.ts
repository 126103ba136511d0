/**
 * `StreamConnection`: a `Connection` over a Node duplex stream: a TCP or Unix `net.Socket`, a
 * `tls.TLSSocket`, or an in-memory duplex. It can upgrade itself to TLS in place.
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Address } from '../address.js';
import {
  BaseConnection,
  type ConnectionOptions,
  type ConnectionSide,
  type TLSOptions,
} from '../connection.js';
import { Deferred, fail } from '../deferred.js';
import { ConnectionDone, ConnectionLost } from '../errors.js';

/** A connection's two addresses, read once while the socket is open. */
export interface ConnectionAddresses {
  readonly local: Address;
  readonly remote: Address;
}

/** Spindle's TLS defaults: TLS 1.2 or newer; clients verify the server's certificate. */
export const tlsDefaults = { minVersion: 'TLSv1.2', rejectUnauthorized: true } as const;

/**
 * A connection over a Node duplex stream. It pauses the stream at once: reading starts when the
 * first consumer subscribes or pulls (so a server should create its sockets with
 * `pauseOnConnect`, and nothing is read before there is a consumer).
 *
 * @example
 * ```ts
 * const socket = net.connect(port, '127.0.0.1');
 * socket.pause();
 * const conn = new StreamConnection(socket, 'client', { local: …, remote: … });
 * ```
 */
export class StreamConnection extends BaseConnection {
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  private _stream: Duplex;
  private _secure: boolean;
  private _error: Error | undefined = undefined;
  private _aborted = false;

  private readonly _onData = (chunk: Uint8Array) => this.received(chunk);
  private readonly _onEnd = () => this.receivedEnd();
  private readonly _onDrain = () => this.drainedWrites();
  private readonly _onError = (error: Error) => {
    this._error ??= error;
  };
  private readonly _onClose = () => {
    const error = this._error;
    if (error !== undefined)
      this.lost(new ConnectionLost(`connection lost: ${error.message}`, { cause: error }));
    else if (this._aborted) this.lost(new ConnectionLost('connection aborted'));
    else this.lost(new ConnectionDone());
  };

  constructor(
    stream: Duplex,
    side: ConnectionSide,
    addresses: ConnectionAddresses,
    options: ConnectionOptions & { secure?: boolean } = {},
  ) {
    super(side, options);
    this._stream = stream;
    this._secure = options.secure ?? false;
    this.localAddress = addresses.local;
    this.remoteAddress = addresses.remote;
    stream.pause(); // explicitly paused, so adding the 'data' listener does not start the flow
    this._wire(stream);
  }

  get secure(): boolean {
    return this._secure;
  }

  /** The stream underneath (a `net.Socket`, a `tls.TLSSocket` after `startTLS`, …). */
  get stream(): Duplex {
    return this._stream;
  }

  protected transportWrite(data: Uint8Array | string): boolean {
    return this._stream.write(data);
  }

  protected transportEnd(): void {
    this._stream.end();
  }

  protected transportClose(): void {
    const stream = this._stream;
    if (stream.writableFinished) {
      stream.destroy();
    } else {
      stream.once('finish', () => stream.destroy());
      if (!stream.writableEnded) stream.end();
    }
  }

  protected transportAbort(): void {
    this._aborted = true;
    this._stream.destroy();
  }

  protected transportSetReading(reading: boolean): void {
    if (reading) this._stream.resume();
    else this._stream.pause();
  }

  protected override transportStartTLS(options: TLSOptions): Deferred<void> {
    if (this._secure) return fail(new Error('the connection is already using TLS'));
    if (!this.writable) return fail(new ConnectionDone('cannot start TLS on a closing connection'));
    const raw = this._stream;
    this._unwire(raw);
    const settings = { ...tlsDefaults, ...options };
    const secure =
      this.side === 'server'
        ? new TLSSocket(raw as Socket, {
            ...settings,
            isServer: true,
            secureContext: settings.secureContext ?? createSecureContext(settings),
          })
        : tlsConnect({ ...settings, socket: raw });
    secure.pause();
    this._stream = secure;
    this._secure = true;
    this._wire(secure);
    if (this.reading) secure.resume();
    const handshake = new Deferred<void>(() => this.abort());
    const done = () => {
      secure.off('error', failed);
      if (!handshake.called) handshake.callback(undefined);
    };
    const failed = (error: Error) => {
      if (!handshake.called) handshake.errback(error);
    };
    secure.once(this.side === 'server' ? 'secure' : 'secureConnect', done);
    secure.once('error', failed);
    return handshake;
  }

  private _wire(stream: Duplex): void {
    stream.on('data', this._onData);
    stream.on('end', this._onEnd);
    stream.on('drain', this._onDrain);
    stream.on('error', this._onError);
    stream.on('close', this._onClose);
  }

  private _unwire(stream: Duplex): void {
    stream.off('data', this._onData);
    stream.off('end', this._onEnd);
    stream.off('drain', this._onDrain);
    stream.off('error', this._onError);
    stream.off('close', this._onClose);
  }
}
