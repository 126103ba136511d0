/**
 * `StreamConnection`: a `Connection` over a Node duplex stream: a TCP or Unix `net.Socket`, a
 * `tls.TLSSocket`, or an in-memory duplex. It can upgrade itself to TLS in place.
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, TLSSocket, connect as tlsConnect } from 'node:tls';
import { type Address, formatAddress } from '../address.js';
import {
  BaseConnection,
  type ConnectionOptions,
  type ConnectionSide,
  type StartTLSOptions,
} from '../connection.js';
import { Deferred, fail } from '../deferred.js';
import {
  AlreadySecureError,
  ConnectionDone,
  ConnectionLost,
  certificateError,
  tlsHandshakeError,
} from '../errors.js';

/** A connection's two addresses, read once while the socket is open. */
export interface ConnectionAddresses {
  readonly local: Address;
  readonly remote: Address;
}

/** Spindle's TLS defaults: TLS 1.2 or newer; clients verify the server's certificate. */
export const tlsDefaults = { minVersion: 'TLSv1.2', rejectUnauthorized: true } as const;

/**
 * Where a connection is with TLS: plain bytes, a `startTLS` handshake under way (holding the
 * Deferred its caller waits on), or TLS (a `tls:` endpoint, or a handshake that has ended, well
 * or not).
 */
type TLSPhase = 'plain' | { readonly handshaking: Deferred<void> } | 'tls';

/** The connection a stream's events go to, kept on the stream so that one listener serves all. */
const owner = Symbol('spindle.connection');
type OwnedStream = Duplex & { [owner]?: StreamConnection };
let streamEvents: Record<
  'data' | 'end' | 'drain' | 'error' | 'close',
  (connection: StreamConnection, argument?: unknown) => void
>;
function onData(this: OwnedStream, chunk: Uint8Array): void {
  if (this[owner] !== undefined) streamEvents.data(this[owner], chunk);
}
function onEnd(this: OwnedStream): void {
  if (this[owner] !== undefined) streamEvents.end(this[owner]);
}
function onDrain(this: OwnedStream): void {
  if (this[owner] !== undefined) streamEvents.drain(this[owner]);
}
function onError(this: OwnedStream, error: Error): void {
  if (this[owner] !== undefined) streamEvents.error(this[owner], error);
}
function onClose(this: OwnedStream): void {
  if (this[owner] !== undefined) streamEvents.close(this[owner]);
}

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
  private _tls: TLSPhase;
  private _error: Error | undefined = undefined;
  private _aborted = false;

  static {
    // The stream's events reach the connection through listeners shared by all connections
    // (five closures per connection cost ~300 bytes); this block lets them call its protected hooks.
    streamEvents = {
      data: (connection, chunk) => connection.received(chunk as Uint8Array),
      end: (connection) => connection.receivedEnd(),
      drain: (connection) => connection.drainedWrites(),
      error: (connection, error) => {
        connection._error ??= error as Error;
      },
      close: (connection) => {
        const error = connection._error;
        const reason =
          error !== undefined
            ? new ConnectionLost(`connection lost: ${error.message}`, { cause: error })
            : connection._aborted
              ? new ConnectionLost('connection aborted')
              : new ConnectionDone();
        connection.lost(reason);
        // A handshake still under way has failed. Node emits no error for a close this end asked
        // for (close, end, abort), nor, on the TLS server's side, for the peer's: without this,
        // the Deferred of `startTLS`, and whoever waits on it, would wait for ever.
        connection._endHandshake()?.errback(reason);
      },
    };
  }

  constructor(
    stream: Duplex,
    side: ConnectionSide,
    addresses: ConnectionAddresses,
    options: ConnectionOptions & { secure?: boolean } = {},
  ) {
    super(side, options);
    this._stream = stream;
    this._tls = options.secure === true ? 'tls' : 'plain';
    this.localAddress = addresses.local;
    this.remoteAddress = addresses.remote;
    stream.pause(); // explicitly paused, so adding the 'data' listener does not start the flow
    this._wire(stream);
  }

  get secure(): boolean {
    return this._tls !== 'plain';
  }

  /** The stream underneath (a `net.Socket`, a `tls.TLSSocket` after `startTLS`, …). */
  get stream(): Duplex {
    return this._stream;
  }

  override unref(): void {
    (this._stream as Partial<Socket>).unref?.();
  }

  override ref(): void {
    (this._stream as Partial<Socket>).ref?.();
  }

  protected transportWrite(data: Uint8Array | string, written?: () => void): boolean {
    // Node calls a write's callback once the chunk is handed to the system (or the write failed)
    return this._stream.write(data, written);
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

  protected override transportStartTLS(options: StartTLSOptions): Deferred<void> {
    if (this._tls !== 'plain') return fail(new AlreadySecureError());
    if (!this.writable) return fail(new ConnectionDone('cannot start TLS on a closing connection'));
    const raw = this._stream;
    this._unwire(raw);
    const { role = this.side, ...tls } = options;
    const settings = { ...tlsDefaults, ...tls };
    const secure =
      role === 'server'
        ? new TLSSocket(raw as Socket, {
            ...settings,
            isServer: true,
            secureContext: settings.secureContext ?? createSecureContext(settings),
          })
        : tlsConnect({ ...settings, socket: raw });
    secure.pause();
    this._stream = secure;
    const handshake = new Deferred<void>(() => this.abort());
    this._tls = { handshaking: handshake };
    this._wire(secure);
    if (this.reading) secure.resume();
    const done = () => {
      secure.off('error', failed);
      this._endHandshake()?.callback(undefined);
    };
    const failed = (error: Error) => {
      // A client's handshake failures get their types (the server side keeps Node's errors).
      const typed =
        certificateError(error) ??
        (role === 'client' ? tlsHandshakeError(error, formatAddress(this.remoteAddress), true) : undefined);
      if (typed !== undefined && this._error === error) this._error = typed; // data$ fails with it too
      this._endHandshake()?.errback(typed ?? error);
    };
    secure.once(role === 'server' ? 'secure' : 'secureConnect', done);
    secure.once('error', failed);
    return handshake;
  }

  /** The handshake is over: returns its Deferred if it is still to be settled (not cancelled). */
  private _endHandshake(): Deferred<void> | undefined {
    const phase = this._tls;
    if (typeof phase !== 'object') return undefined;
    this._tls = 'tls';
    return phase.handshaking.called ? undefined : phase.handshaking;
  }

  private _wire(stream: Duplex): void {
    (stream as OwnedStream)[owner] = this;
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  }

  /**
   * Stops taking a stream's events, all but its errors. A stream that is not a socket (a memory
   * end) is wrapped for TLS in Node's JSStreamSocket, which keeps the stream's errors to itself
   * and passes its close on to TLS as a clean end: the peer's reset (its abort) would reach this
   * end as `ConnectionDone`. Its errors, still heard, make it `ConnectionLost`, as without TLS.
   */
  private _unwire(stream: Duplex): void {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('drain', onDrain);
    stream.off('close', onClose);
  }
}
