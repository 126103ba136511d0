/**
 * `decodeUtf8`: turns a byte stream into text, keeping multi-byte characters that are split across
 * chunks whole, and `Utf8Decoder`, the sans-I/O state machine behind it.
 *
 * @module
 */
import { TextDecoder } from 'node:util';
import type { OperatorFunction } from 'rxjs';
import { ProtocolError } from '../source/errors.js';
import { decode } from './decode.js';
import type { Decoder } from './decoder.js';

/** Options of `decodeUtf8` and `Utf8Decoder`. */
export interface DecodeUtf8Options {
  /**
   * Whether invalid UTF-8 is an error (ProtocolError) rather than replaced with U+FFFD. Default
   * `false`: replaced, as the WHATWG decoder and Node's Buffer do.
   */
  readonly fatal?: boolean;
}

const streaming = { stream: true } as const;

/**
 * Decodes UTF-8 across chunks, with a streaming `TextDecoder`: the bytes of a character split
 * between chunks are held until it is whole. `push` returns the text a chunk completes (nothing
 * when that is empty). A byte-order mark is text like any other (it is not stripped). With
 * `fatal`, invalid input throws ProtocolError and the decoder must not be used again; otherwise it
 * becomes U+FFFD, including a character cut short by `end`.
 *
 * ```text
 * push([e2 82])  → []
 * push([ac 21])  → ['€!']
 * ```
 *
 * @throws ProtocolError from `push` and `end`, with `fatal`, for invalid UTF-8.
 * @example
 * ```ts
 * const decoder = new Utf8Decoder();
 * decoder.push(new Uint8Array([0xc3])); // []
 * decoder.push(new Uint8Array([0xa9])); // ['é']
 * ```
 */
export class Utf8Decoder implements Decoder<string> {
  readonly #decoder: TextDecoder;

  constructor(options: DecodeUtf8Options = {}) {
    this.#decoder = new TextDecoder('utf-8', { fatal: options.fatal ?? false, ignoreBOM: true });
  }

  /**
   * Appends the text `chunk` completes, if any, to `texts` and returns it.
   *
   * @throws ProtocolError, with `fatal`, for invalid UTF-8; none of the chunk's text is returned
   * then, not even the valid text before the invalid bytes.
   * @example
   * ```ts
   * new Utf8Decoder().push(Buffer.from('héllo')); // ['héllo']
   * ```
   */
  push(chunk: Uint8Array, texts: string[] = []): readonly string[] {
    let text: string;
    try {
      text = this.#decoder.decode(chunk, streaming);
    } catch (error) {
      throw new ProtocolError('invalid UTF-8', { cause: error });
    }
    if (text.length > 0) texts.push(text);
    return texts;
  }

  /**
   * Ends the input: a character cut short becomes U+FFFD (or, with `fatal`, an error). The decoder
   * is then ready for a new stream.
   *
   * @throws ProtocolError, with `fatal`, when the input ends inside a character.
   * @example
   * ```ts
   * const decoder = new Utf8Decoder();
   * decoder.push(new Uint8Array([0xe2, 0x82]));
   * decoder.end(); // ['\ufffd']
   * ```
   */
  end(texts: string[] = []): readonly string[] {
    let text: string;
    try {
      text = this.#decoder.decode();
    } catch (error) {
      throw new ProtocolError('invalid UTF-8: the input ended inside a character', { cause: error });
    }
    if (text.length > 0) texts.push(text);
    return texts;
  }
}

/**
 * Decodes a byte stream as UTF-8, emitting the text each chunk completes. A character whose bytes
 * are split across chunks is emitted whole, with the chunk that completes it; a chunk that
 * completes no character emits nothing. Invalid bytes become U+FFFD, or with `{ fatal: true }`
 * error the stream with ProtocolError (and the upstream is unsubscribed).
 *
 * ```text
 * chunks:        -[68 c3]-[a9]-|
 * decodeUtf8():  -h-------é----|
 * ```
 *
 * @throws ProtocolError (as an error notification), with `fatal`, for invalid UTF-8.
 * @see Utf8Decoder, the state machine.
 * @see encodeUtf8, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { decodeUtf8 } from 'spindle/operators';
 *
 * of(new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac]))
 *   .pipe(decodeUtf8({ fatal: true }))
 *   .subscribe((text) => console.log(text)); // '€'
 * ```
 */
export function decodeUtf8(options?: DecodeUtf8Options): OperatorFunction<Uint8Array, string> {
  return decode(() => new Utf8Decoder(options));
}
