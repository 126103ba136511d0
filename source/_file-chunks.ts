/**
 * `FileChunks`: spans of an open file read in bounded chunks into a few reused buffers, one read
 * ahead, the file closed on every path. Private to Spindle: the web's static file bodies and FTP's
 * RETR are read through it.
 *
 * @module
 */
import { type BufferPool, sharedBufferPool } from './_buffer-pool.js';
import { chunkWritten, type RecyclingBody } from './body-writer.js';

/**
 * The most bytes read from a file at once by default: what one chunk holds. 256 KiB rather than a
 * Readable's 64 KiB: a quarter of the round trips to the thread pool, which takes a 1 MiB static
 * file from 0.8x to ~1.2x the requests per second of node:http piping `fs.createReadStream`.
 */
export const fileChunkSize = 256 * 1024;

/**
 * What `FileChunks` reads: an open file's positional reads, and its release.
 *
 * @example
 * ```ts
 * const file: ChunkFile = {
 *   read: async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead,
 *   close: () => handle.close(),
 * };
 * ```
 */
export interface ChunkFile {
  /** Reads up to `length` bytes at `position` into the start of `buffer`; fires with how many (0: the file ends there). */
  read(buffer: Uint8Array, length: number, position: number): Promise<number>;
  /** Releases the file; called once, never while a read runs. */
  close(): Promise<void>;
}

/**
 * Bytes `start` up to `end` (excluded) of the file, after `head`; without `end`, up to the end of
 * the file, however long it is by then.
 *
 * @example
 * ```ts
 * const part: FileSpan = { head: Buffer.from('--b\r\nContent-Range: bytes 0-9/20\r\n\r\n'), start: 0, end: 10 };
 * ```
 */
export interface FileSpan {
  /** Bytes given before the span's first chunk (a multipart/byteranges part's head). */
  readonly head?: Uint8Array;
  readonly start: number;
  readonly end?: number;
}

/**
 * Options of `FileChunks`.
 *
 * @example
 * ```ts
 * new FileChunks(file, [{ start: 0, end: size }], { cut: (at, end) => new FileChangedError(`${at} < ${end}`) });
 * ```
 */
export interface FileChunksOptions {
  /** The buffers read into; their size is the chunk size. Default: the process's pool of 256 KiB buffers. */
  readonly pool?: BufferPool;
  /**
   * The error that fails the reading when the file ends inside a span that has an `end` (it
   * changed since it was measured). Default: a `RangeError`.
   */
  readonly cut?: (position: number, end: number) => Error;
}

/** Where the reading stands: going on, or over and the file closed (or closing). */
type FileChunksState = 'reading' | 'closed';

const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The chunks of `spans` of an open file, in order, each span's `head` before its bytes: an async
 * iterator (iterate it once) that reads a chunk of at most the pool's buffer size per `next()`.
 * One read runs ahead: the next chunk is read while the one given is being sent, so the disk and
 * the network work at once; a read that came short of a span without an end is taken as the
 * file's end, and the next is made only when asked for. Call `next()` once at a time (as
 * `for await` does).
 *
 * Chunks are read into buffers from a pool, and a chunk's buffer goes back to it only through
 * `[chunkWritten](chunk)`: a `BodyWriter` calls it once the connection has handed the chunk's
 * bytes to the system, so no buffer is read into while its bytes still wait to be sent. A chunk
 * never handed back is the taker's for good (the pool makes a new buffer).
 *
 * It owns the file: the file closes after the last span, when a read fails (the iteration fails
 * with that error), when the iteration is left (`return()`, even before the first `next()`) and
 * on `close()`, each time once any read still running is over (its buffer back in the pool).
 *
 * ```text
 * file:    [aaaa|bbbb|cc]      (reads into pooled buffers, one ahead of what is taken)
 * chunks:  -a---b---c|         (then the file closes)
 * ```
 *
 * @example
 * ```ts
 * const chunks = new FileChunks(file, [{ start: 0, end: size }]);
 * new BodyWriter(chunks, connection).start(); // chunks go back to the pool as they are sent
 * ```
 */
export class FileChunks implements AsyncIterableIterator<Uint8Array>, RecyclingBody {
  private _state: FileChunksState = 'reading';
  private readonly _pool: BufferPool;
  /** The span being read, where in it, and whether its head was given. */
  private _span = 0;
  private _position: number;
  private _headGiven = false;
  /** The last read came short of a span without an end: most likely the file's end. */
  private _short = false;
  /** The read running: the one `next()` waits for, or the one ahead. */
  private _reading: Promise<Uint8Array | undefined> | undefined = undefined;
  /** The chunks read and not yet back in the pool, each with its buffer. */
  private readonly _buffers = new Map<Uint8Array, Buffer>();
  private _closed: Promise<void> | undefined = undefined;

  constructor(
    private readonly _file: ChunkFile,
    private readonly _spans: readonly FileSpan[],
    private readonly _options: FileChunksOptions = {},
  ) {
    this._pool = _options.pool ?? sharedBufferPool(fileChunkSize);
    this._position = _spans[0]?.start ?? 0;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this._state === 'closed') return done;
    const reading = this._reading ?? this._produce();
    this._reading = reading;
    let chunk: Uint8Array | undefined;
    try {
      chunk = await reading;
    } catch (error) {
      if (this._isClosed()) return done; // the reading was ended meanwhile: its failure is no one's
      this._reading = undefined;
      await this.close();
      throw error;
    }
    // closed while it was read: `close` gives its buffer back, so it is not given here
    if (this._isClosed()) return done;
    this._reading = undefined;
    if (chunk === undefined) {
      await this.close();
      return done;
    }
    if (!this._short) {
      const ahead = this._produce();
      ahead.catch(() => undefined); // met by the next `next()`, or by none once closed
      this._reading = ahead;
    }
    return { done: false, value: chunk };
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    await this.close();
    return done;
  }

  /** Ends the reading: the file closes once the read running, if any, is over; idempotent. */
  close(): Promise<void> {
    if (this._closed === undefined) {
      this._state = 'closed';
      const reading = this._reading;
      this._reading = undefined;
      const file = this._file;
      this._closed =
        reading === undefined
          ? file.close()
          : reading.then(
              (chunk) => {
                if (chunk !== undefined) this[chunkWritten](chunk); // read, never given
                return file.close();
              },
              () => file.close(),
            );
    }
    return this._closed;
  }

  /** Takes back a chunk given, once nothing needs its bytes: its buffer is read into again. */
  [chunkWritten](chunk: Uint8Array): void {
    const buffer = this._buffers.get(chunk);
    if (buffer === undefined) return; // a head, or back already
    this._buffers.delete(chunk);
    this._pool.give(buffer);
  }

  /** Whether `close()` ran (read afresh after an `await`, where `_state` may have changed). */
  private _isClosed(): boolean {
    return this._state === 'closed';
  }

  /** The next piece: the head of a span, or a read of its next chunk; none after the last span. */
  private _produce(): Promise<Uint8Array | undefined> {
    for (;;) {
      const span = this._spans[this._span];
      if (span === undefined) return Promise.resolve(undefined);
      if (!this._headGiven) {
        this._headGiven = true;
        if (span.head !== undefined && span.head.byteLength > 0) return Promise.resolve(span.head);
      }
      if (span.end === undefined || this._position < span.end) return this._read(span.end);
      this._nextSpan();
    }
  }

  private _nextSpan(): void {
    this._span++;
    this._headGiven = false;
    this._short = false;
    this._position = this._spans[this._span]?.start ?? 0;
  }

  /** Reads the chunk at the position into a pooled buffer; at the end of the file, the next span's. */
  private async _read(end: number | undefined): Promise<Uint8Array | undefined> {
    const position = this._position;
    const pool = this._pool;
    const length = end === undefined ? pool.size : Math.min(pool.size, end - position);
    const buffer = pool.take();
    let bytesRead: number;
    try {
      bytesRead = await this._file.read(buffer, length, position);
    } catch (error) {
      pool.give(buffer);
      throw error;
    }
    if (bytesRead === 0) {
      pool.give(buffer);
      if (end !== undefined) {
        const cut = this._options.cut;
        throw cut !== undefined
          ? cut(position, end)
          : new RangeError(`the file ended at byte ${position}, before byte ${end}`);
      }
      this._nextSpan();
      return this._produce();
    }
    this._position = position + bytesRead;
    this._short = end === undefined && bytesRead < length;
    const chunk = buffer.subarray(0, bytesRead);
    this._buffers.set(chunk, buffer);
    return chunk;
  }
}
