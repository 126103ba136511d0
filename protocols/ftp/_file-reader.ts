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
 * An `FtpFileReader` over a `ReadSource`: each `next()` gives one chunk of at most `chunkSize`
 * bytes, from `offset` until a read returns nothing (a file that grows while it is read is read to
 * its new end). One read runs ahead: the next chunk is being read while the one given is sent, so
 * the disk and the network work at once (two chunks held at most). Its own iterator, not a
 * generator, so that `return()` releases the handle even before the first `next()`.
 */
export class FileReader implements FtpFileReader, AsyncIterator<Uint8Array> {
  private _state: ReaderState = 'idle';
  private _released: Promise<void> | undefined = undefined;
  /** The read of the next chunk, started when the last one was given. */
  private _ahead: Promise<Uint8Array> | undefined = undefined;

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
      chunk = await (this._ahead ?? this._read());
    } catch (error) {
      await this._release();
      throw error;
    }
    this._ahead = undefined;
    if (chunk.byteLength === 0) {
      await this._release();
      return { done: true, value: undefined };
    }
    if (chunk.byteLength === this._chunkSize && this._state === 'reading') {
      this._ahead = this._read();
      this._ahead.catch(() => undefined); // its failure is met by the next `next()`, or never
    }
    return { done: false, value: chunk };
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    await this._release();
    return { done: true, value: undefined };
  }

  close(): Deferred<void> {
    return Deferred.fromPromise(this._release());
  }

  /** Reads the chunk at the position, and moves the position past it. */
  private _read(): Promise<Uint8Array> {
    const position = this._position;
    this._position += this._chunkSize;
    return this._source.readAt(position, this._chunkSize).then((chunk) => {
      this._position = position + chunk.byteLength;
      return chunk;
    });
  }

  /** Closes the handle once the read ahead, if any, is over. */
  private _release(): Promise<void> {
    this._state = 'closed';
    const ahead = this._ahead;
    this._ahead = undefined;
    this._released ??= (ahead ?? Promise.resolve()).then(
      () => this._source.release(),
      () => this._source.release(),
    );
    return this._released;
  }
}
