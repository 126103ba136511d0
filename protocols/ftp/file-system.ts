/**
 * `FtpFileSystem`: what the FTP server asks of the files it serves (Twisted's `IFTPShell`), so a
 * user can serve something other than a folder. `NodeFileSystem` serves a real folder;
 * `MemoryFileSystem` is an in-memory tree for tests.
 *
 * @module
 */
import type { BodyOutput } from '../../source/body-writer.js';
import type { Deferred } from '../../source/deferred.js';

/**
 * What an entry is. A listing shows a symbolic link as `symlink`; `stat` follows links, so it
 * never says `symlink`. `other` is a FIFO, a socket or a device: listed, never opened.
 */
export type FtpFileKind = 'file' | 'directory' | 'symlink' | 'other';

/**
 * One entry, as LIST, MLSD, MLST, SIZE and MDTM show it.
 *
 * @example
 * ```ts
 * const info = await fs.stat('/pub/a.txt');
 * console.log(info.kind, info.size, info.modified.toISOString(), info.mode.toString(8));
 * ```
 */
export interface FtpFileInfo {
  /** The entry's name (the last name of its path); `/` for the root. */
  readonly name: string;
  readonly kind: FtpFileKind;
  /** In bytes. */
  readonly size: number;
  readonly modified: Date;
  /** The permission bits (`0o644`), as LIST's `-rw-r--r--` and MLSD's `UNIX.mode` show them. */
  readonly mode: number;
  /** The owner's and group's numeric ids (LIST shows them, or `ftp ftp` as vsftpd's `hide_ids`). */
  readonly uid: number;
  readonly gid: number;
  /** The number of hard links (LIST's second column). */
  readonly links: number;
  /**
   * For a `symlink`: the virtual path it leads to when that is inside the root, for LIST's
   * `name -> target`; undefined when it leads outside (the host's path is never shown) or nowhere.
   */
  readonly linkTarget?: string | undefined;
}

/**
 * Options of `FtpFileSystem.read`.
 *
 * @example
 * ```ts
 * fs.read('/big.iso', { offset: restMarker });
 * ```
 */
export interface FtpReadOptions {
  /** Where to start, in bytes (REST). Past the end: `invalid`. Default 0. */
  readonly offset?: number;
}

/**
 * An open file being read (RETR): iterate it once for its bytes, from the offset to the end,
 * in chunks of a bounded size, one read ahead at most; the file is read only as fast as the
 * iteration pulls. The handle is released when the iteration ends, fails or is left (`break`,
 * `BodyWriter.stop()`), or by `close()` when it is never iterated (the data connection failed).
 *
 * ```ts
 * const file = await fs.read('/pub/a.txt');
 * const writer = new BodyWriter(file, dataConnection); // pulls as the connection drains
 * writer.start();
 * ```
 *
 * @example
 * ```ts
 * for await (const chunk of await fs.read('/a.txt')) sink(chunk);
 * ```
 */
export interface FtpFileReader extends AsyncIterable<Uint8Array> {
  /** The file's size when it was opened. */
  readonly size: number;
  /** Releases the file (idempotent); an iteration still running ends. */
  close(): Deferred<void>;
}

/**
 * How an upload meets what is under its name: STOR replaces it (from `offset` after REST,
 * keeping the bytes before), APPE appends to it, STOU never touches it and picks a free name.
 */
export type FtpWriteMode = 'replace' | 'append' | 'unique';

/**
 * Options of `FtpFileSystem.write`.
 *
 * @example
 * ```ts
 * fs.write('/pub/a.iso', { mode: 'replace', offset: 1 << 20 }); // REST 1048576, STOR a.iso
 * ```
 */
export interface FtpWriteOptions {
  /** Default `replace`. */
  readonly mode?: FtpWriteMode;
  /**
   * With `replace`: keep the first `offset` bytes of the file there and write after them (REST
   * then STOR); the file's bytes past the offset are dropped. Past the end: `invalid`. Default 0.
   */
  readonly offset?: number;
}

/**
 * An upload in progress (STOR, APPE, STOU): a `BodyOutput`, so a `BodyWriter` can pump a data
 * connection's body into it with backpressure. `write` queues the chunk and returns false once
 * the queue is past its high-water mark (and pauses the active producer until it drains, as a
 * connection does); `drained()` fires when it is below again. Nothing shows under the real name
 * until `commit()`: the bytes go to a hidden temporary name in the target folder, and `commit`
 * writes them through (fsync), renames them into place and fsyncs the folder; only then does it
 * fire (then the server answers 226). `abort()` removes the temporary file.
 *
 * A write that fails (no space: `no-space`, 452; any other: `io`, 451) fails the upload: the
 * temporary file is removed, the next `write` throws the error, `drained()` and `commit()`
 * errback with it.
 *
 * @example
 * ```ts
 * const upload = await fs.write('/incoming/a.bin');
 * const writer = new BodyWriter(dataBody, upload);
 * writer.start();
 * writer.done.addCallback(() => upload.commit()).addErrback((failure) => { upload.abort(); return failure; });
 * ```
 */
export interface FtpFileWriter extends BodyOutput {
  /** The virtual path the file will have: for STOU, the free name picked (the 150 reply tells it). */
  readonly path: string;
  /** Queues bytes (a string as UTF-8); false when the queue is past its high-water mark. */
  write(data: Uint8Array | string): boolean;
  /** Fires once the queue is below its high-water mark; errbacks if the upload failed. */
  drained(): Deferred<void>;
  /** Writes what is queued, makes it durable and puts it in place; fires once it is. */
  commit(): Deferred<void>;
  /** Drops the upload and its temporary file; does nothing once `commit` has begun. */
  abort(): Deferred<void>;
}

/**
 * What the FTP server needs of a file tree. Paths are resolved virtual paths (`/pub/a.txt`, as
 * `resolveFtpPath` makes them); an implementation refuses any other (`FtpPathError`). Every
 * operation returns a Deferred (as Twisted's `IFTPShell` does: cancellable, and firing
 * synchronously where the tree is in memory), which errbacks with `FtpFileSystemError` (its
 * `kind` says which reply to give) or `FtpPathError`.
 *
 * @example
 * ```ts
 * const fs: FtpFileSystem = new NodeFileSystem('/srv/ftp');
 * const entries = await fs.list('/pub');
 * ```
 */
export interface FtpFileSystem {
  /** The entry at `path`, following symbolic links (SIZE, MDTM, MLST, CWD's check). */
  stat(path: string): Deferred<FtpFileInfo>;
  /** The entries of the folder at `path` (LIST, NLST, MLSD), by name, links not followed. */
  list(path: string): Deferred<readonly FtpFileInfo[]>;
  /** Opens the file at `path` for reading (RETR); fails before any byte if it cannot be read. */
  read(path: string, options?: FtpReadOptions): Deferred<FtpFileReader>;
  /** Opens an upload to `path` (STOR, APPE, STOU); fails before any byte if it cannot be made. */
  write(path: string, options?: FtpWriteOptions): Deferred<FtpFileWriter>;
  /** Makes a folder (MKD); its parent must exist. */
  mkdir(path: string): Deferred<void>;
  /** Removes an empty folder (RMD). */
  rmdir(path: string): Deferred<void>;
  /** Removes a file or a symbolic link, never a folder (DELE). */
  delete(path: string): Deferred<void>;
  /** Renames (RNFR/RNTO); an existing file at `to` is replaced, as rename(2) does. */
  rename(from: string, to: string): Deferred<void>;
}
