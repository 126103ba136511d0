/**
 * `BodyWriter`: outgoing bytes from any source (bytes, a string, an Observable, an async iterable,
 * a Node `Readable`) written to a connection with backpressure, framed as the protocol needs.
 *
 * @module
 */
import { isObservable, type Observable, type Subscription } from 'rxjs';
import { Deferred } from './deferred.js';

/**
 * A body to send: bytes, a string (sent as UTF-8), or a stream of either, as an Observable or an
 * async iterable (a Node `Readable` is one).
 *
 * @example
 * ```ts
 * const bodies: OutgoingBody[] = ['hello', new Uint8Array([1, 2]), of('a', 'b'), createReadStream('f')];
 * ```
 */
export type OutgoingBody =
  | Uint8Array
  | string
  | Observable<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

/**
 * Where a body goes: a `Connection`, or a `CorkedOutput` over one (whose `cork`/`uncork` let the
 * chunks an iterable yields together leave in one write).
 *
 * @example
 * ```ts
 * new BodyWriter(body, connection); // a Connection is a BodyOutput
 * ```
 */
export interface BodyOutput {
  /**
   * Queues bytes; false when the buffer is past its high-water mark. `written`, when the output
   * can tell, is called once it no longer needs the bytes (a `Connection`: handed to the system),
   * never before; an output that cannot tell never calls it.
   */
  write(data: Uint8Array | string, written?: () => void): boolean;
  /** Fires once the buffer is below its high-water mark. */
  drained(): PromiseLike<void>;
  cork?(): void;
  uncork?(): boolean;
}

/**
 * How a body goes on the wire: each chunk as it is, or framed (HTTP's chunked coding), what ends
 * it, and the exact length it must have when one was declared.
 *
 * @example
 * ```ts
 * const chunked: BodyEncoding = { chunk: encodeChunk, end: () => encodeLastChunk() };
 * ```
 */
export interface BodyEncoding {
  /** Frames one (non-empty) chunk. Default: the chunk as it is. */
  readonly chunk?: (data: Uint8Array) => Uint8Array | string;
  /** What ends the body. Default: nothing. */
  readonly end?: () => Uint8Array | string;
  /** The number of bytes the body must have (a declared Content-Length); more or fewer fail it. */
  readonly length?: number;
}

/**
 * Options of `BodyWriter`.
 *
 * @example
 * ```ts
 * new BodyWriter(body, output, { begin: () => { output.write(head); return { chunk: encodeChunk, end: () => encodeLastChunk() }; } });
 * ```
 */
export interface BodyWriterOptions {
  /** The body's encoding (unless `begin` gives one). Default: bytes as they are. */
  readonly encoding?: BodyEncoding;
  /**
   * Called once, before the body's first byte goes out (or at its end, for an empty body): what
   * precedes the body is written here (an HTTP response head, decided only once the body has
   * proved it can start), and what it returns is the body's encoding (returning none keeps
   * `encoding`). A throw fails the writer with that error, nothing of the body written.
   */
  readonly begin?: () => BodyEncoding | undefined;
}

/**
 * The method through which a body takes back the memory of the chunks it gave (a file read into
 * a few reused buffers): a `BodyWriter` calls `body[chunkWritten](chunk)` with a chunk it took
 * from the body once its output no longer needs the chunk's bytes, and never before. A chunk
 * whose write cannot be followed (an output that does not tell) is never handed back.
 *
 * @example
 * ```ts
 * const body = { [Symbol.asyncIterator]: () => chunks, [chunkWritten]: (chunk: Uint8Array) => pool.give(chunk) };
 * ```
 */
export const chunkWritten: unique symbol = Symbol('spindle.chunkWritten');

/**
 * A body that takes its chunks back once they are written (see `chunkWritten`).
 *
 * @example
 * ```ts
 * if (chunkWritten in body) (body as RecyclingBody)[chunkWritten](chunk);
 * ```
 */
export interface RecyclingBody {
  [chunkWritten](chunk: Uint8Array): void;
}

/** Where a writer stands. */
type WriterState = 'idle' | 'writing' | 'done' | 'stopped';

const encoder = new TextEncoder();

/**
 * Frees a body that will not be read (any more), if it can be: a Node `Readable`'s `destroy`;
 * anything else is left alone.
 *
 * @example
 * ```ts
 * disposeBody(response.body); // a HEAD request: the file stream is closed unread
 * ```
 */
export function disposeBody(body: unknown): void {
  const destroy = (body as { destroy?: unknown } | null)?.destroy;
  if (typeof destroy === 'function') (destroy as () => void).call(body);
}

/**
 * Writes one body to an output, then fires `done` with the number of body bytes written. Bytes
 * and strings go out at once. An async iterable (a `Readable`) is read only as fast as the output
 * drains: when a write returns false, the next chunk is pulled after `drained()`. An Observable
 * cannot be paused, but its values are written as they come, so one fed by a connection is paused
 * by the full buffer (the active producer), and its synchronous values are gathered while the
 * output is corked. `done` fails with the source's error, a chunk that is not bytes or a string,
 * or a length other than the declared one; `stop()` stops reading the source for good (the peer
 * went away, the exchange was cancelled), and `done` then never fires.
 *
 * ```text
 * source:  -a--b---c-|
 * output:  -A--B---C-E      (A = encoding.chunk(a), E = encoding.end())
 * done:    ----------(n|)
 * ```
 *
 * @example
 * ```ts
 * const writer = new BodyWriter(createReadStream('big.log'), connection, {
 *   encoding: { chunk: encodeChunk, end: () => encodeLastChunk() },
 * });
 * writer.done.addCallback((bytes) => console.log(`sent ${bytes} bytes`));
 * writer.start();
 * ```
 */
export class BodyWriter {
  /** Fires with the body bytes written once the whole body is queued; fails as the class says. */
  readonly done = new Deferred<number>();
  private _state: WriterState = 'idle';
  private _encoding: BodyEncoding | undefined;
  private _began = false;
  private _bytes = 0;
  /** How many `_cork()` calls are not yet uncorked. */
  private _corks = 0;
  private _subscription: Subscription | undefined = undefined;
  private _iterator: AsyncIterator<Uint8Array | string> | undefined = undefined;

  constructor(
    private readonly _body: OutgoingBody,
    private readonly _output: BodyOutput,
    private readonly _options: BodyWriterOptions = {},
  ) {
    this._encoding = _options.encoding;
  }

  /** Whether the body has begun (`begin` ran: what precedes it is out). */
  get started(): boolean {
    return this._began;
  }

  /** Body bytes written so far (before framing). */
  get bytes(): number {
    return this._bytes;
  }

  /** Starts reading the source and writing it. */
  start(): void {
    if (this._state !== 'idle') return;
    this._state = 'writing';
    const body = this._body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      this._guard(() => {
        this._write(body);
        this._finish();
      });
    } else if (isObservable(body)) {
      this._subscribe(body);
    } else if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) {
      void this._pump(body[Symbol.asyncIterator]());
    } else {
      this._fail(new TypeError(`a body cannot be ${Object.prototype.toString.call(body)}`));
    }
  }

  /** Stops reading the source, for good; `done` will not fire. */
  stop(): void {
    if (this._state === 'done' || this._state === 'stopped') return;
    const reading = this._state === 'writing';
    this._state = 'stopped';
    if (reading) this._release();
  }

  private _subscribe(body: Observable<Uint8Array | string>): void {
    this._cork();
    try {
      this._subscription = body.subscribe({
        next: (chunk) => this._guard(() => this._write(chunk)),
        error: (error: unknown) => this._fail(error),
        complete: () => this._guard(() => this._finish()),
      });
      if (this._state !== 'writing') this._subscription.unsubscribe();
    } finally {
      this._uncork();
    }
  }

  private async _pump(iterator: AsyncIterator<Uint8Array | string>): Promise<void> {
    this._iterator = iterator;
    const output = this._output;
    const body = this._body as Partial<RecyclingBody>;
    const recycle = typeof body[chunkWritten] === 'function' ? body[chunkWritten].bind(body) : undefined;
    try {
      for (;;) {
        const step = await iterator.next();
        if (this._state !== 'writing') return;
        this._cork();
        let ok = true;
        try {
          if (step.done === true) this._finish();
          else ok = this._write(step.value, recycle);
        } finally {
          ok = this._uncork() && ok;
        }
        if (this._state !== 'writing') return;
        if (!ok) await output.drained();
      }
    } catch (error) {
      this._fail(error);
    }
  }

  /** Runs a step that may throw (a bad chunk, a head that cannot be written): a throw fails the writer. */
  private _guard(step: () => void): void {
    if (this._state !== 'writing') return;
    try {
      step();
    } catch (error) {
      this._fail(error);
    }
  }

  /**
   * Writes one chunk (after `begin`, the first time); false when the output is full. A chunk of
   * bytes goes back to `recycle` once the output has let it go.
   */
  private _write(chunk: Uint8Array | string, recycle?: (chunk: Uint8Array) => void): boolean {
    let bytes: Uint8Array;
    if (typeof chunk === 'string') bytes = chunk.length === 0 ? new Uint8Array(0) : encoder.encode(chunk);
    else if (chunk instanceof Uint8Array) bytes = chunk;
    else throw new TypeError(`a body chunk cannot be ${Object.prototype.toString.call(chunk)}`);
    const n = bytes.byteLength;
    if (n === 0) return true;
    const encoding = this._begin();
    const length = encoding?.length;
    if (length !== undefined && this._bytes + n > length) {
      throw new TypeError(`the body is longer than its declared length (${length} bytes)`);
    }
    this._bytes += n;
    const framed = encoding?.chunk === undefined ? bytes : encoding.chunk(bytes);
    // a framing that copies the chunk frees it sooner; the framed write leaving frees it either way
    if (recycle === undefined || typeof chunk === 'string') return this._output.write(framed);
    return this._output.write(framed, () => recycle(bytes));
  }

  /** The source ended: the end of the body goes out, and `done` fires. */
  private _finish(): void {
    const encoding = this._begin();
    const length = encoding?.length;
    if (length !== undefined && this._bytes < length) {
      throw new TypeError(`the body ended ${length - this._bytes} bytes short of its declared length`);
    }
    if (encoding?.end !== undefined) this._output.write(encoding.end());
    this._state = 'done';
    this._subscription = undefined;
    this._iterator = undefined;
    // while corked, the last bytes are still gathered: `done` waits for the uncork that writes them
    if (this._corks === 0) this.done.callback(this._bytes);
  }

  /** Corks the output (when it can be corked) for one step of writing. */
  private _cork(): void {
    this._corks++;
    this._output.cork?.();
  }

  /**
   * Ends a `_cork()`; after the outermost, a body that finished meanwhile announces `done` (its
   * last bytes are out of our hands now, so whoever ends the connection next cannot cut them).
   */
  private _uncork(): boolean {
    this._corks--;
    const ok = this._output.uncork?.() ?? true;
    if (this._corks === 0 && this._state === 'done' && !this.done.called) this.done.callback(this._bytes);
    return ok;
  }

  private _begin(): BodyEncoding | undefined {
    if (!this._began) {
      const begin = this._options.begin;
      if (begin !== undefined) this._encoding = begin() ?? this._encoding;
      this._began = true; // not when `begin` throws: then nothing that precedes the body is out
    }
    return this._encoding;
  }

  private _fail(error: unknown): void {
    if (this._state !== 'writing') return;
    this._state = 'done';
    this._release();
    this.done.errback(error);
  }

  /** Lets the source go: unsubscribes, or ends the iteration (destroying a Readable at once). */
  private _release(): void {
    const subscription = this._subscription;
    this._subscription = undefined;
    subscription?.unsubscribe();
    const iterator = this._iterator;
    this._iterator = undefined;
    if (iterator?.return !== undefined) {
      iterator.return().then(undefined, () => undefined); // the source's own cleanup failing changes nothing here
      // a Readable's iterator returns only after the `next` it is waiting on: destroy it now
      disposeBody(this._body);
    }
  }
}
