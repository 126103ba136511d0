/**
 * `UnixTextFile`: message text written to a file with Unix line ends, through one pooled buffer.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { asBuffer } from '../../source/_as-buffer.js';
import type { BufferPool } from '../../source/_buffer-pool.js';

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');
const lonelyCr = Buffer.of(CR);

/**
 * Writes text to `handle` as it comes, each CR LF as LF (as Postfix's local delivery stores mail),
 * across chunks (a CR at a chunk's end waits for the next chunk's first byte). The text is copied
 * into one buffer taken from `pool` and written each time it fills, and once more at `finish`: a
 * small message is one write, a big one a write per buffer, and no chunk costs an allocation of
 * its own. The buffer goes back to the pool at `finish` or `release`, when no write holds it.
 *
 * @example
 * ```ts
 * const text = new UnixTextFile(handle, sharedBufferPool(fileChunkSize));
 * for await (const chunk of message.body) await text.add(chunk);
 * await text.finish();
 * ```
 */
export class UnixTextFile {
  private _staged: Buffer | undefined = undefined;
  private _length = 0;
  private _heldCr = false;

  constructor(
    private readonly _handle: FileHandle,
    private readonly _pool: BufferPool,
  ) {}

  /** Adds `chunk`; settles once what it filled is written. */
  async add(chunk: Uint8Array): Promise<void> {
    const bytes = asBuffer(chunk);
    if (bytes.length === 0) return;
    if (this._heldCr) {
      this._heldCr = false;
      if (bytes[0] !== LF) await this._stage(lonelyCr, 0, 1);
    }
    let end = bytes.length;
    if (bytes[end - 1] === CR) {
      this._heldCr = true;
      end--;
    }
    let from = 0;
    for (let crlf = bytes.indexOf(CRLF); crlf >= 0; crlf = bytes.indexOf(CRLF, crlf + 2)) {
      const reached = this._copy(bytes, from, crlf); // no await while the buffer has room
      if (this._full) await this._stage(bytes, reached, crlf);
      from = crlf + 1; // the LF begins the next run
    }
    await this._stage(bytes, from, end);
  }

  /** Writes what is staged (and a CR left at the very end) and gives the buffer back. */
  async finish(): Promise<void> {
    if (this._heldCr) {
      this._heldCr = false;
      await this._stage(lonelyCr, 0, 1);
    }
    if (this._length > 0) await this._write();
    this.release();
  }

  /** Gives the buffer back to the pool, if one is taken: call it only when no write is under way. */
  release(): void {
    if (this._staged !== undefined) this._pool.give(this._staged);
    this._staged = undefined;
    this._length = 0;
  }

  private get _full(): boolean {
    return this._staged !== undefined && this._length === this._staged.length;
  }

  /** Copies `bytes[from, to)` into the buffer, writing it out each time it is full. */
  private async _stage(bytes: Buffer, from: number, to: number): Promise<void> {
    if (this._full) await this._write();
    for (let at = this._copy(bytes, from, to); this._full; at = this._copy(bytes, at, to))
      await this._write();
  }

  /** Copies what fits of `bytes[from, to)` into the buffer; returns where it stopped. */
  private _copy(bytes: Buffer, from: number, to: number): number {
    if (from >= to) return from;
    this._staged ??= this._pool.take();
    const copied = bytes.copy(this._staged, this._length, from, to);
    this._length += copied;
    return from + copied;
  }

  /**
   * Writes all that is staged: one write may take only part of it (the disk filling up), and the
   * write of the rest then fails (ENOSPC) rather than the rest being dropped.
   */
  private async _write(): Promise<void> {
    const staged = this._staged!;
    for (let at = 0; at < this._length; ) {
      const { bytesWritten } = await this._handle.write(staged, at, this._length - at);
      at += bytesWritten;
    }
    this._length = 0;
  }
}
