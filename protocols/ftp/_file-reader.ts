/**
 * `FileReader`: an open file read chunk by chunk as it is pulled, shared by the file systems;
 * each gives the positional read and the release of its handle. Private to protocols/ftp.
 *
 * @module
 */

import { sharedBufferPool } from '../../source/_buffer-pool.js';
import { type ChunkFile, FileChunks } from '../../source/_file-chunks.js';
import { chunkWritten, type RecyclingBody } from '../../source/body-writer.js';
import { Deferred } from '../../source/deferred.js';
import type { FtpFileReader } from './file-system.js';
import { FtpFileSystemError } from './file-system-error.js';

/**
 * What a file system gives a `FileReader`: the file's size, its positional reads and its release.
 *
 * @example
 * ```ts
 * const source: ReadSource = { size: content.byteLength, read: copyInto, close: async () => undefined };
 * ```
 */
export interface ReadSource extends ChunkFile {
  /** The file's size when it was opened. */
  readonly size: number;
}

/** Where a reader stands: not iterated yet, or iterated or closed (a new iteration is refused). */
type ReaderState = 'idle' | 'spent';

/**
 * An `FtpFileReader` over a `ReadSource`, read through `FileChunks`: chunks of at most
 * `chunkSize` bytes from `offset` until a read returns nothing (a file that grows while it is read
 * is read to its new end), one read ahead, into pooled buffers that the `BodyWriter` sending them
 * hands back once the data connection has sent them. The handle is released at the end, on a
 * failed read, on `return()` (even before the first `next()`) and on `close()`.
 *
 * @example
 * ```ts
 * const reader = new FileReader('/pub/a.txt', source, 0, 256 * 1024);
 * new BodyWriter(reader, dataConnection).start();
 * ```
 */
export class FileReader implements FtpFileReader, AsyncIterator<Uint8Array>, RecyclingBody {
  private _state: ReaderState = 'idle';
  private readonly _chunks: FileChunks;

  constructor(
    private readonly _path: string,
    private readonly _source: ReadSource,
    offset: number,
    chunkSize: number,
  ) {
    this._chunks = new FileChunks(_source, [{ start: offset }], { pool: sharedBufferPool(chunkSize) });
  }

  get size(): number {
    return this._source.size;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this._state !== 'idle') {
      throw new FtpFileSystemError('invalid', this._path, `${this._path}: the file was read already`);
    }
    this._state = 'spent';
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    return this._chunks.next();
  }

  return(): Promise<IteratorResult<Uint8Array, undefined>> {
    return this._chunks.return();
  }

  close(): Deferred<void> {
    this._state = 'spent';
    return Deferred.fromPromise(this._chunks.close());
  }

  /** A chunk was sent: its buffer is read into again. */
  [chunkWritten](chunk: Uint8Array): void {
    this._chunks[chunkWritten](chunk);
  }
}
