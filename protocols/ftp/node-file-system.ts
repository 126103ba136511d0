/**
 * `NodeFileSystem`: an `FtpFileSystem` over a real folder (node:fs/promises), confined to it.
 *
 * @module
 */
import { constants, type Stats } from 'node:fs';
import {
  copyFile,
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  opendir,
  realpath,
  rename,
  rmdir,
  unlink,
} from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { randomHex } from '../../source/_random-hex.js';
import type { Deferred } from '../../source/deferred.js';
import { maybeDeferred } from '../../source/deferred.js';
import { BackgroundSync } from './_background-sync.js';
import { FileReader, type ReadSource } from './_file-reader.js';
import { FileUpload, type UploadTarget } from './_file-upload.js';
import { uniqueNames } from './_unique-names.js';
import type {
  FtpFileInfo,
  FtpFileKind,
  FtpFileReader,
  FtpFileSystem,
  FtpFileWriter,
  FtpReadOptions,
  FtpWriteOptions,
} from './file-system.js';
import { FtpFileSystemError, type FtpFileSystemErrorKind } from './file-system-error.js';
import { ftpPathNames, joinFtpPath } from './ftp-path.js';

/**
 * Options of `NodeFileSystem`.
 *
 * @example
 * ```ts
 * new NodeFileSystem('/srv/ftp', { readChunkSize: 256 * 1024, maxListEntries: 50_000 }); // smaller reads, less memory per RETR
 * ```
 */
export interface NodeFileSystemOptions {
  /**
   * The most bytes one read of a download takes (the chunk size of RETR). Default 1 MiB: a
   * transfer holds two (one being sent, one read ahead), and over loopback one 256 MiB RETR runs
   * ~1.3x as fast as with 256 KiB chunks (half the chunks: half the thread-pool round trips and
   * drains per byte).
   */
  readonly readChunkSize?: number;
  /**
   * Bytes an upload queues before `write` returns false (the data connection is paused). Default
   * 2 MiB: the file is written in batches of half of it, one written while the next arrives.
   */
  readonly uploadHighWaterMark?: number;
  /** The most entries a listing holds; a bigger folder is refused (`invalid`). Default 100,000. */
  readonly maxListEntries?: number;
}

/** A hidden, unguessable temporary name for an upload; every path naming one is treated as absent. */
const tempName = /^\.spindle-upload\.[0-9a-f]{24}$/;
const { O_RDONLY, O_RDWR, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A host path known to be inside the root, with the virtual path that named it. */
interface Located {
  readonly real: string;
  readonly path: string;
}

/** The folder an entry is in (resolved, inside the root) and the entry's name in it. */
interface Entry {
  readonly folder: string;
  readonly name: string;
  readonly path: string;
}

/**
 * An `FtpFileSystem` serving the folder `root`, which it never leaves:
 *
 * - A virtual path maps to `root` joined with its names; before any operation the host path is
 *   resolved with `realpath` (the whole path when the operation follows links, the parent folder
 *   when it acts on the entry itself: DELE, RMD, RNFR, a listing's entries) and refused
 *   (`outside-root`) unless it is still inside the root, so a symbolic link may point anywhere
 *   inside the root but leads nowhere outside it. A link loop is `invalid`.
 * - What is resolved is then used as resolved: files are opened with `O_NOFOLLOW` (a link swapped
 *   in for the last name after the check is not followed) and `O_NONBLOCK` (a FIFO planted in the
 *   tree cannot hang a download), and checked with `fstat` to be regular files. A folder swapped
 *   for a link between the check and the use is a race this cannot close without `openat2`'s
 *   `RESOLVE_BENEATH`, which Node does not offer: the root should not be writable by anyone but
 *   the server.
 * - An upload writes to `.spindle-upload.<random>` in the target's folder (created `O_EXCL`, mode
 *   of the file it replaces; flushed to the disk as it is written), fsyncs it, renames it into place (STOU: links it, failing if the
 *   name was taken since) and fsyncs the folder. Those names are left out of listings and treated
 *   as absent by every operation. APPE and REST+STOR copy the existing file into the temporary one
 *   first (`copyFile` with `COPYFILE_FICLONE`: a reflink where the file system has them, an
 *   in-kernel copy elsewhere), so they are as atomic as STOR, at the cost of that copy. vsftpd
 *   appends in place instead, which leaves a half-appended file when the transfer is cut off.
 * - Every handle is closed on every path: at the end of a read, when its iteration is left or
 *   `close()` is called, when an upload is committed, aborted or fails.
 *
 * POSIX hosts only (Linux, macOS).
 *
 * @example
 * ```ts
 * const fs = new NodeFileSystem('/srv/ftp');
 * const upload = await fs.write('/incoming/a.txt');
 * upload.write('hello\n');
 * await upload.commit(); // durable and in place: answer 226
 * ```
 */
export class NodeFileSystem implements FtpFileSystem {
  private _root: Promise<string> | undefined = undefined;
  private readonly _readChunkSize: number;
  private readonly _uploadHighWaterMark: number | undefined;
  private readonly _maxListEntries: number;

  constructor(
    readonly root: string,
    options: NodeFileSystemOptions = {},
  ) {
    this._readChunkSize = options.readChunkSize ?? 1024 * 1024;
    this._uploadHighWaterMark = options.uploadHighWaterMark;
    this._maxListEntries = options.maxListEntries ?? 100_000;
  }

  stat(path: string): Deferred<FtpFileInfo> {
    return maybeDeferred(async () => {
      const { real, path: at } = await this._resolve(path);
      const stats = await host(at, () => lstat(real));
      return info(baseName(at), stats, undefined);
    });
  }

  list(path: string): Deferred<readonly FtpFileInfo[]> {
    return maybeDeferred(async () => {
      const { real, path: at } = await this._resolve(path);
      const folder = await host(at, () => opendir(real));
      const names: string[] = [];
      try {
        for await (const entry of folder) {
          if (tempName.test(entry.name)) continue;
          if (names.length === this._maxListEntries) {
            throw new FtpFileSystemError('invalid', at, `${at}: more than ${this._maxListEntries} entries`);
          }
          names.push(entry.name);
        }
      } catch (error) {
        throw error instanceof FtpFileSystemError ? error : hostError(error, at);
      }
      names.sort();
      const entries: FtpFileInfo[] = [];
      for (const name of names) {
        const stats = await lstat(join(real, name)).catch(() => undefined); // gone since: left out
        if (stats === undefined) continue;
        const target = stats.isSymbolicLink() ? await this._linkTarget(join(real, name)) : undefined;
        entries.push(info(name, stats, target));
      }
      return entries;
    });
  }

  read(path: string, options: FtpReadOptions = {}): Deferred<FtpFileReader> {
    return maybeDeferred(async () => {
      const { real, path: at } = await this._resolve(path);
      const handle = await host(at, () => open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
      try {
        const stats = await handle.stat();
        checkRegular(at, stats);
        const offset = options.offset ?? 0;
        if (offset > stats.size) throw new FtpFileSystemError('invalid', at, `${at}: offset past the end`);
        const source: ReadSource = {
          size: stats.size,
          read: async (buffer, length, position) =>
            (await host(at, () => handle.read(buffer, 0, length, position))).bytesRead,
          close: () => closeQuietly(handle),
        };
        return new FileReader(at, source, offset, this._readChunkSize);
      } catch (error) {
        await closeQuietly(handle);
        throw error;
      }
    });
  }

  write(path: string, options: FtpWriteOptions = {}): Deferred<FtpFileWriter> {
    return maybeDeferred(async () => {
      const mode = options.mode ?? 'replace';
      if (path === '/') throw new FtpFileSystemError('is-a-directory', path);
      const entry = await this._entry(path);
      let target: Located;
      if (mode === 'unique') target = await this._freeName(entry);
      else target = await this._writeTarget(entry);
      const existing = await lstat(target.real).catch(() => undefined);
      if (existing !== undefined && !existing.isSymbolicLink()) checkRegular(target.path, existing);
      const size = existing?.isFile() === true ? existing.size : 0;
      const start = mode === 'append' ? size : mode === 'unique' ? 0 : (options.offset ?? 0);
      if (start > size)
        throw new FtpFileSystemError('invalid', target.path, `${target.path}: offset past the end`);
      const folder = dirname(target.real);
      const temp = join(folder, `.spindle-upload.${randomHex(12)}`);
      const handle = await openTemp(target, temp, existing, start, size).catch(async (error: unknown) => {
        await unlink(temp).catch(() => undefined); // a copy made before the failure
        throw error;
      });
      return new FileUpload(target.path, nodeUpload(target, temp, folder, handle, start, mode === 'unique'), {
        highWaterMark: this._uploadHighWaterMark,
      });
    });
  }

  mkdir(path: string): Deferred<void> {
    return maybeDeferred(async () => {
      const { folder, name, path: at } = await this._entry(path);
      await host(at, () => mkdir(join(folder, name)));
    });
  }

  rmdir(path: string): Deferred<void> {
    return maybeDeferred(async () => {
      const { folder, name, path: at } = await this._entry(path);
      await host(at, () => rmdir(join(folder, name)));
    });
  }

  delete(path: string): Deferred<void> {
    return maybeDeferred(async () => {
      const { folder, name, path: at } = await this._entry(path);
      const real = join(folder, name);
      const stats = await host(at, () => lstat(real));
      if (stats.isDirectory()) throw new FtpFileSystemError('is-a-directory', at);
      await host(at, () => unlink(real));
    });
  }

  rename(from: string, to: string): Deferred<void> {
    return maybeDeferred(async () => {
      const source = await this._entry(from);
      const target = await this._entry(to);
      await host(source.path, () => lstat(join(source.folder, source.name)));
      await host(target.path, () =>
        rename(join(source.folder, source.name), join(target.folder, target.name)),
      );
    });
  }

  /** The root's host path, resolved once (tried again after a failure). */
  private _realRoot(): Promise<string> {
    this._root ??= host('/', () => realpath(this.root)).catch((error: unknown) => {
      this._root = undefined;
      throw error;
    });
    return this._root;
  }

  /** The virtual path's names, refusing one that names a temporary upload. */
  private _names(path: string): readonly string[] {
    const names = ftpPathNames(path);
    if (names.some((name) => tempName.test(name))) throw new FtpFileSystemError('not-found', path);
    return names;
  }

  /** `path` resolved through every link, refused unless inside the root. */
  private async _resolve(path: string): Promise<Located> {
    const names = this._names(path);
    const root = await this._realRoot();
    const real = await host(path, () => realpath(join(root, ...names)));
    if (!inside(root, real)) throw new FtpFileSystemError('outside-root', path);
    return { real, path };
  }

  /** The entry `path` names: its folder resolved (inside the root), its own name not followed. */
  private async _entry(path: string): Promise<Entry> {
    const names = this._names(path);
    const name = names.at(-1);
    if (name === undefined) throw new FtpFileSystemError('invalid', path, '/: the root cannot be changed');
    const folder = await this._resolve(joinFtpPath(names.slice(0, -1)));
    const stats = await host(folder.path, () => lstat(folder.real));
    if (!stats.isDirectory()) throw new FtpFileSystemError('not-a-directory', folder.path);
    return { folder: folder.real, name, path };
  }

  /** Where an upload to `entry` lands: a link's target inside the root (as vsftpd writes through it), or the entry. */
  private async _writeTarget(entry: Entry): Promise<Located> {
    const root = await this._realRoot();
    const real = join(entry.folder, entry.name);
    let resolved: string;
    try {
      resolved = await realpath(real);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { real, path: entry.path }; // new, or a dangling link (replaced)
      throw hostError(error, entry.path);
    }
    if (!inside(root, resolved)) throw new FtpFileSystemError('outside-root', entry.path);
    return { real: resolved, path: entry.path };
  }

  /** STOU's name: `entry`'s own if free, else the first free of `name.1` … `name.999`. */
  private async _freeName(entry: Entry): Promise<Located> {
    const parent = entry.path.slice(0, entry.path.lastIndexOf('/'));
    for (const name of uniqueNames(entry.name)) {
      const real = join(entry.folder, name);
      const taken = await lstat(real).then(
        () => true,
        () => false,
      );
      if (!taken) return { real, path: `${parent}/${name}` };
    }
    throw new FtpFileSystemError('exists', entry.path, `${entry.path}: no free name`);
  }

  /** The virtual path a link leads to, when it leads inside the root. */
  private async _linkTarget(real: string): Promise<string | undefined> {
    const root = await this._realRoot();
    const resolved = await realpath(real).catch(() => undefined);
    if (resolved === undefined || !inside(root, resolved)) return undefined;
    return resolved === root ? '/' : resolved.slice(root === sep ? 0 : root.length);
  }
}

/**
 * Makes an upload's temporary file: a copy of the target's first `start` bytes (APPE, REST), or
 * a new empty file with the mode of the file it will replace.
 */
async function openTemp(
  target: Located,
  temp: string,
  existing: Stats | undefined,
  start: number,
  size: number,
): Promise<FileHandle> {
  const at = target.path;
  if (start === 0) {
    const handle = await host(at, () => open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o666));
    if (existing?.isFile() === true) {
      await host(at, () => handle.chmod(existing.mode & 0o7777)).catch(async (error: unknown) => {
        await closeQuietly(handle);
        throw error;
      });
    }
    return handle;
  }
  await host(at, () => copyFile(target.real, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE));
  const handle = await host(at, () => open(temp, O_RDWR | O_NOFOLLOW));
  if (start < size) {
    await host(at, () => handle.truncate(start)).catch(async (error: unknown) => {
      await closeQuietly(handle);
      throw error;
    });
  }
  return handle;
}

/** How many bytes an upload writes between two background `fdatasync`s (see `BackgroundSync`). */
const syncEvery = 8 * 1024 * 1024;

/** The upload target of `NodeFileSystem`: an open temporary file, renamed into place on install. */
function nodeUpload(
  target: Located,
  temp: string,
  folder: string,
  handle: FileHandle,
  start: number,
  unique: boolean,
): UploadTarget {
  let position = start;
  let open = true;
  const at = target.path;
  const background = new BackgroundSync(() => handle.datasync(), syncEvery, start);
  return {
    async writeChunks(chunks) {
      let pending = chunks;
      while (pending.length > 0) {
        const { bytesWritten } = await host(at, () => handle.writev(pending as Uint8Array[], position));
        position += bytesWritten;
        pending = rest(pending, bytesWritten);
      }
      background.written(position);
    },
    async install() {
      await background.settled();
      await host(at, () => handle.sync());
      open = false;
      await host(at, () => handle.close());
      if (unique) {
        await host(at, () => link(temp, target.real));
        await host(at, () => unlink(temp));
      } else {
        await host(at, () => rename(temp, target.real));
      }
      await host(at, () => syncFolder(folder));
    },
    async discard() {
      await background.settled();
      if (open) {
        open = false;
        await closeQuietly(handle);
      }
      await unlink(temp).catch(() => undefined);
    },
  };
}

/** The chunks after the first `written` bytes of them. */
function rest(chunks: readonly Uint8Array[], written: number): readonly Uint8Array[] {
  let skip = written;
  let index = 0;
  while (index < chunks.length && skip >= chunks[index]!.byteLength) {
    skip -= chunks[index]!.byteLength;
    index++;
  }
  const left = chunks.slice(index);
  if (skip > 0 && left.length > 0) left[0] = left[0]!.subarray(skip);
  return left;
}

/** fsyncs a folder, so that a rename in it survives a crash. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function closeQuietly(handle: FileHandle): Promise<void> {
  await handle.close().catch(() => undefined); // closing fails only on a handle closed already
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root === sep ? sep : root + sep);
}

function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
}

function checkRegular(path: string, stats: Stats): void {
  if (stats.isDirectory()) throw new FtpFileSystemError('is-a-directory', path);
  if (!stats.isFile()) throw new FtpFileSystemError('not-a-file', path);
}

function info(name: string, stats: Stats, linkTarget: string | undefined): FtpFileInfo {
  return {
    name,
    kind: kindOf(stats),
    size: stats.size,
    modified: stats.mtime,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    links: stats.nlink,
    linkTarget,
  };
}

function kindOf(stats: Stats): FtpFileKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** Runs a host operation, its failure turned into an `FtpFileSystemError` about `path`. */
async function host<T>(path: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw hostError(error, path);
  }
}

const kindOfErrno: Readonly<Record<string, FtpFileSystemErrorKind>> = {
  ENOENT: 'not-found',
  EEXIST: 'exists',
  ENOTDIR: 'not-a-directory',
  EISDIR: 'is-a-directory',
  ENOTEMPTY: 'not-empty',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  ELOOP: 'invalid',
  EINVAL: 'invalid',
  ENAMETOOLONG: 'invalid',
  EXDEV: 'invalid',
  EBUSY: 'invalid',
  ENOSPC: 'no-space',
  EDQUOT: 'no-space',
  EFBIG: 'no-space',
};

function hostError(error: unknown, path: string): FtpFileSystemError {
  if (error instanceof FtpFileSystemError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const kind = kindOfErrno[code] ?? 'io';
  return new FtpFileSystemError(kind, path, undefined, { cause: error });
}
