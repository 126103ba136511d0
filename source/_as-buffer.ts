/**
 * `asBuffer`: a Buffer view of a Uint8Array (no copy), so decoders can use Buffer's native search
 * and string decoding on any chunk they are given.
 *
 * @module
 */

/**
 * Returns `chunk` itself when it is a Buffer, otherwise a Buffer over the same memory.
 *
 * @example
 * ```ts
 * asBuffer(new Uint8Array([104, 105])).toString('latin1'); // 'hi'
 * ```
 */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
