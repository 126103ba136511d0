/**
 * `StringTransport`: a `Connection` that records what a protocol writes and lets the test play
 * the peer, synchronously (Twisted's `StringTransport`).
 *
 * @module
 */
import { type Address, formatAddress } from '../address.js';
import {
  BaseConnection,
  type CloseReason,
  type ConnectionOptions,
  type ConnectionSide,
} from '../connection.js';
import { ConnectionDone, ConnectionLost } from '../errors.js';
import { trackOpen } from './_open-doubles.js';

/** Options of `StringTransport`. */
export interface StringTransportOptions extends ConnectionOptions {
  /** Which end the protocol under test plays. Default `'server'`. */
  side?: ConnectionSide;
  /** Default `{ type: 'memory', name: 'local' }`. */
  localAddress?: Address;
  /** Default `{ type: 'memory', name: 'peer' }`. */
  remoteAddress?: Address;
  /** What `secure` reports, to test a protocol's TLS-only paths. Default false. */
  secure?: boolean;
  /**
   * Whether the protocol's `close()` completes at once (`closed` fires with `ConnectionDone`).
   * With false, the connection stays closing until the test calls `loseConnection()`. Default true.
   */
  closeImmediately?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A connection to nowhere that records, synchronously, what the protocol on it does: the bytes
 * it writes (`writes`, `value()`, `text()`), and whether it ended (`ended`), closed
 * (`closedByProtocol`) or aborted (`aborted`) the connection. The test plays the peer:
 * `receive` hands bytes to the protocol, `receiveEnd` is the peer's FIN, `loseConnection` the
 * peer closing or resetting, and `setWriteBlocked` fills the write buffer so the protocol's
 * backpressure can be tested.
 *
 * Received bytes behave as a socket's receive buffer: delivered at once, synchronously, while
 * the connection is reading (a consumer is attached and nothing paused it); kept, in order,
 * while it is not, and delivered the moment it reads again. The peer's FIN comes after them.
 *
 * ```text
 * receive('HELO a\r\n')  →  data$: HELO a\r\n  →  protocol writes  →  text(): '250 hi\r\n'
 * ```
 *
 * @example
 * ```ts
 * const transport = new StringTransport();
 * transport.data$.pipe(lines(), map((line) => `${line.toUpperCase()}\r\n`)).subscribe(transport);
 * transport.receive('hello\r\n');
 * transport.text(); // 'HELLO\r\n'
 * ```
 */
export class StringTransport extends BaseConnection {
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  readonly secure: boolean;
  private readonly _writes: Uint8Array[] = [];
  private _halfClosed = false;
  private _closedByProtocol = false;
  private _aborted = false;
  private _writeBlocked = false;
  private readonly _closeImmediately: boolean;
  /** Bytes received while not reading. */
  private _inbox: Uint8Array[] = [];
  /** The peer sent FIN (delivered once the inbox is empty and the connection reads). */
  private _peerEnded = false;
  private _gone = false;
  private _delivering = false;
  private readonly _forget: () => void;

  constructor(options: StringTransportOptions = {}) {
    super(options.side ?? 'server', options);
    this.localAddress = options.localAddress ?? { type: 'memory', name: 'local' };
    this.remoteAddress = options.remoteAddress ?? { type: 'memory', name: 'peer' };
    this.secure = options.secure ?? false;
    this._closeImmediately = options.closeImmediately ?? true;
    this._forget = trackOpen({
      description: `StringTransport ${formatAddress(this.localAddress)} ↔ ${formatAddress(this.remoteAddress)}`,
      dispose: () => this.abort(),
    });
  }

  /** Every chunk the protocol wrote, in order (strings as UTF-8), since the last `clear()`. */
  get writes(): readonly Uint8Array[] {
    return this._writes;
  }

  /** Whether the protocol half-closed the connection with `end()`. */
  get ended(): boolean {
    return this._halfClosed;
  }

  /** Whether `close()` was called: by the protocol, or by the connection itself after the peer's FIN (unless `allowHalfOpen`). */
  get closedByProtocol(): boolean {
    return this._closedByProtocol;
  }

  /** Whether the protocol called `abort()` (or an error in its output pipeline dropped the connection). */
  get aborted(): boolean {
    return this._aborted;
  }

  /**
   * Whether the connection asks for data now: a consumer is attached, and neither `pause()` nor
   * backpressure (a blocked write paused it as a producer) stops it.
   *
   * @example
   * ```ts
   * transport.setWriteBlocked(true); transport.receive('GET / HTTP/1.1\r\n\r\n');
   * transport.reading; // false: the reply could not be written, so reading paused
   * ```
   */
  override get reading(): boolean {
    return super.reading;
  }

  /**
   * All the bytes written since the last `clear()`, as one array.
   *
   * @example
   * ```ts
   * transport.value(); // Uint8Array [ 50, 50, 48, ... ]
   * ```
   */
  value(): Uint8Array {
    return Buffer.concat(this._writes);
  }

  /**
   * All the bytes written since the last `clear()`, decoded as UTF-8.
   *
   * @example
   * ```ts
   * assert.is(transport.text(), '220 ready\r\n');
   * ```
   */
  text(): string {
    return decoder.decode(this.value());
  }

  /**
   * Forgets what was written so far.
   *
   * @example
   * ```ts
   * transport.clear(); transport.receive('NOOP\r\n'); transport.text(); // only the NOOP reply
   * ```
   */
  clear(): void {
    this._writes.length = 0;
  }

  /**
   * The peer sends `data` (a string as UTF-8): delivered now if the connection is reading,
   * otherwise as soon as it reads again.
   *
   * @throws Error after the peer's FIN or once the connection is closed.
   * @example
   * ```ts
   * transport.receive('QUIT\r\n');
   * ```
   */
  receive(data: Uint8Array | string): void {
    if (this._peerEnded) throw new Error('cannot receive after the peer ended the connection');
    if (this._gone) throw new Error('cannot receive on a closed connection');
    this._inbox.push(typeof data === 'string' ? Buffer.from(data) : data);
    this._deliver();
  }

  /**
   * The peer half-closes (FIN): `data$` completes after the bytes received before it.
   *
   * @example
   * ```ts
   * transport.receive('last line\r\n'); transport.receiveEnd();
   * ```
   */
  receiveEnd(): void {
    this._peerEnded = true;
    this._deliver();
  }

  /**
   * The connection is gone: the peer closed it (no `reason`, or a `ConnectionDone`), or it was
   * reset (a `ConnectionLost`, or any other error, wrapped in one). `closed` fires with the
   * reason; bytes not yet delivered are dropped. Also how the test completes a protocol's
   * `close()` when `closeImmediately` is false.
   *
   * @example
   * ```ts
   * transport.loseConnection(new ConnectionLost('reset by peer'));
   * ```
   */
  loseConnection(reason?: Error): void {
    const why: CloseReason =
      reason === undefined
        ? new ConnectionDone()
        : reason instanceof ConnectionDone || reason instanceof ConnectionLost
          ? reason
          : new ConnectionLost(`connection lost: ${reason.message}`, { cause: reason });
    this._gone = true;
    this._inbox = [];
    this._forget();
    this.lost(why);
  }

  /**
   * Fills (true) or empties (false) the write buffer: while blocked, `write` still records but
   * returns false, so the protocol's producer pauses; unblocking resumes it and fires `drained()`.
   *
   * @example
   * ```ts
   * transport.setWriteBlocked(true);
   * transport.write('x'); // false
   * transport.setWriteBlocked(false); // paused producers resume
   * ```
   */
  setWriteBlocked(blocked: boolean): void {
    const wasBlocked = this._writeBlocked;
    this._writeBlocked = blocked;
    if (wasBlocked && !blocked) this.drainedWrites();
  }

  protected transportWrite(data: Uint8Array | string, written?: () => void): boolean {
    this._writes.push(typeof data === 'string' ? encoder.encode(data) : Uint8Array.from(data));
    written?.(); // recorded as a copy: `data` is free at once
    return !this._writeBlocked;
  }

  protected transportEnd(): void {
    this._halfClosed = true;
  }

  protected transportClose(): void {
    this._closedByProtocol = true;
    if (this._closeImmediately) this.loseConnection();
  }

  protected transportAbort(): void {
    this._aborted = true;
    this.loseConnection(new ConnectionLost('connection aborted'));
  }

  protected transportSetReading(reading: boolean): void {
    if (reading) this._deliver();
  }

  /** Hands the inbox, then the peer's FIN, to the consumers, while the connection reads. */
  private _deliver(): void {
    if (this._delivering) return;
    this._delivering = true;
    try {
      while (this.reading && this._inbox.length > 0) this.received(this._inbox.shift()!);
      if (this._peerEnded && this.reading && this._inbox.length === 0) this.receivedEnd();
    } finally {
      this._delivering = false;
    }
  }
}
