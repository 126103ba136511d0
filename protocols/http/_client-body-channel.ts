/**
 * `BodyChannel`: a response body between the wire and its one reader, an Observable and an async
 * iterable, with a bounded buffer that pauses the source while the reader is behind.
 *
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import { Wakeup } from '../../source/_wakeup.js';
import { CancelledError } from '../../source/errors.js';
import { type Pausable, whileProducing } from '../../source/producer.js';

/**
 * What a body stage asks of the stage feeding it.
 *
 * @example
 * ```ts
 * const source: BodySource = { pause: () => conn.pause(), resume: () => conn.resume(), abandon: () => conn.abort() };
 * ```
 */
export interface BodySource {
  /** Stop sending for now: the reader is behind. */
  pause(): void;
  /** Send again. */
  resume(): void;
  /** The reader is gone before the end: stop for good (the connection cannot be reused). */
  abandon(reason: Error): void;
}

/**
 * What a body stage is fed with.
 *
 * @example
 * ```ts
 * for (const event of events) if (event.type === 'body') sink.write(event.data); else if (event.type === 'end') sink.end();
 * ```
 */
export interface BodySink {
  write(chunk: Uint8Array): void;
  end(): void;
  fail(error: Error): void;
}

/**
 * A response body, read once: subscribe to it, or iterate it with `for await` (a second reader
 * gets a TypeError). Chunks written while nobody reads, or while the reader is behind, wait here;
 * past `highWaterMark` bytes the source is paused (it may finish the chunk it is delivering, so
 * the buffer holds at most about one chunk more). An observer that cannot keep up pauses it
 * through `whileProducing` (a connection it writes to pauses the active producer). A reader that
 * leaves before the end abandons the body: the source stops for good.
 *
 * @example
 * ```ts
 * const body = new BodyChannel(64 * 1024);
 * body.feedFrom(exchange);
 * body.write(chunk); body.end();          // the wire side
 * for await (const chunk of body) …       // the reader's side
 * ```
 */
export class BodyChannel
  extends Observable<Uint8Array>
  implements AsyncIterable<Uint8Array>, BodySink, Pausable
{
  private _source: BodySource | undefined = undefined;
  private readonly _highWaterMark: number;
  private readonly _queue: Uint8Array[] = [];
  private _bytes = 0;
  private _ended = false;
  private _failure: Error | undefined = undefined;
  private _abandoned = false;
  private _attached = false;
  private _observer: Subscriber<Uint8Array> | undefined = undefined;
  private _pauses = 0;
  private _sourcePaused = false;
  private _delivering = false;
  private readonly _reader = new Wakeup();

  constructor(highWaterMark: number) {
    super((subscriber) => {
      this._attach();
      this._observer = subscriber;
      this._flush();
      this._update();
      return () => this.abandon(new CancelledError('the response body was unsubscribed from'));
    });
    this._highWaterMark = highWaterMark;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    this._attach();
    try {
      for (;;) {
        const chunk = this._take();
        if (chunk !== undefined) yield chunk;
        else if (this._failure !== undefined) throw this._failure;
        else if (this.done) return;
        else await this._reader.wait();
      }
    } finally {
      this.abandon(new CancelledError('the response body was not read to its end'));
    }
  }

  /** Connects the stage feeding this one. */
  feedFrom(source: BodySource): void {
    this._source = source;
    this._update();
  }

  /** Whether the body ended, failed or was abandoned. */
  get done(): boolean {
    return this._ended || this._failure !== undefined || this._abandoned;
  }

  write(chunk: Uint8Array): void {
    if (this.done || chunk.byteLength === 0) return;
    this._queue.push(chunk);
    this._bytes += chunk.byteLength;
    this._flush();
    this._update();
    this._reader.wake();
  }

  end(): void {
    if (this.done) return;
    this._ended = true;
    this._flush();
    this._reader.wake();
  }

  fail(error: Error): void {
    if (this.done) return;
    this._failure = error;
    if (this._pauses > 0) {
      // a paused observer hears of the failure at once
      this._queue.length = 0;
      this._bytes = 0;
    }
    this._flush();
    this._reader.wake();
  }

  /** The reader gives up before the end: the buffer is dropped, and the source, if still sending, stops for good. */
  abandon(reason: Error): void {
    if (this._abandoned || this._failure !== undefined) return;
    const sending = !this._ended;
    this._abandoned = true;
    this._queue.length = 0;
    this._bytes = 0;
    this._observer = undefined;
    if (sending) this._source?.abandon(reason);
  }

  /** Claims the body for its one reader. */
  private _attach(): void {
    if (this._attached) throw new TypeError('the response body can be read only once');
    this._attached = true;
  }

  pauseProducing(): void {
    this._pauses++;
    this._update();
  }

  resumeProducing(): void {
    if (this._pauses > 0) this._pauses--;
    this._flush();
    this._update();
  }

  private _take(): Uint8Array | undefined {
    const chunk = this._queue.shift();
    if (chunk !== undefined) {
      this._bytes -= chunk.byteLength;
      this._update();
    }
    return chunk;
  }

  /** Hands what waits to the observer while it is not paused, then the end or the failure. */
  private _flush(): void {
    if (this._delivering) return;
    this._delivering = true;
    try {
      while (this._observer !== undefined && this._pauses === 0 && this._queue.length > 0) {
        const observer = this._observer;
        const chunk = this._take()!;
        whileProducing(this, () => observer.next(chunk));
      }
      const observer = this._observer;
      if (observer === undefined || this._queue.length > 0) return;
      if (this._failure !== undefined) {
        this._observer = undefined;
        observer.error(this._failure);
      } else if (this._ended) {
        this._observer = undefined;
        observer.complete();
      }
    } finally {
      this._delivering = false;
    }
  }

  /** Pauses the source while the buffer is full or the observer is paused; resumes it after. */
  private _update(): void {
    const source = this._source;
    if (source === undefined || this.done) return;
    const full = this._bytes >= this._highWaterMark || (this._observer !== undefined && this._pauses > 0);
    if (full !== this._sourcePaused) {
      this._sourcePaused = full;
      if (full) source.pause();
      else source.resume();
    }
  }
}
