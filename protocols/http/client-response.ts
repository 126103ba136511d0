/**
 * `ClientResponse`: what an HTTP client's request fires with: the status line, the headers, and
 * the body as it streams in, with backpressure, as an Observable or with `for await`.
 *
 * @module
 */
import type { Observable } from 'rxjs';
import type { BodyStream } from '../../source/body-stream.js';
import type { Deferred } from '../../source/deferred.js';
import { ProtocolError, SpindleError } from '../../source/errors.js';
import { HttpHeaders } from './headers.js';
import type { HttpVersion, ResponseHead } from './message.js';

/** The default limit of `text()`, `json()` and `arrayBuffer()`: 16 MiB. */
const defaultMaxLength = 16 * 1024 * 1024;

/**
 * A response body as it arrives: subscribe to it, or iterate it with `for await`, once. The
 * connection reads no further than the reader (it stops reading while 64 KiB wait unread); an
 * observer that writes to a connection whose buffer is full pauses it until that drains. It
 * errors if the body does not arrive whole (`ConnectionLost`, `HttpParseError`, `TimeoutError`,
 * `CancelledError` …). Unsubscribing or breaking out of the loop before the end closes the
 * connection.
 *
 * ```text
 * server sends:  [head]--a---b---c|
 * body:          -------a---b---c|
 * ```
 *
 * @example
 * ```ts
 * response.body.subscribe(serverConnection); // proxies the body, with backpressure
 * ```
 */
export interface ClientResponseBody extends Observable<Uint8Array>, AsyncIterable<Uint8Array> {}

/**
 * Options of the methods that read a whole body.
 *
 * @example
 * ```ts
 * await response.text({ maxLength: 64 * 1024 });
 * ```
 */
export interface ReadBodyOptions {
  /** The most bytes (after decoding) to read. Default 16 MiB; past it, `BodyTooLargeError`. */
  maxLength?: number;
}

/**
 * Options of `ClientResponse.discard`.
 *
 * @example
 * ```ts
 * await response.discard({ maxLength: 64 * 1024 });
 * ```
 */
export interface DiscardOptions {
  /**
   * The most bytes to read and drop so the connection can carry the next request; a longer body
   * is not worth the wait, and its connection is closed instead. Default `Infinity`.
   */
  maxLength?: number;
}

/**
 * A response body's `Content-Encoding` (gzip, deflate, br) could not be decoded: the compressed
 * data is corrupt or cut short. `cause` is `node:zlib`'s error.
 *
 * @example
 * ```ts
 * for await (const chunk of response) …  // throws ContentDecodingError on a corrupt gzip body
 * ```
 */
export class ContentDecodingError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_HTTP_CONTENT_DECODING';
}

/**
 * A request was redirected more often than the agent's `followRedirects` allows. `response` is
 * the redirect that was one too many (its body already discarded).
 *
 * @example
 * ```ts
 * agent.request('GET', url).addErrback((f) => {
 *   f.trap(TooManyRedirectsError);
 *   console.log((f.value as TooManyRedirectsError).response.headers.get('Location'));
 * });
 * ```
 */
export class TooManyRedirectsError extends SpindleError {
  static override readonly code: string = 'SPINDLE_HTTP_TOO_MANY_REDIRECTS';
  /** The redirect response that was not followed. */
  readonly response: ClientResponse;

  constructor(limit: number, response: ClientResponse) {
    super(`more than ${limit} redirects (the last to ${response.headers.get('Location')})`);
    this.response = response;
  }
}

/**
 * Where a response's trailer fields land once its body has arrived (`undefined`: none came):
 * the exchange reading the response sets them, `ClientResponse.trailers` reads them.
 *
 * @example
 * ```ts
 * const end: ResponseEnd = { trailers: undefined };
 * ```
 */
export interface ResponseEnd {
  trailers: HttpHeaders | undefined;
}

const noEnd: ResponseEnd = Object.freeze({ trailers: undefined }) as ResponseEnd;

/**
 * An HTTP response, as `Agent.request` fires with it once its head has arrived (Twisted's
 * `IResponse`). The body streams in after; read it once, in one of these ways: subscribe to
 * `body`, iterate it with `for await`, call `text()`, `json()`, `arrayBuffer()` or `bytes()`
 * (each with a size limit), or `discard()` it. A body that is decoded (gzip, deflate, br) no
 * longer has those codings in `Content-Encoding`, nor a `Content-Length`.
 *
 * The connection is paused while the reader is behind, and goes back to the agent's pool only
 * once the body has been read to its end. A reader that stops early (unsubscribing, breaking out
 * of the loop) closes the connection, so do read or `discard()` every body.
 *
 * ```text
 * wire:     head──a──b────c──|
 * request:  ────(response)         fires at the head
 * body:          ──a──b────c──|
 * ```
 *
 * @example
 * ```ts
 * const response = await request('GET', 'http://example.com/');
 * console.log(response.status, response.headers.get('content-type'));
 * for await (const chunk of response.body) process.stdout.write(chunk);
 * ```
 */
export class ClientResponse {
  readonly version: HttpVersion;
  readonly status: number;
  readonly reason: string;
  readonly headers: HttpHeaders;
  /** The URL this response came from (the last one, after redirects). */
  readonly url: string;
  /** The body, streaming in: read it once (or use one of the methods below). */
  readonly body: ClientResponseBody;
  readonly #body: BodyStream;
  readonly #end: ResponseEnd;
  #noTrailers: HttpHeaders | undefined;

  /**
   * Made by `Agent.request`, with the body stream its connection feeds.
   *
   * @example
   * ```ts
   * const response = await agent.request('GET', url); // not `new ClientResponse(…)`
   * ```
   *
   * @param end - where the exchange puts the trailers at the end of the body.
   * @example
   * ```ts
   * new ClientResponse(head, url, body, { trailers: undefined });
   * ```
   */
  constructor(head: ResponseHead, url: string, body: BodyStream, end: ResponseEnd = noEnd) {
    this.version = head.version;
    this.status = head.status;
    this.reason = head.reason;
    this.headers = head.headers;
    this.url = url;
    this.body = body;
    this.#body = body;
    this.#end = end;
  }

  /**
   * The trailer fields sent after a chunked body (RFC 9110 §6.5: `Server-Timing`, a checksum …):
   * empty until the body has been read to its end, and empty when the server sent none. They are
   * in place by the time the body's reader hears of the end (its `complete`, the end of its loop,
   * `text()` firing), so read them then.
   *
   * @example
   * ```ts
   * const text = await response.text();
   * console.log(response.trailers.get('server-timing'));
   * ```
   */
  get trailers(): HttpHeaders {
    const trailers = this.#end.trailers;
    if (trailers !== undefined) return trailers;
    this.#noTrailers ??= new HttpHeaders();
    return this.#noTrailers;
  }

  /**
   * The whole body, up to `maxLength` bytes. Cancelling stops reading and closes the connection.
   *
   * @throws BodyTooLargeError past `maxLength` (the connection is closed).
   * @example
   * ```ts
   * const bytes = new Uint8Array(await response.arrayBuffer({ maxLength: 1 << 20 }));
   * ```
   */
  arrayBuffer(options: ReadBodyOptions = {}): Deferred<ArrayBuffer> {
    return this.bytes(options).addCallback(
      (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  }

  /**
   * The whole body as bytes, up to `maxLength` bytes.
   *
   * @throws BodyTooLargeError past `maxLength`.
   * @example
   * ```ts
   * const png = await response.bytes({ maxLength: 8 << 20 });
   * ```
   */
  bytes(options: ReadBodyOptions = {}): Deferred<Uint8Array> {
    return this.#body.readAll(options.maxLength ?? defaultMaxLength);
  }

  /**
   * The whole body as text, decoded as UTF-8, up to `maxLength` bytes.
   *
   * @throws BodyTooLargeError past `maxLength`.
   * @example
   * ```ts
   * const html = await response.text();
   * ```
   */
  text(options: ReadBodyOptions = {}): Deferred<string> {
    return this.bytes(options).addCallback((bytes) => new TextDecoder().decode(bytes));
  }

  /**
   * The whole body parsed as JSON, up to `maxLength` bytes.
   *
   * @throws BodyTooLargeError past `maxLength`; SyntaxError for a body that is not JSON.
   * @example
   * ```ts
   * const { items } = await response.json<{ items: string[] }>();
   * ```
   */
  json<T = unknown>(options: ReadBodyOptions = {}): Deferred<T> {
    return this.text(options).addCallback((text) => JSON.parse(text) as T);
  }

  /**
   * Reads the rest of the body and drops it, so that the connection can carry the next request;
   * fires at the end. A body longer than `maxLength` is not read on: its connection is closed,
   * and the Deferred fires all the same.
   *
   * @example
   * ```ts
   * if (response.status !== 200) await response.discard({ maxLength: 64 * 1024 });
   * ```
   */
  discard(options: DiscardOptions = {}): Deferred<void> {
    return this.#body.discard(options.maxLength ?? Number.POSITIVE_INFINITY);
  }
}
