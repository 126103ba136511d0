/**
 * `WebSocket`: one open WebSocket connection, either end: its messages as an Observable and an
 * async iterable with backpressure, a consumer of outgoing messages, the closing handshake and
 * pings on an injected clock.
 *
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { Observable, type Observer, type Subscriber } from 'rxjs';
import { OnceEvent } from '../../source/_once-event.js';
import { Wakeup } from '../../source/_wakeup.js';
import type { Address } from '../../source/address.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import { CorkedOutput } from '../../source/corked-output.js';
import { Deadline } from '../../source/deadline.js';
import type { Deferred } from '../../source/deferred.js';
import { BodyConsumedError } from '../../source/errors.js';
import { type Pausable, whileProducing } from '../../source/producer.js';
import type { Session } from '../../source/protocol.js';
import { reactor } from '../../source/reactor.js';
import { closePayload } from './close-code.js';
import { encodeFrame } from './encode-frame.js';
import { Opcode } from './frame.js';
import type { WebSocketRole } from './frame-decoder.js';
import { MessageDecoder, type WebSocketEvent, type WebSocketMessage } from './message-decoder.js';
import {
  type DeflateParameters,
  MessageDeflater,
  MessageInflater,
  type PerMessageDeflateOptions,
} from './per-message-deflate.js';
import { WebSocketError } from './websocket-error.js';

/**
 * Options of a WebSocket, either end. Times are in seconds, on `clock`.
 *
 * @example
 * ```ts
 * const options: WebSocketOptions = { maxMessageBytes: 1024 * 1024, closeTimeout: 5, pingInterval: 30 };
 * ```
 */
export interface WebSocketOptions {
  /** The clock the close and ping timeouts run on. Default the reactor. */
  readonly clock?: ReactorTime;
  /** The largest message received, once put together and inflated; past it, close 1009. Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** The largest frame received; past it, close 1009. Default `maxMessageBytes`. */
  readonly maxFrameBytes?: number;
  /** Bytes of received messages held unread before the connection stops reading. Default 64 KiB. */
  readonly highWaterMark?: number;
  /**
   * How long the peer has to answer our close frame (and a server to close the TCP connection
   * after the handshake) before the connection is dropped. Default 10.
   */
  readonly closeTimeout?: number;
  /**
   * Sends a ping after this long without hearing from the peer, and drops the connection (1006)
   * if the next interval passes without a word either. Default none.
   */
  readonly pingInterval?: number;
}

/**
 * How a WebSocket closed: the code and reason of the close frame the peer sent (1005 when it had
 * no code), or of our own refusal of its input; 1006 when the connection went without a closing
 * handshake. `wasClean`: both close frames were exchanged.
 *
 * @example
 * ```ts
 * const { code, reason, wasClean } = await socket.closed;
 * ```
 */
export interface WebSocketCloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * What the handshake settled, for the socket it opens (`webSocketHandler` and `connectWebSocket`
 * make it).
 *
 * @example
 * ```ts
 * new WebSocket(connection, { role: 'server', head, protocol: 'chat', deflate: undefined }, options);
 * ```
 */
export interface WebSocketSetup {
  readonly role: WebSocketRole;
  /** Bytes of the WebSocket's stream that came with the handshake. */
  readonly head: Uint8Array;
  /** The subprotocol agreed on (`''` for none). */
  readonly protocol: string;
  /** The permessage-deflate parameters agreed on, if any, and the sending options. */
  readonly deflate: DeflateParameters | undefined;
  readonly deflateOptions?: PerMessageDeflateOptions;
}

/**
 * Where the socket is: `open`; `closing` (our close frame sent, the peer's awaited);
 * `done` (the close frames exchanged, or the input refused: the TCP connection is closing);
 * `closed`.
 */
export type WebSocketState = 'open' | 'closing' | 'done' | 'closed';

/** Who reads the messages: nobody yet, an observer, an iterator, or nobody any more (they are dropped). */
type Reader = 'none' | 'observer' | 'iterator' | 'gone';

/**
 * Whether the socket is handing out what one read decoded (or the messages that waited for their
 * reader): `idle`; `gathering`, what is sent meanwhile (echoes, pongs, a close frame) gathered to
 * leave in one write when the hand-out ends; `closing`, gathering, and the connection to close
 * after that write (our close frame is among what was gathered).
 */
type HandOut = 'idle' | 'gathering' | 'closing';

/**
 * What a hand-out gathers is written as soon as it reaches this many bytes (about what one read
 * of a socket brings), so that a sender told there is room has at most this much waiting on it.
 */
const batchLimit = 64 * 1024;

/**
 * What the socket knows of the connection's write buffer: `room`, or `full` (a write found it
 * past its high-water mark, and it has not drained since).
 */
type WriteBuffer = 'room' | 'full';

const maskPool = Buffer.allocUnsafe(4096);
let maskAt = maskPool.length;

/** A fresh random masking key (from a pool refilled 1024 keys at a time). */
function nextMask(): Uint8Array {
  if (maskAt === maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  maskAt += 4;
  return maskPool.subarray(maskAt - 4, maskAt);
}

function seconds(name: string, value: number | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number of seconds, not ${value}`);
  return value;
}

/**
 * An open WebSocket (RFC 6455), server or client end. Incoming messages (text as strings,
 * binary as bytes) come on `messages$` or through `for await`, read once; while the reader lags
 * (`highWaterMark` bytes wait, or, on the observable path, a connection it writes to is full)
 * the connection is not read. Pings are answered, a close frame is answered and the connection
 * closed, and input that breaks the protocol closes it with its code (1002, 1007, 1009).
 * Outgoing: `send` (false when the connection's buffer is past its high-water mark: wait for
 * `drained()`), or pipe an observable into the socket, which is an `Observer` of messages
 * (completing it closes with 1000). `close` starts the closing handshake; `closed` fires once
 * the connection is closed. What is sent while the socket hands out the messages of one read
 * (an echo, a reply), and its own answers to that read (pongs, a close frame), leave together in
 * one write when the hand-out ends, in the same turn; what is sent later goes out as it is sent.
 *
 * ```text
 * peer:      --'hi'--ping--'yo'--close(1000)
 * messages$: --'hi'--------'yo'--|
 * wire out:  ----------pong-------close(1000), then the connection closes
 * ```
 *
 * @example
 * ```ts
 * const socket = await connectWebSocket('ws://127.0.0.1:8080/chat');
 * socket.send('hello');
 * for await (const message of socket) console.log(message);
 * console.log((await socket.closed).code);
 * ```
 */
export class WebSocket
  implements Observer<WebSocketMessage>, AsyncIterable<WebSocketMessage>, Pausable, Session
{
  /** The subprotocol the handshake agreed on, `''` for none. */
  readonly protocol: string;
  /** Whether permessage-deflate was agreed on. */
  readonly compressed: boolean;
  /** Which end this is. */
  readonly role: WebSocketRole;
  /** The incoming messages, read once (a second subscriber gets `BodyConsumedError`). */
  readonly messages$: Observable<WebSocketMessage>;
  private readonly _connection: Connection;
  private readonly _output: CorkedOutput;
  private readonly _decoder: MessageDecoder;
  private readonly _deflater: MessageDeflater | undefined;
  private readonly _threshold: number;
  private readonly _clock: ReactorTime;
  private readonly _highWaterMark: number;
  private readonly _closeTimeout: number;
  private readonly _pingInterval: number | undefined;
  private readonly _deadline: Deadline;
  private readonly _closed = new OnceEvent<WebSocketCloseInfo>();
  private readonly _events: WebSocketEvent[] = [];
  private _state: WebSocketState = 'open';
  private _info: WebSocketCloseInfo | undefined = undefined;
  private _reader: Reader = 'none';
  private _handOut: HandOut = 'idle';
  /** The `cork()`s not yet uncorked: while one is open, what is gathered waits for its `uncork()`. */
  private _corks = 0;
  /** Bytes gathered since the output's last write. */
  private _gathered = 0;
  private _writeBuffer: WriteBuffer = 'room';
  private _observer: Subscriber<WebSocketMessage> | undefined = undefined;
  private _queue: WebSocketMessage[] = [];
  private _queuedBytes = 0;
  private _pauses = 0;
  private _readingPaused = false;
  private readonly _wakeup = new Wakeup();
  private _lastHeard: number;
  private _awaitingPong = false;

  constructor(connection: Connection, setup: WebSocketSetup, options: WebSocketOptions = {}) {
    this._connection = connection;
    this._output = new CorkedOutput(connection);
    this.role = setup.role;
    this.protocol = setup.protocol;
    const deflate = setup.deflate;
    this.compressed = deflate !== undefined;
    const server = setup.role === 'server';
    this._decoder = new MessageDecoder({
      role: setup.role,
      maxMessageBytes: options.maxMessageBytes,
      maxFrameBytes: options.maxFrameBytes,
      inflater:
        deflate === undefined
          ? undefined
          : new MessageInflater(server ? deflate.clientNoContextTakeover : deflate.serverNoContextTakeover),
    });
    this._deflater =
      deflate === undefined
        ? undefined
        : server
          ? new MessageDeflater(deflate.serverMaxWindowBits, deflate.serverNoContextTakeover)
          : new MessageDeflater(deflate.clientMaxWindowBits, deflate.clientNoContextTakeover);
    this._threshold = setup.deflateOptions?.threshold ?? 1024;
    this._clock = options.clock ?? reactor;
    this._highWaterMark = options.highWaterMark ?? 64 * 1024;
    this._closeTimeout = seconds('closeTimeout', options.closeTimeout, 10)!;
    this._pingInterval = seconds('pingInterval', options.pingInterval, undefined);
    this._deadline = new Deadline(this._clock, this._expired);
    this._lastHeard = this._clock.seconds();
    this.messages$ = new Observable<WebSocketMessage>((subscriber) => this._attach(subscriber));
    connection.closed.addCallback(() => this._lost());
    if (setup.head.length > 0) this._received(setup.head);
    if (this._state !== 'closed') {
      connection.data$.subscribe({
        next: this._received,
        complete: this._ended,
        error: () => undefined, // the connection is lost: `closed` follows
      });
    }
    this._updateDeadline();
  }

  /** Where the socket is. */
  get state(): WebSocketState {
    return this._state;
  }

  /** The peer's address. */
  get remoteAddress(): Address {
    return this._connection.remoteAddress;
  }

  /** Fires once the connection is closed, with how (each read gives a Deferred of its own). */
  get closed(): Deferred<WebSocketCloseInfo> {
    return this._closed.wait();
  }

  /**
   * Sends a message: a string as a text message, bytes as a binary one (compressed when
   * permessage-deflate was agreed and it is at least `threshold` bytes). Returns false when the
   * connection's buffer is past its high-water mark (wait for `drained()`), and drops the message
   * (returning false) once the socket is closing. While what is sent is gathered (in a `cork()`,
   * or while the socket hands out a read's messages) it says what the last write found; what a
   * hand-out gathers is written once it reaches 64 KiB, and the answer is that write's.
   */
  send(message: WebSocketMessage): boolean {
    if (this._state !== 'open') return false;
    const text = typeof message === 'string';
    const opcode = text ? Opcode.text : Opcode.binary;
    const mask = this.role === 'client' ? nextMask() : undefined;
    const deflater = this._deflater;
    if (deflater !== undefined && (text ? Buffer.byteLength(message) : message.length) >= this._threshold) {
      const payload = deflater.compress(text ? Buffer.from(message) : message);
      return this._write(encodeFrame(opcode, payload, { rsv1: true, mask }));
    }
    return this._write(encodeFrame(opcode, message, { mask }));
  }

  /**
   * Gathers what is sent from now until the matching `uncork()`, and then writes it in one write
   * (Node's `writable.cork()`): for a batch of messages, such as what a chat room says in one
   * turn. Corks nest, and nest in the gathering of a hand-out (a `messages$` subscriber's sends
   * leave when the socket has handed out the read's messages); uncork within the same turn of the
   * event loop.
   *
   * @example
   * ```ts
   * socket.cork();
   * for (const line of lines) socket.send(line);
   * const roomForMore = socket.uncork(); // one write
   * ```
   */
  cork(): void {
    this._corks++;
    this._output.cork();
  }

  /**
   * Ends a `cork()`; the outermost writes what was gathered (within a hand-out, when it ends).
   * False when the connection's buffer is past its high-water mark, as `send` says it. Without a
   * `cork()` open, does nothing.
   */
  uncork(): boolean {
    if (this._corks === 0) return this._writeBuffer === 'room';
    this._corks--;
    return this._uncorkOutput();
  }

  /** Fires once the connection's write buffer is below its high-water mark. */
  drained(): Deferred<void> {
    return this._connection.drained();
  }

  /** Sends a ping (up to 125 bytes of data); false when the buffer is full or the socket is not open. */
  ping(data: Uint8Array | string = ''): boolean {
    return this._control(Opcode.ping, data);
  }

  /**
   * Starts the closing handshake: sends a close frame with `code` (1000, 1001 … 3000-4999, or
   * 1005 for none) and `reason` (at most 123 bytes), sends nothing more, and closes the
   * connection once the peer answers, or after `closeTimeout`. Fires with how it closed.
   *
   * @throws RangeError for a code that may not be sent or a reason too long.
   */
  close(code = 1000, reason = ''): Deferred<WebSocketCloseInfo> {
    const payload = closePayload(code, reason);
    if (this._state === 'open') {
      this._state = 'closing';
      this._write(encodeFrame(Opcode.close, payload, { mask: this._mask() }));
      this._updateDeadline();
    }
    return this.closed;
  }

  /** Session: a server that closes says goodbye with 1001 (going away). */
  drain(_deadline: number): Deferred<WebSocketCloseInfo> {
    return this.close(1001, 'going away');
  }

  /** Observer: sends the message. */
  next(message: WebSocketMessage): void {
    this.send(message);
  }

  /** Observer: the outgoing messages ended; closes with 1000. */
  complete(): void {
    if (this._state === 'open') this.close(1000);
  }

  /** Observer: the pipeline feeding the socket failed; closes with 1011 (internal error). */
  error(_error: unknown): void {
    if (this._state === 'open') this.close(1011, 'internal error');
  }

  /** Pausable: the observer's own consumer is full; stop reading. */
  pauseProducing(): void {
    this._pauses++;
    this._updateReading();
  }

  /** Pausable: the observer's consumer drained; deliver what waits. */
  resumeProducing(): void {
    if (this._pauses > 0) this._pauses--;
    // a drain resumes the producers it paused before it fires `drained()`: the buffer may have room already
    if (this._writeBuffer === 'full') this._lookForRoom();
    this._flush();
    this._updateReading();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WebSocketMessage, void, undefined> {
    if (this._reader !== 'none') throw new BodyConsumedError('the messages are read by another reader');
    this._reader = 'iterator';
    try {
      for (;;) {
        if (this._queue.length > 0) {
          const message = this._queue.shift()!;
          this._queuedBytes -= sizeOf(message);
          this._updateReading();
          yield message;
        } else if (this._info !== undefined) {
          const info = this._info;
          if (!info.wasClean && info.code !== 1000) throw failureOf(info);
          return;
        } else {
          await this._wakeup.wait();
        }
      }
    } finally {
      this._reader = 'gone';
      this._dropQueue();
    }
  }

  private _mask(): Uint8Array | undefined {
    return this.role === 'client' ? nextMask() : undefined;
  }

  private _control(opcode: Opcode, data: Uint8Array | string): boolean {
    if (this._state !== 'open' && this._state !== 'closing') return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (size > 125) throw new RangeError(`a control frame carries at most 125 bytes, not ${size}`);
    return this._write(encodeFrame(opcode, data, { mask: this._mask() }));
  }

  /** Writes a frame, or gathers it while the output is corked: whether the connection has room for more. */
  private _write(frame: Uint8Array): boolean {
    if (this._handOut === 'idle' && this._corks === 0) return this._wrote(this._output.write(frame));
    this._output.write(frame);
    this._gathered += frame.length;
    return this._roomWhileCorked();
  }

  /**
   * While the output is corked: whether the connection has room. What a hand-out gathered is
   * written once it reaches `batchLimit`, unless a `cork()` holds it.
   */
  private _roomWhileCorked(): boolean {
    if (this._corks > 0 || this._gathered < batchLimit) return this._writeBuffer === 'room';
    this._gathered = 0;
    const room = this._output.uncork();
    this._output.cork();
    return this._wrote(room);
  }

  /** Ends one cork of the output; the outermost writes what was gathered. Whether the connection has room. */
  private _uncorkOutput(): boolean {
    const room = this._output.uncork();
    if (this._handOut !== 'idle' || this._corks > 0) return this._roomWhileCorked();
    this._gathered = 0;
    return this._wrote(room);
  }

  /** Notes the connection's answer to a write: past its high-water mark, it is full until it drains. */
  private _wrote(room: boolean): boolean {
    if (!room && this._writeBuffer === 'room') {
      this._writeBuffer = 'full';
      this._lookForRoom();
    }
    return room;
  }

  /** There is room once the connection has drained; a drain's producers may fill it again before this hears of it. */
  private readonly _lookForRoom = (): void => {
    const drained = this._connection.drained();
    if (drained.called) this._writeBuffer = 'room';
    else drained.addCallback(this._lookForRoom);
  };

  /**
   * Runs `handOut` gathering what is sent, then writes it in one write, as `producer`'s delivery
   * (paused if that write fills the connection), and closes the connection if the hand-out
   * closed it. A hand-out within one is part of it.
   */
  private _handingOut(producer: Pausable, handOut: () => void): void {
    if (this._handOut !== 'idle') {
      handOut();
      return;
    }
    this._handOut = 'gathering';
    this._output.cork();
    try {
      handOut();
    } finally {
      this._endHandOut(producer);
    }
  }

  /** Writes what the hand-out gathered, then closes the connection if the hand-out closed it. */
  private _endHandOut(producer: Pausable): void {
    const closing = this._handOut === 'closing';
    this._handOut = 'idle';
    whileProducing(producer, () => this._uncorkOutput());
    if (closing) this._connection.close();
  }

  /** Closes the connection, after what the hand-out under way gathers (our close frame among it). */
  private _closeConnection(): void {
    if (this._handOut === 'idle') this._connection.close();
    else this._handOut = 'closing';
  }

  private _attach(subscriber: Subscriber<WebSocketMessage>): () => void {
    if (this._reader !== 'none') {
      subscriber.error(new BodyConsumedError('the messages are read by another reader'));
      return () => undefined;
    }
    this._reader = 'observer';
    this._observer = subscriber;
    this._flush();
    this._updateReading();
    return () => {
      if (this._observer !== subscriber) return;
      this._observer = undefined;
      this._reader = 'gone';
      this._dropQueue();
    };
  }

  private readonly _received = (chunk: Uint8Array): void => {
    if (this._pingInterval !== undefined) {
      this._lastHeard = this._clock.seconds();
      this._awaitingPong = false;
    }
    let failure: unknown;
    try {
      this._decoder.push(chunk, this._events);
    } catch (error) {
      failure = error;
    }
    this._handingOut(this._connection, () => this._handOutEvents(failure));
    if (failure === undefined && this._pingInterval !== undefined && this._state === 'open') {
      this._updateDeadline();
    }
  };

  /** Acts on the events one read decoded, then on the failure that ended them, if any. */
  private _handOutEvents(failure: unknown): void {
    const events = this._events;
    try {
      for (const event of events) this._event(event);
    } finally {
      events.length = 0;
    }
    if (failure !== undefined) this._fail(failure as WebSocketError);
  }

  private readonly _ended = (): void => {
    try {
      this._decoder.end();
    } catch (error) {
      this._fail(error as WebSocketError);
      return;
    }
    if (this._state === 'open' || this._state === 'closing') {
      this._fail(new WebSocketError(1006, 'the connection closed without a closing handshake'));
    }
  };

  private _event(event: WebSocketEvent): void {
    switch (event.type) {
      case 'message':
        if (this._state === 'open' || this._state === 'closing') this._deliver(event.data);
        return;
      case 'ping':
        if (this._state === 'open') this._control(Opcode.pong, event.data);
        return;
      case 'pong':
        return;
      case 'close':
        this._peerClosed(event.code, event.reason);
        return;
    }
  }

  /** The peer's close frame: answered (unless it answers ours), then the connection closes. */
  private _peerClosed(code: number, reason: string): void {
    if (this._state === 'open') {
      const payload = code === 1005 ? new Uint8Array(0) : closePayload(code);
      this._write(encodeFrame(Opcode.close, payload, { mask: this._mask() }));
    } else if (this._state !== 'closing') return;
    this._info = { code, reason, wasClean: true };
    this._state = 'done';
    // The server closes the TCP connection first (RFC 6455 7.1.1); a client waits for it, within closeTimeout.
    if (this.role === 'server') this._closeConnection();
    this._updateDeadline();
    this._settleReader();
  }

  /** Our refusal of the peer's input (or its vanishing): a close frame with the code when it may be sent, then close. */
  private _fail(error: WebSocketError): void {
    if (this._state === 'done' || this._state === 'closed') return;
    const code = error instanceof WebSocketError ? error.closeCode : 1011;
    if (code !== 1006 && this._state === 'open') {
      this._write(encodeFrame(Opcode.close, closePayload(code), { mask: this._mask() }));
    }
    this._info = { code, reason: (error as Error).message, wasClean: false };
    this._state = 'done';
    this._closeConnection();
    this._updateDeadline();
    this._settleReader();
  }

  private _lost(): void {
    if (this._state === 'closed') return;
    this._deadline.cancel();
    this._info ??= {
      code: 1006,
      reason: 'the connection closed without a closing handshake',
      wasClean: false,
    };
    this._state = 'closed';
    this._settleReader();
    this._closed.fire(this._info);
  }

  private _deliver(message: WebSocketMessage): void {
    const reader = this._reader;
    if (reader === 'gone') return;
    const observer = this._observer;
    if (observer !== undefined && this._pauses === 0 && this._queue.length === 0) {
      whileProducing(this, () => observer.next(message));
      return;
    }
    this._queue.push(message);
    this._queuedBytes += sizeOf(message);
    if (reader === 'iterator') this._wakeup.wake();
    this._updateReading();
  }

  /** Hands the queued messages to the observer while it is not paused, then the end once the socket is done. */
  private _flush(): void {
    this._handingOut(this, this._handOutQueue);
  }

  private readonly _handOutQueue = (): void => {
    while (this._observer !== undefined && this._pauses === 0 && this._queue.length > 0) {
      const observer = this._observer;
      const message = this._queue.shift()!;
      this._queuedBytes -= sizeOf(message);
      whileProducing(this, () => observer.next(message));
    }
    this._settleReader();
  };

  /** Once no more messages come: the observer completes (a clean close) or errors, after what waits; an iterator wakes. */
  private _settleReader(): void {
    const info = this._info;
    if (info === undefined) return;
    this._wakeup.wake();
    const observer = this._observer;
    if (observer === undefined || this._queue.length > 0) return;
    this._observer = undefined;
    this._reader = 'gone';
    if (info.wasClean || info.code === 1000) observer.complete();
    else observer.error(failureOf(info));
  }

  private _dropQueue(): void {
    this._queue = [];
    this._queuedBytes = 0;
    this._updateReading();
  }

  /** Pauses reading while the reader lags: messages past the high-water mark wait, or the observer's consumer is full. */
  private _updateReading(): void {
    const paused =
      this._state !== 'closed' &&
      ((this._queuedBytes > 0 && this._queuedBytes >= this._highWaterMark) ||
        (this._observer !== undefined && this._pauses > 0));
    if (paused === this._readingPaused) return;
    this._readingPaused = paused;
    if (paused) this._connection.pauseProducing();
    else this._connection.resumeProducing();
  }

  /** The one deadline: the ping interval while open, the close timeout after. */
  private _updateDeadline(): void {
    switch (this._state) {
      case 'open':
        if (this._pingInterval !== undefined) this._deadline.set(this._lastHeard + this._pingInterval);
        return;
      case 'closing':
      case 'done':
        this._deadline.set(this._clock.seconds() + this._closeTimeout);
        return;
      case 'closed':
        this._deadline.cancel();
        return;
    }
  }

  private readonly _expired = (): void => {
    switch (this._state) {
      case 'open':
        if (this._awaitingPong) {
          this._info = {
            code: 1006,
            reason: `no answer to a ping for ${this._pingInterval} seconds`,
            wasClean: false,
          };
          this._connection.abort();
          return;
        }
        this._awaitingPong = true;
        this._lastHeard = this._clock.seconds();
        this.ping();
        this._updateDeadline();
        return;
      case 'closing':
        this._info = {
          code: 1006,
          reason: `no close frame within ${this._closeTimeout} seconds`,
          wasClean: false,
        };
        this._connection.abort();
        return;
      case 'done':
        this._connection.abort();
        return;
      case 'closed':
        return;
    }
  };
}

function sizeOf(message: WebSocketMessage): number {
  return typeof message === 'string' ? message.length : message.length;
}

function failureOf(info: WebSocketCloseInfo): WebSocketError {
  return new WebSocketError(info.code, info.reason);
}
