/**
 * `Words`: a small `Decoder` for testing `decode`, which records what is done to it.
 *
 * @module
 */
import type { Decoder } from '../../operators/decoder.js';

/**
 * Decodes comma-separated words: `!` is bad input (push throws), and `end()` yields an
 * unterminated last word, or with `strict` throws. `calls` lists each push (with its text) and
 * end, in order.
 *
 * @example
 * ```ts
 * const words = new Words();
 * words.push(Buffer.from('a,b')); // ['a']
 * words.end();                    // ['b']
 * ```
 */
export class Words implements Decoder<string> {
  readonly calls: string[] = [];
  #word = '';

  constructor(readonly strict = false) {}

  push(chunk: Uint8Array, frames: string[] = []): readonly string[] {
    const text = Buffer.from(chunk).toString();
    this.calls.push(`push ${text}`);
    for (const char of text) {
      if (char === '!') throw new Error('bad word');
      if (char === ',') {
        frames.push(this.#word);
        this.#word = '';
      } else this.#word += char;
    }
    return frames;
  }

  end(frames: string[] = []): readonly string[] {
    this.calls.push('end');
    if (this.#word !== '' && this.strict) throw new Error('cut short');
    if (this.#word !== '') frames.push(this.#word);
    this.#word = '';
    return frames;
  }
}
