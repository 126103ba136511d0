/**
 * `randomHex`: random bytes as hex digits for names and ids, drawn from a pool. Private to Spindle.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** The pool: 4 KiB of random bytes, and how many of them are spent. */
const pool = { bytes: Buffer.alloc(0), used: 0 };
const poolSize = 4096;

/**
 * `count` random bytes (from the operating system's generator, as `randomBytes` draws them) as
 * `2 × count` lower-case hex digits. The bytes come 4 KiB at a time: one call to the generator
 * per few hundred names rather than one per name, which a mail server naming every message and
 * every queue id feels. For names and ids that must not collide or be guessed, not for keys.
 *
 * @example
 * ```ts
 * const name = `${Date.now()}.R${randomHex(8)}.host`; // 16 hex digits
 * ```
 */
export function randomHex(count: number): string {
  if (count > poolSize) return randomBytes(count).toString('hex');
  if (pool.used + count > pool.bytes.length) {
    pool.bytes = randomBytes(poolSize);
    pool.used = 0;
  }
  pool.used += count;
  return pool.bytes.toString('hex', pool.used - count, pool.used);
}
