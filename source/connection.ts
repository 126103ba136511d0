/**
 * `Connection`: one stream connection (TCP, TLS, Unix, or in memory), its bytes as an rxjs
 * `Observable` and as an async iterable, both with backpressure, and a consumer that an
 * observable of bytes can be piped into.
 *
 * @module
 */
import type { ConnectionOptions as TLSConnectionOptions, TlsOptions } from 'node:tls';
import { Observable, type Observer, type Subscriber, type Subscription, type Unsubscribable } from 'rxjs';
import { OnceEvent } from './_once-event.js';
import { type Address, formatAddress } from './address.js';
import { BodyStream } from './body-stream.js';
import { Deferred, fail } from './deferred.js';
import { ConnectionDone, ConnectionLost, SpindleError } from './errors.js';
import { Logger } from './log.js';
import { activeProducer, type Pausable, whileProducing } from './producer.js';

/** Why a connection closed: `ConnectionDone` when cleanly, `ConnectionLost` otherwise. */
export type CloseReason = ConnectionDone | ConnectionLost;

/**
 * TLS settings for `startTLS` and `tls:` endpoints: Node's own TLS options (`key`, `cert`, `ca`,
 * `servername`, `rejectUnauthorized`, `minVersion` …). Spindle's defaults: TLS 1.2 or newer, and
 * clients verify the server's certificate.
 */
export type TLSOptions = TlsOptions & TLSConnectionOptions;

/** Which end of the connection this is: it accepted (`server`) or it connected (`client`). */
export type ConnectionSide = 'server' | 'client';

/**
 * `startTLS`'s settings: the TLS options, and the part this end plays in the handshake, which is
 * its `side` unless `role` says otherwise (an FTP server is the TLS server on the data
 * connections it opens itself, in active mode; RFC 4217 section 9).
 *
 * @example
 * ```ts
 * await dataConnection.startTLS({ key, cert, role: 'server' }); // a connection we opened
 * ```
 */
export type StartTLSOptions = TLSOptions & { readonly role?: ConnectionSide };

/**
 * A stream connection. Its bytes arrive on `data$` (an Observable that completes on the peer's
 * FIN and errors with `ConnectionLost` on a reset) and through `for await` (pull: the socket is
 * paused while the reader's queue is full). It is also an `Observer` of bytes or strings, so an
 * observable can be piped into it: `output$.subscribe(conn)` writes each value, and completing
 * closes the connection after its writes are flushed.
 *
 * Reading starts when the first consumer subscribes or pulls, and pauses while there is none, so
 * no byte is lost before a protocol is attached.
 *
 * ```text
 * peer sends:  --a----b---|        (| is the peer's FIN)
 * data$:       --a----b---|
 * ```
 *
 * @example
 * ```ts
 * server.connections$.subscribe(conn =>
 *   conn.data$.pipe(lines(), map(line => `${line.toUpperCase()}\r\n`)).subscribe(conn));
 * ```
 */
export interface Connection extends AsyncIterable<Uint8Array>, Observer<Uint8Array | string>, Pausable {
  /** The bytes the peer sends; completes on its FIN, errors with `ConnectionLost` on a reset. */
  readonly data$: Observable<Uint8Array>;
  /**
   * Fires with the reason once the connection is closed: `ConnectionDone` or `ConnectionLost`.
   * Each read gives a Deferred of its own, so callbacks added to one do not change another's
   * result. The peer's close is noticed when its end is read (or a write fails): a connection
   * nobody reads from learns of it only when it writes, as with any paused socket.
   */
  readonly closed: Deferred<CloseReason>;
  /** Whether this end accepted the connection or made it. */
  readonly side: ConnectionSide;
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  /** Whether the connection is encrypted (a `tls:` endpoint, or after `startTLS`). */
  readonly secure: boolean;
  /** Whether it can still be written to (not ended, closed or aborted). */
  readonly writable: boolean;
  /**
   * Queues bytes (a string is sent as UTF-8). Returns false when the write buffer is past its
   * high-water mark: the producer being delivered now is paused until it drains. Writes after
   * `end`/`close`/`abort` are dropped and return false. `written`, when given, is called once the
   * bytes have left this end (handed to the system, or dropped because the connection closed),
   * never before: from then on the memory of `data` may be reused. It may never be called (a
   * transport that cannot tell).
   */
  write(data: Uint8Array | string, written?: () => void): boolean;
  /** Fires once the write buffer is below its high-water mark (at once when it is). */
  drained(): Deferred<void>;
  /** Half-closes: sends FIN after the queued bytes; reading goes on. */
  end(): void;
  /** Flushes the queued bytes, then closes; fires once closed. */
  close(): Deferred<void>;
  /** Closes at once, dropping queued bytes. */
  abort(): void;
  /** Stops delivering data until `resume()`. */
  pause(): void;
  /** Undoes `pause()`. */
  resume(): void;
  /** Pauses `producer` whenever this connection's write buffer is full (Twisted's registerProducer). */
  registerProducer(producer: Pausable): void;
  /** Undoes `registerProducer`. */
  unregisterProducer(): void;
  /** Writes every value of `output$`, closing the connection when it completes; stops when the connection closes. */
  send(output$: Observable<Uint8Array | string>): Subscription;
  /**
   * Upgrades the live connection to TLS (Twisted's `startTLS`), as the TLS server if it accepted
   * the connection and the client if it connected, unless `role` says otherwise; fires once the
   * handshake is done, fails if it does not finish: with the TLS error, or with the close reason
   * (`ConnectionDone`, `ConnectionLost`) when the connection closes first.
   */
  startTLS(options: StartTLSOptions): Deferred<void>;
  /** Lets the process exit while this connection is all that is open (a socket's `unref`), e.g. while pooled. */
  unref(): void;
  /** Undoes `unref()`. */
  ref(): void;
}

/** What `data$` subscribers and async iterators are to the connection. */
interface DataConsumer {
  next(chunk: Uint8Array): void;
  complete(): void;
  error(error: unknown): void;
}

/** Options shared by every connection. */
export interface ConnectionOptions {
  /** Bytes an async iterator may hold unread before the socket is paused. Default 64 KiB. */
  readHighWaterMark?: number;
  /**
   * Keep the connection open for writing after the peer's FIN (Twisted's half-close). By default
   * (false, as in Twisted and Node) the connection closes, after flushing what was written, as
   * soon as the end of `data$` has been delivered, so a pipeline that answers synchronously still
   * gets its answer out. Protocols that answer a half-closed request later (HTTP) turn it on.
   */
  allowHalfOpen?: boolean;
}

const log = new Logger('spindle.connection');

let removeConsumer: (connection: BaseConnection, consumer: DataConsumer) => void;

/** A `data$` subscription: the connection's consumer and the subscriber's teardown, in one object. */
class DataSubscription implements DataConsumer, Unsubscribable {
  constructor(
    private readonly _connection: BaseConnection,
    private readonly _subscriber: Subscriber<Uint8Array>,
  ) {}
  next(chunk: Uint8Array): void {
    this._subscriber.next(chunk);
  }
  complete(): void {
    this._subscriber.complete();
  }
  error(error: unknown): void {
    this._subscriber.error(error);
  }
  unsubscribe(): void {
    removeConsumer(this._connection, this);
  }
}
const noConsumers: readonly DataConsumer[] = [];

/** A transport that cannot do what was asked of it (e.g. `startTLS` on a recording transport). */
export class UnsupportedTransportError extends SpindleError {
  static override readonly code: string = 'SPINDLE_UNSUPPORTED_TRANSPORT';
}

/**
 * The transport-independent part of every `Connection`: consumers, backpressure, closing. A
 * transport subclass moves the bytes: it implements the `protected` hooks and reports what
 * happens through `received`, `receivedEnd`, `drainedWrites` and `lost`.
 *
 * @example
 * ```ts
 * class LoopbackConnection extends BaseConnection { … } // see StreamConnection
 * ```
 */
export abstract class BaseConnection implements Connection {
  readonly side: ConnectionSide;
  private readonly _readHighWaterMark: number;
  private readonly _allowHalfOpen: boolean;
  /** Copy-on-write (replaced, never mutated): delivery needs no copy, and no spare capacity is kept. */
  private _consumers: readonly DataConsumer[] = noConsumers;
  private _lostListener: ((connection: BaseConnection, reason: CloseReason) => void) | undefined = undefined;
  private _userPaused = false;
  private _producerPauses = 0;
  private _reading = false;
  /** Set once the peer's FIN arrived (or the connection ended): no more data. */
  private _ended = false;
  private _writable = true;
  private _closeReason: CloseReason | undefined = undefined;
  private _closed: OnceEvent<CloseReason> | undefined = undefined;
  private _closing: OnceEvent | undefined = undefined;
  private _blocked = false;
  private _pausedProducers: Set<Pausable> | undefined = undefined;
  private _drainWaiters: Deferred<void>[] | undefined = undefined;
  private _registered: Pausable | undefined = undefined;

  constructor(side: ConnectionSide, options: ConnectionOptions = {}) {
    this.side = side;
    this._readHighWaterMark = options.readHighWaterMark ?? 64 * 1024;
    this._allowHalfOpen = options.allowHalfOpen ?? false;
  }

  abstract readonly localAddress: Address;
  abstract readonly remoteAddress: Address;
  abstract readonly secure: boolean;

  /**
   * Queues bytes on the transport; false when its buffer is past the high-water mark. Calls
   * `written` once the transport no longer needs `data` (or never: never early).
   */
  protected abstract transportWrite(data: Uint8Array | string, written?: () => void): boolean;
  /** Sends FIN after the queued bytes. */
  protected abstract transportEnd(): void;
  /** Flushes, then closes fully; the transport calls `lost` once closed. */
  protected abstract transportClose(): void;
  /** Closes at once; the transport calls `lost` once closed. */
  protected abstract transportAbort(): void;
  /** Starts or stops reading from the peer. */
  protected abstract transportSetReading(reading: boolean): void;

  /** Upgrades to TLS. Transports that can, override it. */
  protected transportStartTLS(_options: StartTLSOptions): Deferred<void> {
    return fail(new UnsupportedTransportError('this transport cannot start TLS'));
  }

  get data$(): Observable<Uint8Array> {
    return new Observable<Uint8Array>((subscriber) => {
      // One small object is both the consumer and the teardown: no closures per subscription.
      const subscription = new DataSubscription(this, subscriber);
      // The teardown goes in first: a transport that delivers at once, inside `_addConsumer`,
      // must find a subscriber that leaves on its first chunk (`take(1)`) already gone.
      subscriber.add(subscription);
      this._addConsumer(subscription);
    });
  }

  static {
    removeConsumer = (connection, consumer) => connection._removeConsumer(consumer);
  }

  /**
   * Calls `listener` once the connection is closed: a server's bookkeeping, cheaper than a
   * Deferred per connection. One listener per connection. @internal
   */
  static onceLost(
    connection: BaseConnection,
    listener: (connection: BaseConnection, reason: CloseReason) => void,
  ): void {
    if (connection._closeReason !== undefined) listener(connection, connection._closeReason);
    else connection._lostListener = listener;
  }

  get closed(): Deferred<CloseReason> {
    if (this._closed === undefined) {
      this._closed = new OnceEvent<CloseReason>();
      if (this._closeReason !== undefined) this._closed.fire(this._closeReason);
    }
    return this._closed.wait();
  }

  get writable(): boolean {
    return this._writable;
  }

  /** Whether the transport should be reading now (for a transport that swaps its stream). */
  protected get reading(): boolean {
    return this._reading;
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    // The stream reads from this connection from its first pull, pauses it while
    // `readHighWaterMark` bytes wait unread, and lets it go when the loop ends.
    const consumer: DataConsumer = {
      next: (chunk) => stream.push(chunk),
      complete: () => stream.end(),
      error: (error) => stream.fail(error),
    };
    const stream: BodyStream = new BodyStream({
      highWaterMark: this._readHighWaterMark,
      source: {
        pause: () => this.pauseProducing(),
        resume: () => this.resumeProducing(),
        reading: () => this._addConsumer(consumer),
        abandon: () => this._removeConsumer(consumer),
      },
    });
    return stream[Symbol.asyncIterator]();
  }

  write(data: Uint8Array | string, written?: () => void): boolean {
    if (!this._writable) {
      written?.();
      return false;
    }
    const ok = this.transportWrite(data, written);
    if (!ok) this._block();
    return ok;
  }

  drained(): Deferred<void> {
    const d = new Deferred<void>();
    if (!this._blocked) {
      d.callback(undefined);
    } else {
      this._drainWaiters ??= [];
      this._drainWaiters.push(d);
    }
    return d;
  }

  end(): void {
    if (!this._writable) return;
    this._writable = false;
    this.transportEnd();
  }

  close(): Deferred<void> {
    if (this._closing === undefined) {
      this._closing = new OnceEvent();
      this._writable = false;
      if (this._closeReason !== undefined) this._closing.fire();
      else this.transportClose();
    }
    return this._closing.wait();
  }

  abort(): void {
    this._writable = false;
    if (this._closeReason === undefined) this.transportAbort();
  }

  pause(): void {
    this._userPaused = true;
    this._updateReading();
  }

  resume(): void {
    this._userPaused = false;
    this._updateReading();
  }

  pauseProducing(): void {
    this._producerPauses++;
    this._updateReading();
  }

  resumeProducing(): void {
    if (this._producerPauses > 0) this._producerPauses--;
    this._updateReading();
  }

  registerProducer(producer: Pausable): void {
    this._registered = producer;
    if (this._blocked) this._pauseProducer(producer);
  }

  unregisterProducer(): void {
    const producer = this._registered;
    this._registered = undefined;
    if (producer !== undefined && this._pausedProducers?.delete(producer)) producer.resumeProducing();
  }

  send(output$: Observable<Uint8Array | string>): Subscription {
    const subscription = output$.subscribe({
      next: (data) => this.next(data),
      error: (error: unknown) => this.error(error),
      complete: () => this.complete(),
    });
    if (!subscription.closed) this.closed.addCallback(() => subscription.unsubscribe());
    return subscription;
  }

  startTLS(options: StartTLSOptions): Deferred<void> {
    return this.transportStartTLS(options);
  }

  /** A transport with a handle that keeps the process alive overrides it; in memory there is none. */
  unref(): void {}

  /** Undoes `unref()`. */
  ref(): void {}

  /** Observer: writes the value. */
  next(data: Uint8Array | string): void {
    this.write(data);
  }

  /**
   * Observer: the pipeline feeding this connection failed; the connection is dropped. A lost
   * connection coming back through the pipeline (`conn.send(conn.data$)` when the peer resets, or
   * a proxied peer's reset) is ordinary life for a server: logged at debug level, without a
   * stack. Any other error is logged as a warning.
   */
  error(error: unknown): void {
    const peer = formatAddress(this.remoteAddress);
    if (error instanceof ConnectionLost || error instanceof ConnectionDone) {
      log.debug(`connection with ${peer} lost: ${error.message}`, { fields: { peer, reason: error.code } });
    } else {
      log.warn(`dropping connection with ${peer}: ${(error as Error)?.message ?? error}`, {
        error,
        fields: { peer },
      });
    }
    this.abort();
  }

  /** Observer: the pipeline feeding this connection completed; closes it after flushing. */
  complete(): void {
    this.close();
  }

  /** The transport received bytes: hands them to every consumer, as the active producer. */
  protected received(chunk: Uint8Array): void {
    const consumers = this._consumers;
    if (consumers.length === 1) {
      const only = consumers[0]!;
      whileProducing(this, () => only.next(chunk));
    } else {
      whileProducing(this, () => {
        for (const consumer of consumers) consumer.next(chunk);
      });
    }
  }

  /** The peer sent FIN: `data$` completes and iterators end; unless half-open, the connection closes. */
  protected receivedEnd(): void {
    if (this._ended) return;
    this._ended = true;
    this._updateReading();
    const consumers = this._consumers;
    this._consumers = noConsumers;
    for (const consumer of consumers) consumer.complete();
    if (!this._allowHalfOpen && this._closeReason === undefined) this.close();
  }

  /** The write buffer drained: producers paused by this connection resume. */
  protected drainedWrites(): void {
    this._blocked = false;
    // The waiters are taken first: one that a resumed producer adds while refilling the buffer
    // waits for the next drain.
    const waiters = this._drainWaiters;
    this._drainWaiters = undefined;
    const producers = this._pausedProducers;
    this._pausedProducers = undefined;
    if (producers !== undefined) for (const producer of producers) producer.resumeProducing();
    if (waiters !== undefined) for (const waiter of waiters) waiter.callback(undefined);
  }

  /** The connection is closed, for `reason`. Called once by the transport. */
  protected lost(reason: CloseReason): void {
    if (this._closeReason !== undefined) return;
    this._closeReason = reason;
    this._writable = false;
    this.drainedWrites();
    if (!this._ended) {
      this._ended = true;
      const consumers = this._consumers;
      this._consumers = noConsumers;
      for (const consumer of consumers) {
        if (reason instanceof ConnectionDone) consumer.complete();
        else consumer.error(reason);
      }
    }
    this._reading = false;
    this._closed?.fire(reason);
    this._lostListener?.(this, reason);
    this._closing?.fire();
  }

  private _addConsumer(consumer: DataConsumer): void {
    if (this._ended) {
      const reason = this._closeReason;
      if (reason !== undefined && !(reason instanceof ConnectionDone)) consumer.error(reason);
      else consumer.complete();
      return;
    }
    this._consumers = this._consumers.length === 0 ? [consumer] : [...this._consumers, consumer];
    this._updateReading();
  }

  private _removeConsumer(consumer: DataConsumer): void {
    const index = this._consumers.indexOf(consumer);
    if (index < 0) return;
    this._consumers = this._consumers.filter((other) => other !== consumer);
    this._updateReading();
  }

  private _updateReading(): void {
    const reading =
      this._consumers.length > 0 &&
      !this._userPaused &&
      this._producerPauses === 0 &&
      !this._ended &&
      this._closeReason === undefined;
    if (reading !== this._reading) {
      this._reading = reading;
      this.transportSetReading(reading);
    }
  }

  private _block(): void {
    this._blocked = true;
    const producer = activeProducer();
    if (producer !== undefined) this._pauseProducer(producer);
    if (this._registered !== undefined) this._pauseProducer(this._registered);
  }

  private _pauseProducer(producer: Pausable): void {
    this._pausedProducers ??= new Set();
    const producers = this._pausedProducers;
    if (producers.has(producer)) return;
    producers.add(producer);
    producer.pauseProducing();
  }
}
