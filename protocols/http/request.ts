/**
 * `HttpRequest`: a request as an HTTP server's handler sees it: its head, its URL, and its body
 * as a stream (an Observable and an async iterable, with backpressure) or, when asked, whole.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import type { Address } from '../../source/address.js';
import type { Deferred } from '../../source/deferred.js';
import type { HttpHeaders, HttpHeadersInit } from './headers.js';
import type { HttpVersion } from './message.js';

/**
 * A request body as it arrives: subscribe to it or iterate it with `for await`, once. The
 * connection reads no further than the reader (it stops reading while 64 KiB are waiting), and a
 * client that sent `Expect: 100-continue` gets its `100 Continue` when the reading starts. If the
 * body does not arrive whole (the client closed or timed out first, the chunked framing broke),
 * the stream errors: a partial body never looks complete.
 *
 * ```text
 * client sends:  [head]--a---b---c|       (| the end of the body)
 * body:          --------a---b---c|
 * ```
 *
 * @example
 * ```ts
 * let size = 0;
 * for await (const chunk of request.body) size += chunk.byteLength;
 * ```
 */
export interface RequestBody extends Observable<Uint8Array>, AsyncIterable<Uint8Array> {}

/**
 * A request, as a handler gets it. `text()`, `json()`, `arrayBuffer()` and `bytes()` read the
 * whole body, as Deferreds (awaitable, cancellable, as the client's are), refusing one longer
 * than the server's `maxBodyBytes` with a `BodyTooLargeError` (which, thrown on by the handler,
 * answers 413); they and `body` share the one reading of the body (a second read fails with
 * `BodyConsumedError`).
 *
 * @example
 * ```ts
 * const app: HttpHandler = async (request) => {
 *   if (request.method === 'POST' && request.path === '/notes') {
 *     const note = await request.json<{ text: string }>();
 *     return respond(201, `${note.text.length} characters\n`);
 *   }
 *   return respond(404, 'not found\n');
 * };
 * ```
 */
export interface HttpRequest {
  /** The method, as sent (`GET`, `POST` …; case-sensitive). */
  readonly method: string;
  /** The request target as sent: `/path?query`, `*`, `host:port` (CONNECT) or an absolute URI. */
  readonly target: string;
  readonly version: HttpVersion;
  readonly headers: HttpHeaders;
  /** The target's path, without the query: `/search` for `/search?q=1` (for an absolute URI, its path). */
  readonly path: string;
  /**
   * The full URL: `https` on a secure connection, `http` otherwise; the host from the target
   * when absolute, else from the `Host` header, else the server's address.
   *
   * @throws TypeError (on reading) when the target and host do not make a URL.
   */
  readonly url: URL;
  /** The client's address. */
  readonly remoteAddress: Address;
  /** Whether the request came over TLS. */
  readonly secure: boolean;
  readonly body: RequestBody;
  /**
   * Aborts, with the connection's error (`ConnectionLost`, `ConnectionDone` …) as its reason,
   * when the exchange is given up before its response is all out: the client went away, or the
   * server closed the connection first. Hand it to whatever works for the response (an upstream
   * request, a query) so that the work stops with it.
   *
   * @example
   * ```ts
   * const upstream = await agent.request('GET', url, { signal: request.signal });
   * ```
   */
  readonly signal: AbortSignal;
  /**
   * Sends an informational (1xx) response before the final one: `103 Early Hints` with the
   * `Link` fields a browser may preload while the handler works, `102 Processing`. Returns
   * whether it went out: it does not to an HTTP/1.0 client (RFC 9110 §15.2), once the final
   * response has begun, or while a response to an earlier pipelined request is still pending
   * (the answers keep their order). `100 Continue` is the server's to send (when the body is
   * read) and `101` switches protocols, so neither is taken.
   *
   * @throws TypeError for a status outside 102-199 or an invalid field.
   * @example
   * ```ts
   * request.sendInformational(103, { Link: '</style.css>; rel=preload; as=style' });
   * ```
   */
  sendInformational(status: number, headers?: HttpHeadersInit): boolean;
  /** The body, whole, decoded as UTF-8. */
  text(): Deferred<string>;
  /** The body, whole, parsed as JSON (a SyntaxError if it is not JSON). */
  json<T = unknown>(): Deferred<T>;
  /** The body, whole, as an ArrayBuffer. */
  arrayBuffer(): Deferred<ArrayBuffer>;
  /** The body, whole, as bytes. */
  bytes(): Deferred<Uint8Array>;
}
