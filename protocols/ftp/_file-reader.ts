/**
 * `FileReader`: an open file read chunk by chunk as it is pulled, shared by the file systems;
 * each gives the positional read and the release of its handle.
 */
import { Deferred } from '../../source/deferred.js';
import type { FtpFileReader } from './file-system.js';
import { FtpFileSystemError } from './file-system-error.js';

/** What a file system gives a `FileReader`. */
export interface ReadSource {
  /** The file's size when it was opened. */
  readonly size: number;
  /** Up to `length` bytes at `position` (fresh memory: the reader hands it on); none at the end. */
  readAt(position: number, length: number): Promise<Uint8Array>;
  /** Releases the handle; called once. */
  release(): Promise<void>;
}

/** Where a reader stands: not iterated yet, iterated, or released. */
type ReaderState = 'idle' | 'reading' | 'closed';

/**
 * An `FtpFileReader` over a `ReadSource`: each `next()` reads one chunk of at most `chunkSize`
 * bytes, from `offset` until a read returns nothing (a file that grows while it is read is read to
 * its new end). Its own iterator, not a generator, so that `return()` releases the handle even
 * before the first `next()`.
 */
export class FileReader implements FtpFileReader, AsyncIterator<Uint8Array> {
  private _state: ReaderState = 'idle';
  private _released: Promise<void> | undefined = undefined;

  constructor(
    private readonly _path: string,
    private readonly _source: ReadSource,
    private _position: number,
    private readonly _chunkSize: number,
  ) {}

  get size(): number {
    return this._source.size;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this._state !== 'idle') {
      throw new FtpFileSystemError('invalid', this._path, `${this._path}: the file was read already`);
    }
    this._state = 'reading';
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this._state === 'closed') return { done: true, value: undefined };
    let chunk: Uint8Array;
    try {
      chunk = await this._source.readAt(this._position, this._chunkSize);
    } catch (error) {
      await this._release();
      throw error;
    }
    if (chunk.byteLength === 0) {
      await this._release();
      return { done: true, value: undefined };
    }
    this._position += chunk.byteLength;
    return { done: false, value: chunk };
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    await this._release();
    return { done: true, value: undefined };
  }

  close(): Deferred<void> {
    return Deferred.fromPromise(this._release());
  }

  private _release(): Promise<void> {
    this._state = 'closed';
    this._released ??= this._source.release();
    return this._released;
  }
}
