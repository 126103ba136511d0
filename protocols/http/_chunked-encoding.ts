/**
 * `chunkedEncoding`: HTTP's chunked transfer coding as a `BodyEncoding`, for the `BodyWriter`s
 * of both directions (a client's streamed upload, a server's streamed response). Private to
 * protocols/http.
 *
 * @module
 */
import type { BodyEncoding } from '../../source/body-writer.js';
import type { ResponseTrailers } from './response.js';
import { encodeChunk, encodeLastChunk } from './write-request.js';

const lastChunk = encodeLastChunk();

/**
 * Each chunk framed by `encodeChunk`, the body ended by the last chunk (`0\r\n\r\n`, no trailers).
 *
 * @example
 * ```ts
 * new BodyWriter(createReadStream('big.log'), connection, { encoding: chunkedEncoding }).start();
 * ```
 */
export const chunkedEncoding: BodyEncoding = { chunk: encodeChunk, end: () => lastChunk };

/**
 * The chunked coding ending with `trailers` in the last chunk (a function is called then, when
 * the body has ended).
 *
 * @throws TypeError (from the body's end) for an invalid or framing trailer field.
 * @example
 * ```ts
 * new BodyWriter(upstreamBody, output, { encoding: chunkedWithTrailers(() => upstream.trailers) }).start();
 * ```
 */
export function chunkedWithTrailers(trailers: ResponseTrailers): BodyEncoding {
  return {
    chunk: encodeChunk,
    end: () => encodeLastChunk(typeof trailers === 'function' ? trailers() : trailers),
  };
}
