/**
 * `prepareBody`: a request body for the HTTP client, as a caller gave it, made ready to send:
 * bytes known in full (replayable) or a stream (sent once, chunked, by a `BodyWriter`).
 *
 * @module
 */
import { isObservable, type Observable } from 'rxjs';
import type { OutgoingBody } from '../../source/body-writer.js';

/**
 * A request body ready to send: nothing, bytes known in full (replayable), or a stream (sent once).
 *
 * @example
 * ```ts
 * const body: PreparedBody = { kind: 'bytes', bytes: new TextEncoder().encode('hello') };
 * ```
 */
export type PreparedBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'stream';
      readonly source: Observable<Uint8Array | string> | AsyncIterable<Uint8Array | string>;
    };

const encoder = new TextEncoder();

/** Bytes of a chunk: a string is UTF-8. */
function bytesOf(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/**
 * Sorts a caller's body into bytes known in full or a stream.
 *
 * @throws TypeError for anything else.
 * @example
 * ```ts
 * prepareBody('héllo'); // { kind: 'bytes', bytes: <68 c3 a9 6c 6c 6f> }
 * ```
 */
export function prepareBody(body: OutgoingBody | undefined): PreparedBody {
  if (body === undefined) return { kind: 'none' };
  if (typeof body === 'string' || body instanceof Uint8Array) return { kind: 'bytes', bytes: bytesOf(body) };
  if (isObservable(body) || Symbol.asyncIterator in body) return { kind: 'stream', source: body };
  throw new TypeError('a request body is bytes, a string, an Observable or an async iterable');
}
