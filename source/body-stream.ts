/**
 * `BodyStream`: incoming bytes (a request or response body, a message, a connection's bytes
 * pulled with `for await`) read once, as an Observable or an async iterable or whole, with
 * backpressure to whatever feeds it.
 *
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import { Wakeup } from './_wakeup.js';
import { Deferred, fail } from './deferred.js';
import { BodyConsumedError, BodyTooLargeError, CancelledError } from './errors.js';
import { type Pausable, whileProducing } from './producer.js';

/**
 * What feeds a `BodyStream`: a connection, an HTTP exchange, a decompressor. The stream asks it
 * to pause while its reader is behind, tells it when the reader comes, and when the reader leaves
 * before the end.
 *
 * @example
 * ```ts
 * const source: BodySource = { pause: () => conn.pause(), resume: () => conn.resume(), abandon: () => conn.abort() };
 * ```
 */
export interface BodySource {
  /** Stop sending for now: the reader is behind (or its own consumer is blocked). */
  pause(): void;
  /** Send again. */
  resume(): void;
  /** The reader came (HTTP sends `100 Continue` now). */
  reading?(): void;
  /** The reader left before the end (or gave up past a limit): the rest will not be read. */
  abandon?(reason: Error): void;
}

/**
 * The feeding side of a body: a `BodyStream`, or a stage between the wire and one (a
 * decompressor) that offers the same.
 *
 * @example
 * ```ts
 * for (const event of events) if (event.type === 'body') sink.push(event.data); else if (event.type === 'end') sink.end();
 * ```
 */
export interface BodySink {
  push(chunk: Uint8Array): void;
  end(): void;
  fail(error: unknown): void;
}

/**
 * Options of `BodyStream`.
 *
 * @example
 * ```ts
 * new BodyStream({ highWaterMark: 64 * 1024, declaredLength: 11, source: exchange });
 * ```
 */
export interface BodyStreamOptions {
  /** Bytes held unread before the source is paused. Default 64 KiB. */
  readonly highWaterMark?: number;
  /** What feeds it (or give it later, to `feedFrom`). */
  readonly source?: BodySource;
  /** The body's length when declared up front (Content-Length): `readAll` refuses a longer one before reading it. */
  readonly declaredLength?: number;
}

/** Where the bytes stand: still coming, all in, or cut short. */
type Flow = 'open' | 'ended' | 'failed';

/** Who reads: nobody yet, one reader, a reader that is done, or nobody any more (the rest is dropped). */
type ReaderState = 'none' | 'reading' | 'done' | 'gone';

/** What a reader is to the stream: a subscriber, or the collector of `readAll` and `discard`. */
interface BodyReader {
  next(chunk: Uint8Array): void;
  error(error: unknown): void;
  complete(): void;
}

const emptyBytes = new Uint8Array(0);

/** The chunks as one array (the chunk itself when there is one). */
function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 0) return emptyBytes;
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Bytes that arrive over time and are read once: subscribe to it, iterate it with `for await`,
 * read it whole with `readAll(limit)`, or `discard` it. A second reader gets `BodyConsumedError`.
 *
 * The feeding side calls `push`, `end` and `fail`. Chunks that come before the reader, or faster
 * than it reads, wait here; past `highWaterMark` unread bytes the source is paused until the
 * reader catches up. An observer is delivered to as the active producer: if it writes to a
 * connection whose buffer is full, the stream pauses (and so its source) until that drains. A
 * reader that leaves before the end (unsubscribes, breaks out of the loop, or passes `readAll`'s
 * limit) abandons the body: what waits is dropped, the source is told (`abandon`), and the rest
 * is dropped as it comes. The stream errors if the body does not arrive whole; a paused observer
 * hears of it at once.
 *
 * ```text
 * push:   -a--b----c--|     (end)
 * reader: -a--b----c--|
 * readAll(limit):    (abc|) or BodyTooLargeError past the limit
 * ```
 *
 * @example
 * ```ts
 * const body = new BodyStream({ source: { pause: () => conn.pause(), resume: () => conn.resume() } });
 * body.push(chunk); body.end();                   // the feeding side
 * for await (const chunk of body) sink(chunk);    // the reader's side, or:
 * const whole = await body.readAll(1024 * 1024);
 * ```
 */
export class BodyStream
  extends Observable<Uint8Array>
  implements AsyncIterable<Uint8Array>, BodySink, Pausable
{
  /** The declared length, when the body had one. */
  readonly declaredLength: number | undefined;
  private readonly _highWaterMark: number;
  private _source: BodySource | undefined;
  private _queue: Uint8Array[] = [];
  private _head = 0;
  private _bytes = 0;
  private _flow: Flow = 'open';
  private _error: unknown = undefined;
  private _reader: ReaderState = 'none';
  private _observer: BodyReader | undefined = undefined;
  /** Pauses asked by the observer's own consumer (a blocked connection it writes to). */
  private _pauses = 0;
  private _sourcePaused = false;
  private _delivering = false;
  private readonly _wakeup = new Wakeup();

  constructor(options: BodyStreamOptions = {}) {
    super((subscriber) => this._attach(subscriber));
    this._highWaterMark = options.highWaterMark ?? 64 * 1024;
    this._source = options.source;
    this.declaredLength = options.declaredLength;
  }

  /** Whether every byte has arrived. */
  get ended(): boolean {
    return this._flow === 'ended';
  }

  /** Whether a reader is reading it now: it came, has not left, and the bytes still come. */
  get reading(): boolean {
    return this._reader === 'reading' && this._flow === 'open';
  }

  /** Connects what feeds it, when that comes after the stream (a decoder between the two). */
  feedFrom(source: BodySource): void {
    this._source = source;
    this._update();
  }

  /** The feeding side: more bytes. */
  push(chunk: Uint8Array): void {
    if (this._flow !== 'open' || this._reader === 'gone' || chunk.byteLength === 0) return;
    const observer = this._observer;
    if (observer === undefined) {
      // the pull path (an async reader, or nobody yet): keep it, wake the reader
      this._queue.push(chunk);
      this._bytes += chunk.byteLength;
      if (!this._sourcePaused && this._bytes >= this._highWaterMark) this._update();
      this._wakeup.wake();
      return;
    }
    if (this._pauses === 0 && this._head === this._queue.length) {
      whileProducing(this, () => observer.next(chunk));
      return;
    }
    this._queue.push(chunk);
    this._bytes += chunk.byteLength;
    this._flush();
    this._update();
  }

  /** The feeding side: the body arrived whole. */
  end(): void {
    if (this._flow !== 'open') return;
    this._flow = 'ended';
    this._settle();
  }

  /** The feeding side: the body will not arrive whole; the reader gets `error`. */
  fail(error: unknown): void {
    if (this._flow !== 'open') return;
    this._flow = 'failed';
    this._error = error;
    if (this._observer !== undefined && this._pauses > 0) this._release(); // a paused observer hears at once
    this._settle();
  }

  /**
   * The whole body as one array; errbacks with `BodyTooLargeError` past `limit` bytes (before
   * reading it when its declared length says so), with the stream's error if it is cut short, or
   * with `BodyConsumedError` if it was read already. Cancelling abandons the body.
   *
   * @example
   * ```ts
   * const text = new TextDecoder().decode(await body.readAll(64 * 1024));
   * ```
   */
  readAll(limit = Number.POSITIVE_INFINITY): Deferred<Uint8Array> {
    if (this._reader !== 'none') return fail(new BodyConsumedError());
    const declared = this.declaredLength;
    if (declared !== undefined && declared > limit) {
      this._reader = 'reading';
      const error = new BodyTooLargeError(limit);
      this.abandon(error);
      return fail(error);
    }
    const result = new Deferred<Uint8Array>(() =>
      this.abandon(new CancelledError('reading the body was cancelled')),
    );
    const chunks: Uint8Array[] = [];
    let total = 0;
    this._read({
      next: (chunk) => {
        total += chunk.byteLength;
        if (total > limit) {
          const error = new BodyTooLargeError(limit);
          this.abandon(error);
          result.errback(error);
        } else chunks.push(chunk);
      },
      error: (error) => result.errback(error),
      complete: () => result.callback(concat(chunks, total)),
    });
    return result;
  }

  /**
   * Reads the rest of the body and drops it, so that what feeds it can go on (a connection that
   * will carry the next message); fires at the end, or once the body fails. Past `maxLength`
   * bytes it is not worth the wait: the body is abandoned (`BodyTooLargeError` to the source),
   * and the Deferred fires all the same. A reader that has the body already reads on, and the
   * Deferred fires at once.
   *
   * @example
   * ```ts
   * await response.body.discard(64 * 1024);
   * ```
   */
  discard(maxLength = Number.POSITIVE_INFINITY): Deferred<void> {
    const done = new Deferred<void>();
    if (this._reader !== 'none') {
      done.callback(undefined);
      return done;
    }
    let total = 0;
    const settle = () => {
      if (!done.called) done.callback(undefined);
    };
    this._read({
      next: (chunk) => {
        total += chunk.byteLength;
        if (total > maxLength) {
          this.abandon(new BodyTooLargeError(maxLength));
          settle();
        }
      },
      error: settle,
      complete: settle,
    });
    return done;
  }

  /**
   * The reader gives up before the end: what waits is dropped, the source (if still sending) is
   * told with `reason`, and the rest is dropped as it comes.
   */
  abandon(reason: Error): void {
    if (this._reader === 'gone') return;
    this._reader = 'gone';
    this._observer = undefined;
    this._release();
    if (this._flow === 'open') this._source?.abandon?.(reason);
    this._update();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    if (this._reader !== 'none') throw new BodyConsumedError();
    this._reader = 'reading';
    this._source?.reading?.();
    try {
      for (;;) {
        if (this._head < this._queue.length) {
          const chunk = this._take();
          if (this._sourcePaused) this._update(); // taking can only lift a pause
          yield chunk;
        } else if (this._flow === 'ended') {
          return;
        } else if (this._flow === 'failed') {
          throw this._error;
        } else {
          await this._wakeup.wait();
        }
      }
    } finally {
      if (this._flow === 'open') this.abandon(new CancelledError('the body was not read to its end'));
      else if (this._reader === 'reading') this._reader = 'done';
    }
  }

  /** The observer's consumer is blocked: hold the chunks, and pause the source. */
  pauseProducing(): void {
    this._pauses++;
    this._update();
  }

  /** The observer's consumer drained: deliver what waits. */
  resumeProducing(): void {
    if (this._pauses > 0) this._pauses--;
    this._flush();
    this._update();
  }

  /** The subscribe function of the Observable. */
  private _attach(subscriber: Subscriber<Uint8Array>): () => void {
    if (this._reader !== 'none') {
      subscriber.error(new BodyConsumedError());
      return () => undefined;
    }
    this._read(subscriber);
    return () => {
      if (this._observer !== subscriber) return;
      this._observer = undefined;
      if (this._flow === 'open')
        this.abandon(new CancelledError('the body was unsubscribed from before its end'));
    };
  }

  /** `reader` reads it from now on: what waits first, then what comes. */
  private _read(reader: BodyReader): void {
    this._reader = 'reading';
    this._observer = reader;
    this._source?.reading?.();
    this._settle();
  }

  private _take(): Uint8Array {
    const chunk = this._queue[this._head]!;
    this._head++;
    if (this._head === this._queue.length) {
      this._queue = [];
      this._head = 0;
    }
    this._bytes -= chunk.byteLength;
    return chunk;
  }

  /** Drops what waits unread. */
  private _release(): void {
    this._queue = [];
    this._head = 0;
    this._bytes = 0;
  }

  /** Delivers what waits, then the end or the failure; wakes an iterator; adjusts the source. */
  private _settle(): void {
    this._flush();
    this._update();
    this._wakeup.wake();
  }

  /** Hands what waits to the observer while it is not paused, then the end or the failure. */
  private _flush(): void {
    if (this._delivering) return;
    this._delivering = true;
    try {
      while (this._observer !== undefined && this._pauses === 0 && this._head < this._queue.length) {
        const observer = this._observer;
        const chunk = this._take();
        whileProducing(this, () => observer.next(chunk));
      }
      const observer = this._observer;
      if (observer === undefined || this._head < this._queue.length || this._flow === 'open') return;
      this._observer = undefined;
      this._reader = 'done';
      if (this._flow === 'failed') observer.error(this._error);
      else observer.complete();
    } finally {
      this._delivering = false;
    }
  }

  /** Pauses the source while the reader is behind, resumes it after (and once the bytes stop). */
  private _update(): void {
    const source = this._source;
    if (source === undefined) return;
    const full =
      this._flow === 'open' &&
      this._reader !== 'gone' &&
      ((this._bytes > 0 && this._bytes >= this._highWaterMark) ||
        (this._observer !== undefined && this._pauses > 0));
    if (full === this._sourcePaused) return;
    this._sourcePaused = full;
    if (full) source.pause();
    else source.resume();
  }
}
