/**
 * How a request's body is framed, read from its fields: what the framework adapters need to
 * know before passing the body on. Private to protocols/web.
 *
 * @module
 */
import type { BodyFraming } from '../http/message.js';
import type { HttpRequest } from '../http/request.js';

/**
 * The framing `request` came with (the server's parser has checked it): chunked when it has a
 * Transfer-Encoding, its length when it has a Content-Length, else none.
 *
 * @example
 * ```ts
 * requestFraming(request); // { kind: 'length', length: 11 } for Content-Length: 11
 * ```
 */
export function requestFraming(request: HttpRequest): BodyFraming {
  const headers = request.headers;
  if (headers.has('transfer-encoding')) return { kind: 'chunked' };
  const length = headers.getAll('content-length')[0];
  return length === undefined ? { kind: 'none' } : { kind: 'length', length: Number(length) };
}

/**
 * Whether a body so framed has bytes to read: chunked (maybe), or a length above 0.
 *
 * @example
 * ```ts
 * hasBytes({ kind: 'length', length: 0 }); // false
 * ```
 */
export function hasBytes(framing: BodyFraming): boolean {
  return framing.kind !== 'none' && !(framing.kind === 'length' && framing.length === 0);
}
