/**
 * `FileBody`: a response body read from an open file, in bounded chunks, as fast as the
 * connection takes it (parts of it, with what goes between, for `multipart/byteranges`;
 * compressed through `node:zlib` when asked), that closes its file on every path. Private to
 * protocols/web.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { pipeline, type Transform } from 'node:stream';
import { BodyConsumedError, SpindleError } from '../../source/errors.js';

/**
 * A file served changed while it was being sent: it ended before the bytes its response
 * announced. The response is cut short (the connection dropped), never completed with other bytes.
 *
 * @example
 * ```ts
 * logRecords$.subscribe((record) => { if (record.error instanceof FileChangedError) console.warn(record.message); });
 * ```
 */
export class FileChangedError extends SpindleError {
  static override readonly code: string = 'SPINDLE_WEB_FILE_CHANGED';
}

/**
 * Bytes `start` to `end` (included) of the file, after `head` (text written before them).
 *
 * @example
 * ```ts
 * const part: FilePart = { head: '', start: 0, end: 1023 };
 * ```
 */
export interface FilePart {
  readonly head: string;
  readonly start: number;
  readonly end: number;
}

/** Where a file body stands: not read yet, being read, or its file closed. */
type FileBodyState = 'unread' | 'reading' | 'closed';

/**
 * The most bytes read from the file at once: what one chunk of the body holds, so what a body
 * keeps in memory beyond what the connection buffers. 256 KiB rather than a Readable's 64 KiB:
 * a quarter of the round trips to the thread pool, which takes a 1 MiB file from 0.8x to ~1.2x
 * the requests per second of node:http piping `fs.createReadStream` (wrk, 50 connections).
 */
export const fileChunkSize = 256 * 1024;

/**
 * A body that reads `parts` of an open file, then `tail`, once, a chunk of at most 256 KiB at a
 * time and only when the reader asks for the next (the `BodyWriter` does after the connection
 * drains), optionally through a compressor. It owns the file: the file closes when the body is
 * read to its end, when reading fails, when its iteration is ended early (`return()`), and when
 * it is destroyed, which is what the HTTP server does to a body it will not read (a HEAD request,
 * a client gone before its turn) or stops reading (a client gone mid-body). A file that ends early
 * fails the body with `FileChangedError`.
 *
 * ```text
 * file:      [aaaa|bbbb|cc]           (256 KiB reads, each after the previous chunk is taken)
 * body:      -a---b---c|              (then the file closes)
 * ```
 *
 * @example
 * ```ts
 * const body = new FileBody(handle, [{ head: '', start: 0, end: stats.size - 1 }]);
 * return { headers: { 'Content-Length': String(stats.size) }, body };
 * ```
 */
export class FileBody implements AsyncIterable<Uint8Array | string> {
  private _state: FileBodyState = 'unread';
  private _compressor: Transform | undefined = undefined;

  /**
   * @param compress - makes the compressor the bytes go through (gzip, Brotli); none: as they are.
   */
  constructor(
    private readonly _handle: FileHandle,
    private readonly _parts: readonly FilePart[],
    private readonly _tail = '',
    private readonly _compress?: () => Transform,
  ) {}

  /**
   * Starts reading.
   *
   * @throws BodyConsumedError the second time.
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array | string> {
    if (this._state !== 'unread') throw new BodyConsumedError();
    this._state = 'reading';
    const bytes = this._read();
    if (this._compress === undefined) return bytes;
    const compressor = this._compress();
    this._compressor = compressor;
    // destroying the compressor ends the reading (and the pipeline); the file closes either way
    pipeline(bytes, compressor, () => this._closeFile());
    return compressor[Symbol.asyncIterator]();
  }

  /** Closes the file and stops a compressor at once, read or not; idempotent. */
  destroy(): void {
    this._closeFile();
    this._compressor?.destroy();
  }

  /** Closes the file (its bytes are all read, or will not be); a compressor keeps what it holds. */
  private _closeFile(): void {
    if (this._state === 'closed') return;
    this._state = 'closed';
    this._handle.close().catch(() => undefined); // fails only on a handle closed already
  }

  private async *_read(): AsyncGenerator<Uint8Array | string> {
    const handle = this._handle;
    try {
      for (const part of this._parts) {
        if (part.head !== '') yield part.head;
        const end = part.end + 1;
        let position = part.start;
        while (position < end) {
          if (this._state === 'closed') return;
          const length = Math.min(fileChunkSize, end - position);
          const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(length), 0, length, position);
          if (bytesRead === 0) {
            throw new FileChangedError(`the file ended at byte ${position}, before the ${end} announced`);
          }
          position += bytesRead;
          yield buffer.subarray(0, bytesRead);
        }
      }
      if (this._tail !== '') yield this._tail;
    } finally {
      this._closeFile();
    }
  }
}

/**
 * The first `size` bytes of an open file, read whole (a small file's body: one read, no stream).
 *
 * @throws FileChangedError when the file is shorter now.
 * @example
 * ```ts
 * const bytes = await readWhole(handle, stats.size);
 * ```
 */
export async function readWhole(handle: FileHandle, size: number): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const { bytesRead } = await handle.read(buffer, at, size - at, at);
    if (bytesRead === 0)
      throw new FileChangedError(`the file ended at byte ${at}, before the ${size} announced`);
    at += bytesRead;
  }
  return buffer;
}
