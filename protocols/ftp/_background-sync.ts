/**
 * `BackgroundSync`: an upload's bytes made durable while more arrive, so the sync before 226 has
 * only the tail left. Private to protocols/ftp.
 *
 * @module
 */

/** Whether a sync is running. */
type SyncState = 'idle' | 'syncing';

/**
 * Starts a sync (an `fdatasync` of the upload's file) once `every` bytes were written since the
 * last one began, one at a time: writes go on meanwhile (they are never paused for it), and what
 * they add while a sync runs waits for the next. A background sync that fails is not reported:
 * the final sync, which the caller awaits before putting the file in place, fails the same way.
 *
 * Measured on this project's test machine (256 MiB written in 1 MiB batches at a paced rate):
 * with one sync at the end only, the final sync took ~0.12 s and 500 MB/s of writes finished at
 * ~250 MB/s; syncing every 8 MiB kept up with 500 MB/s and 1 GB/s, the final sync a few
 * milliseconds. Every 4 MiB did as well with twice the syncs; every 32 MiB fell behind at 1 GB/s.
 *
 * @example
 * ```ts
 * const background = new BackgroundSync(() => handle.datasync(), 8 * 1024 * 1024);
 * position += (await handle.writev(chunks, position)).bytesWritten;
 * background.written(position);
 * // at the end:
 * await background.settled();
 * await handle.sync();
 * ```
 */
export class BackgroundSync {
  private _state: SyncState = 'idle';
  private _running: Promise<void> = Promise.resolve();
  /** Where the file ended when the last sync began. */
  private _syncedTo: number;

  /**
   * @param _sync - makes the bytes written so far durable.
   * @param _every - bytes written between the starts of two syncs.
   * @param start - where the writes begin (the bytes before it are the file's own).
   */
  constructor(
    private readonly _sync: () => Promise<void>,
    private readonly _every: number,
    start = 0,
  ) {
    this._syncedTo = start;
  }

  /** The file now ends at `position`: starts a sync if one is due and none is running. */
  written(position: number): void {
    if (this._state === 'syncing' || position - this._syncedTo < this._every) return;
    this._state = 'syncing';
    this._syncedTo = position;
    const done = () => {
      this._state = 'idle';
    };
    this._running = this._sync().then(done, done);
  }

  /** Fires once no sync is running (never fails). */
  settled(): Promise<void> {
    return this._running;
  }
}
