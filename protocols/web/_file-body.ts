/**
 * `FileBody`: a response body read from an open file, in bounded chunks (`FileChunks`), as fast
 * as the connection takes it (parts of it, with what goes between, for `multipart/byteranges`;
 * compressed through `node:zlib` when asked), that closes its file on every path. Private to
 * protocols/web.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import type { Transform } from 'node:stream';
import { type ChunkFile, FileChunks, type FileSpan } from '../../source/_file-chunks.js';
import { chunkWritten, type RecyclingBody } from '../../source/body-writer.js';
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

/** Where a file body stands: not read yet, being read, or destroyed (its file closed). */
type FileBodyState = 'unread' | 'reading' | 'destroyed';

/**
 * A body that reads `parts` of an open file, then `tail`, once, through `FileChunks`: a chunk of
 * at most 256 KiB at a time, one read ahead of what the reader (the `BodyWriter`, as the
 * connection drains) has taken, into pooled buffers that the writer hands back once the
 * connection has sent them; optionally through a compressor, whose input buffers go back once
 * zlib has consumed them (what it sends is zlib's own memory). It owns the file: the file closes
 * when the body is read to its end, when reading fails, when its iteration is ended early
 * (`return()`), and when it is destroyed, which is what the HTTP server does to a body it will not
 * read (a HEAD request, a client gone before its turn) or stops reading (a client gone mid-body).
 * A file that ends early fails the body with `FileChangedError`.
 *
 * ```text
 * file:      [aaaa|bbbb|cc]           (256 KiB reads, one ahead of what is taken)
 * body:      -a---b---c|              (then the file closes)
 * ```
 *
 * @example
 * ```ts
 * const body = new FileBody(handle, [{ head: '', start: 0, end: stats.size - 1 }]);
 * return { headers: { 'Content-Length': String(stats.size) }, body };
 * ```
 */
export class FileBody implements AsyncIterable<Uint8Array>, RecyclingBody {
  private _state: FileBodyState = 'unread';
  private readonly _chunks: FileChunks;
  private _compressor: Transform | undefined = undefined;

  /**
   * @param compress - makes the compressor the bytes go through (gzip, Brotli); none: as they are.
   */
  constructor(
    handle: FileHandle,
    parts: readonly FilePart[],
    tail = '',
    private readonly _compress?: () => Transform,
  ) {
    const spans: FileSpan[] = parts.map((part) => ({
      head: bytesOf(part.head),
      start: part.start,
      end: part.end + 1,
    }));
    if (tail !== '') spans.push({ head: bytesOf(tail), start: 0, end: 0 });
    this._chunks = new FileChunks(fileOf(handle), spans, {
      cut: (position, end) =>
        new FileChangedError(`the file ended at byte ${position}, before the ${end} announced`),
    });
  }

  /**
   * Starts reading.
   *
   * @throws BodyConsumedError the second time, or once destroyed.
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this._state !== 'unread') throw new BodyConsumedError();
    this._state = 'reading';
    if (this._compress === undefined) return this._chunks;
    const compressor = this._compress();
    this._compressor = compressor;
    void compressInto(this._chunks, compressor);
    return compressor[Symbol.asyncIterator]();
  }

  /** Closes the file and stops a compressor at once, read or not; idempotent. */
  destroy(): void {
    this._state = 'destroyed';
    void this._chunks.close();
    this._compressor?.destroy();
  }

  /** A chunk was sent: its buffer is read into again (a compressor's chunks are not the file's). */
  [chunkWritten](chunk: Uint8Array): void {
    if (this._compressor === undefined) this._chunks[chunkWritten](chunk);
  }
}

/** A part's head or the tail as bytes (UTF-8, as a string body chunk would go); none when empty. */
function bytesOf(text: string): Uint8Array | undefined {
  return text === '' ? undefined : Buffer.from(text);
}

/** An open file as `FileChunks` reads it; closing it fails only on a handle closed already. */
function fileOf(handle: FileHandle): ChunkFile {
  return {
    read: async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead,
    close: () => handle.close().catch(() => undefined),
  };
}

/**
 * Writes the file's chunks into the compressor as fast as it takes them, then ends it; a read
 * that fails destroys the compressor with the error. Each chunk goes back to the pool once zlib
 * has consumed it (its write's callback). A compressor destroyed (the body was, or its reader left)
 * ends the reading, which closes the file.
 */
async function compressInto(chunks: FileChunks, compressor: Transform): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (compressor.destroyed) return;
      if (!compressor.write(chunk, () => chunks[chunkWritten](chunk))) await drainedOrClosed(compressor);
    }
    if (!compressor.destroyed) compressor.end();
  } catch (error) {
    compressor.destroy(error as Error);
  }
}

/** Fires once the stream drains, or closes (a destroyed stream never drains). */
function drainedOrClosed(stream: Transform): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      stream.off('drain', settle);
      stream.off('close', settle);
      resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
  });
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
