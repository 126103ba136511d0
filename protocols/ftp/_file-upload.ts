/**
 * `FileUpload`: the queue, backpressure and life of an upload, shared by the file systems; each
 * gives an `UploadTarget` that does the writing.
 */
import { Deferred, fail, succeed } from '../../source/deferred.js';
import { QueueOverflowError } from '../../source/errors.js';
import { activeProducer, type Pausable } from '../../source/producer.js';
import type { FtpFileWriter } from './file-system.js';
import { FtpFileSystemError } from './file-system-error.js';

/** Where an upload's bytes go: a temporary file that `install` puts in place. */
export interface UploadTarget {
  /** Writes the chunks after those written before (throws a typed error: `no-space`, `io`). */
  writeChunks(chunks: readonly Uint8Array[]): Promise<void>;
  /** Makes the bytes durable and puts them under the real name. */
  install(): Promise<void>;
  /** Removes the temporary file; never throws. */
  discard(): Promise<void>;
}

/** Options of `FileUpload`. */
export interface FileUploadOptions {
  /**
   * Bytes queued before `write` returns false; the writes go out in batches of half of it.
   * Default 2 MiB.
   */
  readonly highWaterMark?: number;
}

/** Where an upload stands. */
type UploadState = 'open' | 'committing' | 'committed' | 'failed' | 'aborted';

const encoder = new TextEncoder();

/**
 * An `FtpFileWriter` over an `UploadTarget`: chunks are queued and written in order, in batches:
 * a write starts once half the high-water mark waits (or at the commit), taking all that waits,
 * so one batch is being written while the next arrives. Past the high-water mark `write` returns
 * false and pauses the active producer until the queue drains. A caller that goes on writing
 * regardless is refused past four times the mark (`QueueOverflowError`).
 *
 * Batches rather than a write whenever none is running: each write is a trip to the thread pool
 * and back, and a socket's 64 KiB reads written as they come made a 256 MiB STOR cost ~1.5x the
 * CPU time it costs in 1 MiB batches.
 */
export class FileUpload implements FtpFileWriter {
  private _state: UploadState = 'open';
  private _error: unknown = undefined;
  private _queue: Uint8Array[] = [];
  /** Bytes queued or being written. */
  private _queued = 0;
  /** Bytes queued and not being written. */
  private _waiting = 0;
  private _writing: Promise<void> | undefined = undefined;
  private _discarding: Promise<void> | undefined = undefined;
  private _waiters: Deferred<void>[] = [];
  private readonly _paused = new Set<Pausable>();
  private readonly _highWaterMark: number;
  /** Bytes that start a write while the upload is open. */
  private readonly _batch: number;

  constructor(
    readonly path: string,
    private readonly _target: UploadTarget,
    options: FileUploadOptions = {},
  ) {
    this._highWaterMark = options.highWaterMark ?? 2 * 1024 * 1024;
    this._batch = Math.max(1, Math.floor(this._highWaterMark / 2));
  }

  write(data: Uint8Array | string): boolean {
    if (this._state === 'failed') throw this._error;
    if (this._state !== 'open')
      throw new FtpFileSystemError('invalid', this.path, `${this.path}: the upload is over`);
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    const n = bytes.byteLength;
    if (n > 0) {
      if (this._queued > 0 && this._queued + n > 4 * this._highWaterMark) {
        throw new QueueOverflowError(`the upload to ${this.path} is written to faster than it drains`);
      }
      this._queue.push(bytes);
      this._queued += n;
      this._waiting += n;
      if (this._waiting >= this._batch) this._writing ??= this._drain();
    }
    if (this._queued < this._highWaterMark) return true;
    const producer = activeProducer();
    if (producer !== undefined && !this._paused.has(producer)) {
      this._paused.add(producer);
      producer.pauseProducing();
    }
    return false;
  }

  drained(): Deferred<void> {
    if (this._state === 'failed') return fail(this._error);
    if (this._queued < this._highWaterMark || this._state !== 'open') return succeed(undefined);
    const waiter = new Deferred<void>();
    this._waiters.push(waiter);
    return waiter;
  }

  commit(): Deferred<void> {
    if (this._state === 'failed') return fail(this._error);
    if (this._state !== 'open') {
      return fail(new FtpFileSystemError('invalid', this.path, `${this.path}: the upload is over`));
    }
    this._state = 'committing';
    return Deferred.fromPromise(this._commit());
  }

  abort(): Deferred<void> {
    if (this._state === 'open') {
      this._state = 'aborted';
      this._queue = [];
      this._release();
      this._discarding = Promise.resolve(this._writing).then(() => this._target.discard());
    }
    return Deferred.fromPromise(this._discarding ?? Promise.resolve());
  }

  private async _commit(): Promise<void> {
    if (this._queue.length > 0) this._writing ??= this._drain();
    await this._writing;
    if (this._state === 'failed') throw this._error;
    try {
      await this._target.install();
    } catch (error) {
      this._failWith(error);
      await this._discarding;
      throw error;
    }
    this._state = 'committed';
  }

  /**
   * Writes what is queued, batch after batch, while a batch waits (anything, once committing),
   * then clears `_writing`.
   */
  private async _drain(): Promise<void> {
    while (this._queue.length > 0 && this._batchDue()) {
      const batch = this._queue;
      const bytes = this._waiting;
      this._queue = [];
      this._waiting = 0;
      try {
        await this._target.writeChunks(batch);
      } catch (error) {
        this._failWith(error);
        break;
      }
      this._queued -= bytes;
      if (this._queued < this._highWaterMark) this._release();
    }
    this._writing = undefined;
  }

  /** Whether what waits is to be written now: a batch's worth while open; anything once committing. */
  private _batchDue(): boolean {
    if (this._state === 'committing') return true;
    return this._state === 'open' && this._waiting >= this._batch;
  }

  private _failWith(error: unknown): void {
    if (this._state !== 'open' && this._state !== 'committing') return;
    this._state = 'failed';
    this._error = error;
    this._queue = [];
    this._queued = 0;
    this._waiting = 0;
    const waiters = this._waiters;
    this._waiters = [];
    for (const waiter of waiters) waiter.errback(error);
    this._release(); // a paused producer sends on, and its next chunk hears of the failure
    this._discarding = this._target.discard();
  }

  /** Fires the waiters and resumes the producers paused by a full queue. */
  private _release(): void {
    const waiters = this._waiters;
    this._waiters = [];
    for (const waiter of waiters) waiter.callback(undefined);
    const paused = [...this._paused];
    this._paused.clear();
    for (const producer of paused) producer.resumeProducing();
  }
}
