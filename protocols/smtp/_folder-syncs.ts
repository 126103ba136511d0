/**
 * `FolderSyncs`: fsyncs of folders shared between deliveries running at once (a group commit).
 *
 * @module
 */
import { open } from 'node:fs/promises';

/** A folder's fsync under way, and the one that follows it when callers came meanwhile. */
type FolderSync =
  | { readonly state: 'running'; readonly done: Promise<void> }
  | { readonly state: 'running-with-next'; readonly done: Promise<void>; readonly next: Promise<void> };

const ignore = () => undefined;

/**
 * fsyncs folders for callers who have just renamed a file into one: each caller gets an fsync of
 * the folder that began after it asked, so its rename is on disk when the promise resolves. While
 * one runs, the callers that come share the next, which starts when it ends: at most one fsync
 * per folder at a time and one waiting, however many deliveries there are. A folder no one waits
 * for is forgotten.
 *
 * ```text
 * sync(new/) ×1 ── fsync #1 ──┐
 * sync(new/) ×5 (meanwhile) ──┴── fsync #2 ── all five resolve
 * ```
 *
 * @example
 * ```ts
 * const syncs = new FolderSyncs();
 * await rename(join(folder, 'tmp', name), join(folder, 'new', name));
 * await syncs.sync(join(folder, 'new'));
 * ```
 */
export class FolderSyncs {
  private readonly _folders = new Map<string, FolderSync>();

  /** `syncOnce` fsyncs one folder; by default it opens the folder, fsyncs it and closes it. */
  constructor(private readonly _syncOnce: (folder: string) => Promise<void> = syncFolder) {}

  /** Resolves once an fsync of `folder` that began after this call has succeeded. */
  sync(folder: string): Promise<void> {
    const current = this._folders.get(folder);
    if (current === undefined) return this._start(folder);
    if (current.state === 'running-with-next') return current.next;
    const next = current.done.then(ignore, ignore).then(() => this._start(folder));
    this._folders.set(folder, { state: 'running-with-next', done: current.done, next });
    return next;
  }

  /** The folders with an fsync running now. */
  get size(): number {
    return this._folders.size;
  }

  private _start(folder: string): Promise<void> {
    const done = this._syncOnce(folder);
    this._folders.set(folder, { state: 'running', done });
    const forget = () => {
      const current = this._folders.get(folder);
      if (current?.state === 'running' && current.done === done) this._folders.delete(folder);
    };
    done.then(forget, forget);
    return done;
  }
}

/**
 * fsyncs a folder, so that a rename into it survives a crash. It settles when the fsync has: the
 * close of the read-only handle, which can lose nothing, runs on without being waited for (one
 * thread-pool round trip less before the callers' replies and before the next fsync).
 */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    handle.close().catch(ignore);
  }
}
