/**
 * Request bodies for the HTTP client: what a caller may give, made ready to send, and the
 * chunked upload of a body whose length is not known.
 *
 * @module
 */
import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { Connection } from '../../source/connection.js';
import { Deferred } from '../../source/deferred.js';
import type { RequestBodyInit } from './client.js';
import { encodeChunk, encodeLastChunk } from './write-request.js';

/**
 * A request body ready to send: nothing, bytes known in full (replayable), or a stream (sent once).
 *
 * @example
 * ```ts
 * const body: PreparedBody = { kind: 'bytes', bytes: new TextEncoder().encode('hello') };
 * ```
 */
export type PreparedBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'stream';
      readonly source: Observable<Uint8Array | string> | AsyncIterable<Uint8Array | string>;
    };

const encoder = new TextEncoder();

/** Bytes of a chunk: a string is UTF-8. */
function bytesOf(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/**
 * Sorts a caller's body into bytes known in full or a stream.
 *
 * @throws TypeError for anything else.
 * @example
 * ```ts
 * prepareBody('héllo'); // { kind: 'bytes', bytes: <68 c3 a9 6c 6c 6f> }
 * ```
 */
export function prepareBody(body: RequestBodyInit | undefined): PreparedBody {
  if (body === undefined) return { kind: 'none' };
  if (typeof body === 'string' || body instanceof Uint8Array) return { kind: 'bytes', bytes: bytesOf(body) };
  if (isObservable(body) || Symbol.asyncIterator in body) return { kind: 'stream', source: body };
  throw new TypeError('a request body is bytes, a string, an Observable or an async iterable');
}

/**
 * Sends a stream body as chunks (Transfer-Encoding: chunked), then the last chunk. An async
 * iterable is read only as fast as the connection drains; an Observable cannot be paused, but its
 * values are written as they come, so a source that is itself a connection is paused by the
 * full write buffer (the active producer). `done` fires once the last chunk is queued and fails
 * with the source's error; `stop()` stops reading the source (the server answered early, or the
 * request was aborted), and `done` then never fires.
 *
 * @example
 * ```ts
 * const upload = new ChunkedUpload(connection, createReadStream('big.log'));
 * upload.done.addCallback(() => console.log('sent'));
 * upload.start();
 * ```
 */
export class ChunkedUpload {
  /** Fires once the whole body is queued on the connection; fails with the source's error. */
  readonly done = new Deferred<void>();
  private _stopped = false;
  private _subscription: Subscription | undefined = undefined;
  private _iterator: AsyncIterator<Uint8Array | string> | undefined = undefined;

  constructor(
    private readonly _connection: Connection,
    private readonly _source: Observable<Uint8Array | string> | AsyncIterable<Uint8Array | string>,
  ) {}

  /** Starts reading the source and writing it. */
  start(): void {
    const source = this._source;
    if (isObservable(source)) {
      this._subscription = source.subscribe({
        next: (chunk) => this._write(bytesOf(chunk)),
        error: (error: unknown) => this._fail(error),
        complete: () => this._finish(),
      });
    } else {
      this._iterator = source[Symbol.asyncIterator]();
      void this._pump(this._iterator);
    }
  }

  /** Stops reading the source, for good. */
  stop(): void {
    if (this._stopped) return;
    this._stopped = true;
    this._subscription?.unsubscribe();
    const iterator = this._iterator;
    if (iterator?.return !== undefined) {
      iterator.return().then(undefined, () => undefined); // the source's own cleanup failing changes nothing here
    }
  }

  private async _pump(iterator: AsyncIterator<Uint8Array | string>): Promise<void> {
    try {
      for (;;) {
        const next = await iterator.next();
        if (this._stopped) return;
        if (next.done) break;
        if (!this._write(bytesOf(next.value))) await this._connection.drained();
      }
    } catch (error) {
      this._fail(error);
      return;
    }
    this._finish();
  }

  /** Writes one chunk; false when the connection's buffer is full. */
  private _write(bytes: Uint8Array): boolean {
    if (this._stopped || bytes.byteLength === 0) return true;
    return this._connection.write(encodeChunk(bytes));
  }

  private _finish(): void {
    if (this._stopped) return;
    this._stopped = true;
    this._connection.write(encodeLastChunk());
    this.done.callback(undefined);
  }

  private _fail(error: unknown): void {
    if (this._stopped) return;
    this._stopped = true;
    this._subscription?.unsubscribe();
    this.done.errback(error);
  }
}
