/**
 * `BufferPool`: a few spare buffers of one size, handed out again once given back, so that a
 * stream of big chunks (a file sent in 256 KiB reads) does not allocate one buffer per chunk.
 * Private to Spindle.
 *
 * @module
 */

/**
 * Buffers of `size` bytes: `take` gives a spare one, or a new one when none is spare; `give`
 * takes one back for the next `take`, keeping at most `spares` (the rest are left to the garbage
 * collector). A buffer must be given back only once nothing reads or writes it any more (for a
 * chunk written to a connection: once the write's callback fired); one given twice is kept once.
 *
 * Fresh memory each chunk costs a 256 KiB allocation, page faults as the kernel maps its pages in,
 * and external memory that makes V8 run full garbage collections to free it: the same few buffers
 * reused cost none of that.
 *
 * @example
 * ```ts
 * const pool = sharedBufferPool(256 * 1024);
 * const buffer = pool.take();
 * const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, 0);
 * connection.write(buffer.subarray(0, bytesRead), () => pool.give(buffer));
 * ```
 */
export class BufferPool {
  private readonly _spare: Buffer[] = [];

  /**
   * @param size - the bytes of every buffer.
   * @param spares - how many buffers it keeps while none is taken.
   */
  constructor(
    readonly size: number,
    readonly spares: number,
  ) {}

  /** Buffers kept, ready to be taken. */
  get spareCount(): number {
    return this._spare.length;
  }

  /** A spare buffer, or a new one (its bytes are whatever they were: read into it). */
  take(): Buffer {
    return this._spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Takes a buffer back (one of another size is left alone), to be handed out again. */
  give(buffer: Buffer): void {
    const spare = this._spare;
    if (buffer.byteLength !== this.size || spare.length >= this.spares || spare.includes(buffer)) return;
    spare.push(buffer);
  }
}

/** The pools shared by the whole process, one per buffer size. */
const shared = new Map<number, BufferPool>();

/** The bytes of spare buffers a shared pool keeps: 8 of 256 KiB, 2 of 1 MiB. */
const sharedSpareBytes = 2 * 1024 * 1024;

/**
 * The process's pool of `size`-byte buffers (made at the first call), shared by every reader that
 * reads chunks of that size: a buffer one connection's write let go serves the next read of any
 * other. It keeps 2 MiB of spares (at least two buffers).
 *
 * @example
 * ```ts
 * const pool = sharedBufferPool(256 * 1024);
 * ```
 */
export function sharedBufferPool(size: number): BufferPool {
  let pool = shared.get(size);
  if (pool === undefined) {
    pool = new BufferPool(size, Math.max(2, Math.floor(sharedSpareBytes / size)));
    shared.set(size, pool);
  }
  return pool;
}
