/**
 * What an HTTP handler answers with: a plain `{ status, headers, body }` object, its body given
 * whole (bytes or a string) or as a stream (an Observable, an async iterable, a Node `Readable`),
 * and `respond`, which builds one.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import type { Connection } from '../../source/connection.js';
import type { HttpHeadersInit } from './headers.js';

/**
 * A response's trailer fields: given up front, or a function the server calls once the body has
 * ended, for fields known only then (a checksum, `Server-Timing`, a proxied response's
 * trailers); `undefined` from it sends none.
 *
 * @example
 * ```ts
 * const trailers: ResponseTrailers = () => ({ 'Content-MD5': hash.digest('base64') });
 * ```
 */
export type ResponseTrailers = HttpHeadersInit | (() => HttpHeadersInit | undefined);

/**
 * A response body. Bytes and strings (sent as UTF-8) have a known size and go out with
 * `Content-Length`; a stream goes out chunked (or, to an HTTP/1.0 client, until the connection
 * closes), unless the headers give its `Content-Length`. An async iterable (a Node `Readable`
 * is one) is read as fast as the connection takes it; an Observable is written as it emits, so
 * it is paused only when it is fed by a connection (the request's own body, a proxied socket).
 * `null` and `undefined` mean an empty body.
 *
 * @example
 * ```ts
 * const bodies: ResponseBody[] = ['hello', new Uint8Array([1, 2]), of('a', 'b'), createReadStream('f'), null];
 * ```
 */
export type ResponseBody =
  | Uint8Array
  | string
  | Observable<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | null
  | undefined;

/**
 * A response, as a handler returns it. Every field is optional: `{}` is an empty `200 OK`.
 *
 * The server adds `Date`, `Content-Length` (for a body of known size) or
 * `Transfer-Encoding: chunked`, and `Connection` as the exchange needs; it drops a
 * `Transfer-Encoding` given here (framing is its business). A `Content-Length` given for a
 * stream is kept, and the stream must then produce exactly that many bytes. `Connection: close`
 * closes the connection after this response. Header names and values are checked: one that
 * could break the message (a CR or LF in a value …) makes the exchange fail with a 500.
 *
 * @example
 * ```ts
 * const handler: HttpHandler = () => ({ status: 201, headers: { Location: '/things/7' }, body: 'made\n' });
 * ```
 */
export interface HttpResponse {
  /** The status code, 200 to 999 (a handler cannot send 1xx). Default 200. */
  readonly status?: number;
  /** The reason phrase. Default the standard one for the status (empty for unknown codes). */
  readonly reason?: string;
  readonly headers?: HttpHeadersInit;
  readonly body?: ResponseBody;
  /**
   * Accepts a request that asked to switch protocols (`Connection: upgrade` with `Upgrade`): the
   * server writes `101 Switching Protocols` with `headers` exactly as given (no `Date`, no
   * framing), leaves HTTP on that connection (no keep-alive, none of its timeouts), then calls
   * this with the live connection and the bytes the client sent after its request. What it
   * returns, if it is a `Session` (has `drain(deadline)`), is drained when the server closes.
   * Only with `status` 101 (or none) and on a request that asked to upgrade, with no body left
   * to read; otherwise the exchange fails with a 500.
   */
  readonly upgrade?: ProtocolUpgrade;
  /**
   * Trailer fields sent after a stream body that goes out chunked (RFC 9112 §7.1.2); dropped,
   * as the RFC allows, when the body goes otherwise (a body of known size, a `Content-Length`
   * given, an HTTP/1.0 client). Content-Length, Transfer-Encoding and other framing fields are
   * refused there: the exchange fails and the connection is dropped. Default none.
   */
  readonly trailers?: ResponseTrailers;
}

/**
 * Takes over a connection that has left HTTP (see `HttpResponse.upgrade`): the connection, and
 * `head`, the bytes that came after the upgrading request (maybe empty). Returning a `Session`
 * lets the server drain it.
 *
 * @example
 * ```ts
 * const echo: HttpHandler = () => ({
 *   status: 101,
 *   headers: { Connection: 'Upgrade', Upgrade: 'echo' },
 *   upgrade: (connection, head) => {
 *     connection.write(head);
 *     connection.send(connection.data$);
 *   },
 * });
 * ```
 */
export type ProtocolUpgrade = (connection: Connection, head: Uint8Array) => unknown;

/**
 * A response with `status`, `body` and `headers`: shorthand for the object literal.
 *
 * @example
 * ```ts
 * const handler: HttpHandler = (request) =>
 *   request.path === '/' ? respond(200, 'hello world\n') : respond(404, 'not found\n');
 * ```
 */
export function respond(status: number, body?: ResponseBody, headers?: HttpHeadersInit): HttpResponse {
  return { status, body, headers };
}
