/**
 * `seededRandom`: a small seeded pseudo-random generator (mulberry32), for tests and load that
 * must go the same way on every run, or be replayed from a printed seed.
 */

/**
 * Numbers in [0, 1), the same sequence for the same seed.
 *
 * @example
 * ```ts
 * const random = seededRandom(0x5eed);
 * const index = Math.floor(random() * items.length);
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
