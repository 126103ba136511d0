/**
 * `ServerRequestBody`: a request body on the server, pushed by the connection as the parser
 * reads it, read once by the handler as an Observable or an async iterable, with backpressure.
 * Private to protocols/http.
 *
 * @module
 */
import { Observable, type Subscriber } from 'rxjs';
import { type Pausable, whileProducing } from '../../source/producer.js';
import { HttpParseError } from './http-error.js';

/**
 * What a request body needs from the exchange it belongs to.
 *
 * @example
 * ```ts
 * const source: BodySource = { producer: connection, bodyWanted: () => sendContinue(), bodyFull: (full) => pause(full) };
 * ```
 */
export interface BodySource {
  /** The producer deliveries run under, so a reader whose writes block pauses the connection. */
  readonly producer: Pausable;
  /** The first reader came: the moment to send `100 Continue` when the client expects it. */
  bodyWanted(): void;
  /** The unread bytes passed the high-water mark (`full`), or fell back under it. */
  bodyFull(full: boolean): void;
}

/** Bytes a body holds unread before the connection stops reading. */
const highWaterMark = 64 * 1024;

const emptyBytes = new Uint8Array(0);

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
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
 * A request body: an Observable of its chunks and an async iterable of them, read at most once
 * (a second reader gets an error). Chunks that come before the reader, or faster than an async
 * iterator pulls, are kept up to 64 KiB; past that the connection stops reading until the reader
 * catches up. A reader that leaves early (unsubscribes, breaks out of `for await`) abandons the
 * body: the rest is dropped as it comes. The stream errors if the body does not arrive whole
 * (the connection closed or timed out, the framing was broken).
 *
 * @example
 * ```ts
 * const body = new ServerRequestBody(source, 11);
 * body.subscribe((chunk) => sink.write(chunk));
 * body.push(bytes); body.end();
 * ```
 */
export class ServerRequestBody extends Observable<Uint8Array> implements AsyncIterable<Uint8Array> {
  private _queue: Uint8Array[] = [];
  private _queued = 0;
  private _state: 'open' | 'ended' | 'failed' = 'open';
  private _error: unknown = undefined;
  private _claimed = false;
  private _abandoned = false;
  private _full = false;
  private _observer: Subscriber<Uint8Array> | undefined = undefined;
  private _wake: (() => void) | undefined = undefined;

  /**
   * @param _source - the connection's side of the body.
   * @param declaredLength - the Content-Length, when the body has one (to refuse a body too big
   *   for `readAll` before reading it).
   */
  constructor(
    private readonly _source: BodySource,
    readonly declaredLength: number | undefined,
  ) {
    super(function (this: Observable<Uint8Array>, subscriber) {
      return (this as ServerRequestBody)._attach(subscriber);
    });
  }

  /** A body with no bytes, ended already. */
  static empty(source: BodySource): ServerRequestBody {
    const body = new ServerRequestBody(source, 0);
    body.end();
    return body;
  }

  /** Whether every byte of the body has arrived. */
  get ended(): boolean {
    return this._state === 'ended';
  }

  /** Whether a reader is reading it now (claimed it and has not left). */
  get reading(): boolean {
    return this._claimed && !this._abandoned && this._state === 'open';
  }

  /** The connection read more of the body. */
  push(chunk: Uint8Array): void {
    if (this._state !== 'open') return;
    const observer = this._observer;
    if (observer !== undefined) {
      observer.next(chunk);
      return;
    }
    if (this._abandoned) return;
    this._queue.push(chunk);
    this._queued += chunk.byteLength;
    if (!this._full && this._queued >= highWaterMark) {
      this._full = true;
      this._source.bodyFull(true);
    }
    this._wakeReader();
  }

  /** The body arrived whole. */
  end(): void {
    if (this._state !== 'open') return;
    this._state = 'ended';
    this._settle();
  }

  /** The body will not arrive whole: the reader gets `error`. */
  fail(error: unknown): void {
    if (this._state !== 'open') return;
    this._state = 'failed';
    this._error = error;
    this._settle();
  }

  /**
   * Drops what is kept and what comes later (the response went out without reading the body).
   * A reader already there reads on.
   */
  discard(): void {
    if (this._claimed && !this._abandoned) return;
    this._claimed = true;
    this._abandon();
  }

  /**
   * The whole body as one byte array, refused with HttpParseError 413 when it is (or is declared)
   * longer than `limit`, before reading it when the length is declared.
   */
  readAll(limit: number): Promise<Uint8Array> {
    if (!this._claimed && this._state === 'ended') {
      this._claimed = true;
      const bytes = this._queued <= limit ? concat(this._queue, this._queued) : undefined;
      this._release();
      return bytes === undefined ? Promise.reject(this._tooLarge(limit)) : Promise.resolve(bytes);
    }
    if (!this._claimed && this.declaredLength !== undefined && this.declaredLength > limit) {
      this._claimed = true;
      this._abandon();
      return Promise.reject(this._tooLarge(limit));
    }
    return this._collect(limit);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    this._claim();
    try {
      for (;;) {
        const queue = this._queue;
        if (queue.length > 0) {
          const chunk = queue.shift()!;
          this._queued -= chunk.byteLength;
          if (this._full && this._queued < highWaterMark) {
            this._full = false;
            this._source.bodyFull(false);
          }
          yield chunk;
        } else if (this._state === 'ended') {
          return;
        } else if (this._state === 'failed') {
          throw this._error;
        } else {
          await new Promise<void>((resolve) => {
            this._wake = resolve;
          });
        }
      }
    } finally {
      if (this._state === 'open') this._abandon();
    }
  }

  private async _collect(limit: number): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this) {
      total += chunk.byteLength;
      if (total > limit) throw this._tooLarge(limit);
      chunks.push(chunk);
    }
    return total === 0 ? emptyBytes : concat(chunks, total);
  }

  private _tooLarge(limit: number): HttpParseError {
    return new HttpParseError(413, `the request body is longer than ${limit} bytes`);
  }

  /** The subscribe function of the Observable. */
  private _attach(subscriber: Subscriber<Uint8Array>): () => void {
    this._claim();
    const queue = this._queue;
    if (queue.length > 0) {
      whileProducing(this._source.producer, () => {
        for (let i = 0; i < queue.length && !subscriber.closed; i++) subscriber.next(queue[i]!);
      });
      this._release();
    }
    if (this._state === 'ended') subscriber.complete();
    else if (this._state === 'failed') subscriber.error(this._error);
    else if (subscriber.closed) this._abandon();
    else this._observer = subscriber;
    return () => {
      if (this._observer !== subscriber) return;
      this._observer = undefined;
      if (this._state === 'open') this._abandon();
    };
  }

  private _claim(): void {
    if (this._claimed) throw new Error('the request body can be read only once');
    this._claimed = true;
    this._source.bodyWanted();
  }

  private _abandon(): void {
    this._abandoned = true;
    this._release();
  }

  /** Forgets the kept chunks; the connection reads on if they held it back. */
  private _release(): void {
    this._queue = [];
    this._queued = 0;
    if (this._full) {
      this._full = false;
      this._source.bodyFull(false);
    }
  }

  private _settle(): void {
    const observer = this._observer;
    if (observer !== undefined) {
      this._observer = undefined;
      if (this._state === 'ended') observer.complete();
      else observer.error(this._error);
    } else {
      if (this._abandoned) this._release();
      this._wakeReader();
    }
  }

  private _wakeReader(): void {
    const wake = this._wake;
    this._wake = undefined;
    wake?.();
  }
}
