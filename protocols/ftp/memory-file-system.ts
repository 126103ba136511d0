/**
 * `MemoryFileSystem`: an `FtpFileSystem` held in memory, a public test double (as Twisted's
 * in-memory shells are) with failure injection.
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';
import { type Deferred, maybeDeferred } from '../../source/deferred.js';
import { FileReader, type ReadSource } from './_file-reader.js';
import { FileUpload, type UploadTarget } from './_file-upload.js';
import { uniqueNames } from './_unique-names.js';
import type {
  FtpFileInfo,
  FtpFileReader,
  FtpFileSystem,
  FtpFileWriter,
  FtpReadOptions,
  FtpWriteOptions,
} from './file-system.js';
import { FtpFileSystemError } from './file-system-error.js';
import { ftpPathNames, joinFtpPath } from './ftp-path.js';

/**
 * An operation `MemoryFileSystem.failNext` can make fail: one of `FtpFileSystem`'s, or a step of
 * an upload (`upload-write`: the next chunks written; `commit`: putting it in place).
 */
export type MemoryFileSystemOperation = keyof FtpFileSystem | 'upload-write' | 'commit';

/**
 * Options of `MemoryFileSystem`.
 *
 * @example
 * ```ts
 * new MemoryFileSystem({ clock, capacity: 1024 }); // uploads past 1 KiB in all fail with no-space
 * ```
 */
export interface MemoryFileSystemOptions {
  /** Gives modification times. Default: the system's time. */
  readonly clock?: Pick<ReactorTime, 'seconds'>;
  /**
   * The most bytes the tree holds, uploads in progress included (an upload's temporary copy
   * counts, as it would on a disk); a write past it fails with `no-space`. Default: no limit.
   */
  readonly capacity?: number;
  /** The most bytes a download's chunk holds. Default 64 KiB. */
  readonly readChunkSize?: number;
  /** Bytes an upload queues before `write` returns false (written in batches of half of it). Default 2 MiB. */
  readonly uploadHighWaterMark?: number;
}

/**
 * Options of `MemoryFileSystem.addFile` and `addDirectory`.
 *
 * @example
 * ```ts
 * fs.addFile('/pub/a.txt', 'hello', { mode: 0o600, modified: new Date(0) });
 * ```
 */
export interface MemoryEntryOptions {
  /** Permission bits. Default 0o644 for a file, 0o755 for a folder. */
  readonly mode?: number;
  /** Default: now, by the clock. */
  readonly modified?: Date;
}

interface MemoryFile {
  readonly kind: 'file';
  /** Never changed in place: replaced whole, so an open reader keeps what it opened. */
  content: Uint8Array;
  modified: Date;
  mode: number;
}

interface MemoryFolder {
  readonly kind: 'directory';
  readonly entries: Map<string, MemoryNode>;
  modified: Date;
  mode: number;
}

type MemoryNode = MemoryFile | MemoryFolder;

const encoder = new TextEncoder();
const systemTime = { seconds: () => Date.now() / 1000 };

/**
 * An in-memory file tree implementing `FtpFileSystem` with the semantics of `NodeFileSystem`
 * (the same conformance tests run on both), for the FTP server's unit tests and for users' own.
 * Operations fire synchronously; reads and uploads settle in microtasks. Files and folders only:
 * no symbolic links. Nothing is visible of an upload until its commit.
 *
 * Failures for tests: `capacity` makes uploads fail with `no-space` once the tree is full, and
 * `failNext(operation, error)` makes the next call of an operation fail with `error`.
 *
 * @example
 * ```ts
 * const fs = new MemoryFileSystem({ clock, capacity: 10 });
 * fs.addFile('/pub/hello.txt', 'hello');
 * fs.failNext('rename', new FtpFileSystemError('permission', '/pub/hello.txt'));
 * const upload = await fs.write('/pub/big.bin');
 * upload.write(new Uint8Array(6)); // 5 + 6 > 10: the upload fails with no-space
 * ```
 */
export class MemoryFileSystem implements FtpFileSystem {
  private readonly _clock: Pick<ReactorTime, 'seconds'>;
  private readonly _root: MemoryFolder;
  private readonly _capacity: number;
  private readonly _readChunkSize: number;
  private readonly _uploadHighWaterMark: number | undefined;
  private readonly _failures = new Map<MemoryFileSystemOperation, Error[]>();
  /** Bytes held by uploads in progress. */
  private _pending = 0;

  constructor(options: MemoryFileSystemOptions = {}) {
    this._clock = options.clock ?? systemTime;
    this._capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    this._readChunkSize = options.readChunkSize ?? 64 * 1024;
    this._uploadHighWaterMark = options.uploadHighWaterMark;
    this._root = { kind: 'directory', entries: new Map(), modified: this._now(), mode: 0o755 };
  }

  /** Bytes held: files, and uploads in progress. */
  get used(): number {
    return this._pending + treeSize(this._root);
  }

  /**
   * Puts a file at `path` (a resolved virtual path), making the folders above it; replaces a
   * file there.
   */
  addFile(path: string, content: Uint8Array | string, options: MemoryEntryOptions = {}): void {
    const names = ftpPathNames(path);
    const name = names.at(-1);
    if (name === undefined) throw new FtpFileSystemError('is-a-directory', path);
    const folder = this._makeFolders(names.slice(0, -1));
    if (folder.entries.get(name)?.kind === 'directory') throw new FtpFileSystemError('is-a-directory', path);
    const bytes = typeof content === 'string' ? encoder.encode(content) : Uint8Array.from(content);
    folder.entries.set(name, {
      kind: 'file',
      content: bytes,
      modified: options.modified ?? this._now(),
      mode: options.mode ?? 0o644,
    });
  }

  /** Makes the folder at `path` and those above it (what exists already is kept). */
  addDirectory(path: string, options: MemoryEntryOptions = {}): void {
    const folder = this._makeFolders(ftpPathNames(path));
    if (options.mode !== undefined) folder.mode = options.mode;
    if (options.modified !== undefined) folder.modified = options.modified;
  }

  /** The bytes of the file at `path`, or undefined when there is none. */
  contents(path: string): Uint8Array | undefined {
    const node = this._find(ftpPathNames(path));
    return node?.kind === 'file' ? node.content : undefined;
  }

  /** Makes the next call of `operation` fail with `error` (calls queue in order). */
  failNext(operation: MemoryFileSystemOperation, error: Error): void {
    const queued = this._failures.get(operation) ?? [];
    queued.push(error);
    this._failures.set(operation, queued);
  }

  stat(path: string): Deferred<FtpFileInfo> {
    return maybeDeferred(() => {
      this._injected('stat');
      const names = ftpPathNames(path);
      return info(names.at(-1) ?? '/', this._lookup(names, path));
    });
  }

  list(path: string): Deferred<readonly FtpFileInfo[]> {
    return maybeDeferred(() => {
      this._injected('list');
      const folder = this._folder(ftpPathNames(path), path);
      return [...folder.entries.keys()].sort().map((name) => info(name, folder.entries.get(name)!));
    });
  }

  read(path: string, options: FtpReadOptions = {}): Deferred<FtpFileReader> {
    return maybeDeferred(() => {
      this._injected('read');
      const node = this._lookup(ftpPathNames(path), path);
      if (node.kind === 'directory') throw new FtpFileSystemError('is-a-directory', path);
      const content = node.content;
      const offset = options.offset ?? 0;
      if (offset > content.byteLength)
        throw new FtpFileSystemError('invalid', path, `${path}: offset past the end`);
      const source: ReadSource = {
        size: content.byteLength,
        read: async (buffer, length, position) => {
          const bytes = content.subarray(position, position + length);
          buffer.set(bytes);
          return bytes.byteLength;
        },
        close: async () => undefined,
      };
      return new FileReader(path, source, offset, this._readChunkSize);
    });
  }

  write(path: string, options: FtpWriteOptions = {}): Deferred<FtpFileWriter> {
    return maybeDeferred(() => {
      this._injected('write');
      const mode = options.mode ?? 'replace';
      const names = [...ftpPathNames(path)];
      const name = names.pop();
      if (name === undefined) throw new FtpFileSystemError('is-a-directory', path);
      const folder = this._folder(names, joinFtpPath(names));
      const chosen = mode === 'unique' ? freeName(folder, name, path) : name;
      const target = joinFtpPath([...names, chosen]);
      const existing = folder.entries.get(chosen);
      if (existing?.kind === 'directory') throw new FtpFileSystemError('is-a-directory', target);
      const size = existing?.content.byteLength ?? 0;
      const start = mode === 'append' ? size : mode === 'unique' ? 0 : (options.offset ?? 0);
      if (start > size) throw new FtpFileSystemError('invalid', target, `${target}: offset past the end`);
      const kept = existing?.content.subarray(0, start) ?? new Uint8Array(0);
      this._reserve(kept.byteLength, target);
      return new FileUpload(target, this._upload(names, chosen, target, kept, mode === 'unique'), {
        highWaterMark: this._uploadHighWaterMark,
      });
    });
  }

  mkdir(path: string): Deferred<void> {
    return maybeDeferred(() => {
      this._injected('mkdir');
      const { folder, name } = this._parent(path);
      if (folder.entries.has(name)) throw new FtpFileSystemError('exists', path);
      folder.entries.set(name, { kind: 'directory', entries: new Map(), modified: this._now(), mode: 0o755 });
      folder.modified = this._now();
    });
  }

  rmdir(path: string): Deferred<void> {
    return maybeDeferred(() => {
      this._injected('rmdir');
      const { folder, name } = this._parent(path);
      const node = folder.entries.get(name);
      if (node === undefined) throw new FtpFileSystemError('not-found', path);
      if (node.kind !== 'directory') throw new FtpFileSystemError('not-a-directory', path);
      if (node.entries.size > 0) throw new FtpFileSystemError('not-empty', path);
      folder.entries.delete(name);
      folder.modified = this._now();
    });
  }

  delete(path: string): Deferred<void> {
    return maybeDeferred(() => {
      this._injected('delete');
      const { folder, name } = this._parent(path);
      const node = folder.entries.get(name);
      if (node === undefined) throw new FtpFileSystemError('not-found', path);
      if (node.kind === 'directory') throw new FtpFileSystemError('is-a-directory', path);
      folder.entries.delete(name);
      folder.modified = this._now();
    });
  }

  rename(from: string, to: string): Deferred<void> {
    return maybeDeferred(() => {
      this._injected('rename');
      const source = this._parent(from);
      const target = this._parent(to);
      const node = source.folder.entries.get(source.name);
      if (node === undefined) throw new FtpFileSystemError('not-found', from);
      if (node.kind === 'directory' && (to === from || to.startsWith(`${from}/`))) {
        throw new FtpFileSystemError('invalid', to, `${to}: a folder cannot move into itself`);
      }
      const there = target.folder.entries.get(target.name);
      if (there !== undefined && there !== node) {
        if (node.kind === 'file' && there.kind === 'directory')
          throw new FtpFileSystemError('is-a-directory', to);
        if (node.kind === 'directory' && there.kind === 'file')
          throw new FtpFileSystemError('not-a-directory', to);
        if (there.kind === 'directory' && there.entries.size > 0)
          throw new FtpFileSystemError('not-empty', to);
      }
      source.folder.entries.delete(source.name);
      target.folder.entries.set(target.name, node);
      source.folder.modified = target.folder.modified = this._now();
    });
  }

  /** The upload target: chunks held aside, put in the tree on install. */
  private _upload(
    names: readonly string[],
    name: string,
    path: string,
    kept: Uint8Array,
    unique: boolean,
  ): UploadTarget {
    const chunks: Uint8Array[] = [kept];
    let held = kept.byteLength;
    const release = () => {
      this._pending -= held;
      held = 0;
      chunks.length = 0;
    };
    return {
      writeChunks: async (batch) => {
        this._injected('upload-write');
        const bytes = batch.reduce((sum, chunk) => sum + chunk.byteLength, 0);
        this._reserve(bytes, path);
        held += bytes;
        for (const chunk of batch) chunks.push(Uint8Array.from(chunk));
      },
      install: async () => {
        this._injected('commit');
        const folder = this._folder(names, joinFtpPath(names));
        const existing = folder.entries.get(name);
        if (existing !== undefined && unique) throw new FtpFileSystemError('exists', path);
        if (existing?.kind === 'directory') throw new FtpFileSystemError('is-a-directory', path);
        const content = Buffer.concat(chunks, held);
        release();
        folder.entries.set(name, {
          kind: 'file',
          content,
          modified: this._now(),
          mode: existing?.mode ?? 0o644,
        });
        folder.modified = this._now();
      },
      discard: async () => release(),
    };
  }

  /** Counts `bytes` more held by an upload, or fails with no-space past the capacity. */
  private _reserve(bytes: number, path: string): void {
    if (this.used + bytes > this._capacity) {
      throw new FtpFileSystemError(
        'no-space',
        path,
        `${path}: no space left (capacity ${this._capacity} bytes)`,
      );
    }
    this._pending += bytes;
  }

  /** Throws the failure queued for `operation`, if any. */
  private _injected(operation: MemoryFileSystemOperation): void {
    const error = this._failures.get(operation)?.shift();
    if (error !== undefined) throw error;
  }

  private _now(): Date {
    return new Date(this._clock.seconds() * 1000);
  }

  private _find(names: readonly string[]): MemoryNode | undefined {
    let node: MemoryNode = this._root;
    for (const name of names) {
      if (node.kind !== 'directory') return undefined;
      const next = node.entries.get(name);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  private _lookup(names: readonly string[], path: string): MemoryNode {
    let node: MemoryNode = this._root;
    for (const [index, name] of names.entries()) {
      if (node.kind !== 'directory')
        throw new FtpFileSystemError('not-a-directory', joinFtpPath(names.slice(0, index)));
      const next = node.entries.get(name);
      if (next === undefined) throw new FtpFileSystemError('not-found', path);
      node = next;
    }
    return node;
  }

  private _folder(names: readonly string[], path: string): MemoryFolder {
    const node = this._lookup(names, path);
    if (node.kind !== 'directory') throw new FtpFileSystemError('not-a-directory', path);
    return node;
  }

  /** The folder holding the entry at `path`, and the entry's name; the root is no entry. */
  private _parent(path: string): { folder: MemoryFolder; name: string } {
    const names = ftpPathNames(path);
    const name = names.at(-1);
    if (name === undefined) throw new FtpFileSystemError('invalid', path, '/: the root cannot be changed');
    const above = names.slice(0, -1);
    return { folder: this._folder(above, joinFtpPath(above)), name };
  }

  private _makeFolders(names: readonly string[]): MemoryFolder {
    let folder = this._root;
    for (const [index, name] of names.entries()) {
      let next = folder.entries.get(name);
      if (next === undefined) {
        next = { kind: 'directory', entries: new Map(), modified: this._now(), mode: 0o755 };
        folder.entries.set(name, next);
      }
      if (next.kind !== 'directory') {
        throw new FtpFileSystemError('not-a-directory', joinFtpPath(names.slice(0, index + 1)));
      }
      folder = next;
    }
    return folder;
  }
}

/** STOU's name in `folder`: `name` if free, else the first free of `name.1` … `name.999`. */
function freeName(folder: MemoryFolder, name: string, path: string): string {
  for (const candidate of uniqueNames(name)) if (!folder.entries.has(candidate)) return candidate;
  throw new FtpFileSystemError('exists', path, `${path}: no free name`);
}

function info(name: string, node: MemoryNode): FtpFileInfo {
  const folder = node.kind === 'directory';
  return {
    name,
    kind: node.kind,
    size: folder ? 4096 : node.content.byteLength,
    modified: node.modified,
    mode: node.mode,
    uid: 0,
    gid: 0,
    links: folder ? 2 : 1,
  };
}

function treeSize(folder: MemoryFolder): number {
  let total = 0;
  for (const node of folder.entries.values()) {
    total += node.kind === 'file' ? node.content.byteLength : treeSize(node);
  }
  return total;
}
