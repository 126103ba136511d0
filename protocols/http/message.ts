/**
 * The shapes of HTTP/1.1 messages: the heads the parsers produce and the serialisers take, how
 * a body is framed, and the events a parser emits.
 *
 * @module
 */
import type { HttpHeaders, HttpHeadersInit } from './headers.js';

/** The HTTP versions spoken: 1.0 and 1.1 (a request in HTTP/1.2 to 1.9 is read as 1.1, per RFC 9110 §2.5). */
export type HttpVersion = '1.0' | '1.1';

/**
 * A parsed request line and header section.
 *
 * @example
 * ```ts
 * const head: RequestHead = { method: 'GET', target: '/', version: '1.1', headers: new HttpHeaders({ Host: 'a' }) };
 * ```
 */
export interface RequestHead {
  /** The method, as sent (methods are case-sensitive: `get` is not `GET`). */
  readonly method: string;
  /** The request target as sent: `/path?query`, `*`, `host:port` (CONNECT) or an absolute URI. */
  readonly target: string;
  readonly version: HttpVersion;
  readonly headers: HttpHeaders;
}

/**
 * A parsed status line and header section.
 *
 * @example
 * ```ts
 * const head: ResponseHead = { version: '1.1', status: 404, reason: 'Not Found', headers: new HttpHeaders() };
 * ```
 */
export interface ResponseHead {
  readonly version: HttpVersion;
  /** The status code, 100 to 999. */
  readonly status: number;
  /** The reason phrase, possibly empty. */
  readonly reason: string;
  readonly headers: HttpHeaders;
}

/**
 * A request head to serialise: `writeRequestHead` fills in the version (1.1) and no headers.
 *
 * @example
 * ```ts
 * const head: RequestHeadInit = { method: 'GET', target: '/', headers: { Host: 'example.com' } };
 * ```
 */
export interface RequestHeadInit {
  readonly method: string;
  readonly target: string;
  readonly version?: HttpVersion;
  readonly headers?: HttpHeadersInit;
}

/**
 * A response head to serialise: `writeResponseHead` fills in the version (1.1), the standard
 * reason phrase of the status, and no headers.
 *
 * @example
 * ```ts
 * const head: ResponseHeadInit = { status: 200, headers: { 'Content-Type': 'text/plain' } };
 * ```
 */
export interface ResponseHeadInit {
  readonly status: number;
  readonly reason?: string;
  readonly version?: HttpVersion;
  readonly headers?: HttpHeadersInit;
}

/**
 * How a message's body is delimited (RFC 9112 §6): no body; `length` bytes (Content-Length);
 * chunked (Transfer-Encoding: chunked, possibly with trailers); or everything until the
 * connection closes (responses only, when neither is given).
 *
 * @example
 * ```ts
 * const framing: BodyFraming = { kind: 'length', length: 11 };
 * ```
 */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'until-close' };

/**
 * A message head has been parsed. `keepAlive` says whether the connection may carry another
 * message after this one (RFC 9112 §9.3: HTTP/1.1 unless `Connection: close`; HTTP/1.0 only
 * with `Connection: keep-alive`; never for an `until-close` body). `expectContinue` says an
 * HTTP/1.1 request with a body sent `Expect: 100-continue`: answer 100 (or a final status) before
 * its body comes. `upgrade` says the connection will leave HTTP after this message: a request
 * with `Connection: upgrade` and an `Upgrade` header, or CONNECT; a 101 response, or a 2xx
 * answer to CONNECT. `interim` marks a 1xx response other than 101 (responses only): no body and
 * no `end` follow it, the final response does.
 */
export interface HeadEvent<H> {
  readonly type: 'head';
  readonly head: H;
  readonly framing: BodyFraming;
  readonly keepAlive: boolean;
  readonly expectContinue: boolean;
  readonly upgrade?: boolean;
  readonly interim?: boolean;
}

/**
 * Some of the body: a view of the bytes pushed (no copy) when they came whole in one chunk. Copy
 * it before reusing that chunk's memory.
 */
export interface BodyEvent {
  readonly type: 'body';
  readonly data: Uint8Array;
}

/** The message is complete; `trailers` holds a chunked body's trailer fields, if it had any. */
export interface EndEvent {
  readonly type: 'end';
  readonly trailers?: HttpHeaders;
}

/**
 * What a parser emits, per message: one `head`, any number of `body`, one `end` (an interim
 * response has its `head` only).
 *
 * @example
 * ```ts
 * for (const event of parser.push(chunk)) {
 *   if (event.type === 'head') console.log(event.head, event.framing);
 *   else if (event.type === 'body') sink.write(event.data);
 *   else sink.end();
 * }
 * ```
 */
export type ParseEvent<H> = HeadEvent<H> | BodyEvent | EndEvent;

/**
 * The limits every parser enforces; the request line's and status line's own are in their
 * parser's options. Each must be a non-negative integer (`maxBodyBytes` may be `Infinity`).
 */
export interface HttpParserLimits {
  /**
   * The largest header section, in bytes: every field line with its CRLF, and the empty line
   * ending the section. The same limit applies to a chunked body's trailer section. Default
   * 16384; past it, HttpParseError 431.
   */
  readonly maxHeaderBytes?: number;
  /** The most fields in a header (or trailer) section. Default 100; past it, HttpParseError 431. */
  readonly maxHeaders?: number;
  /**
   * The largest body, in bytes, whatever its framing. Default `Infinity`: bodies are streamed
   * and never held, so a server sets the limit its handlers need. Past it, HttpParseError 413:
   * from the head for a Content-Length over the limit, from the chunk size line that crosses it.
   */
  readonly maxBodyBytes?: number;
  /**
   * The longest chunk size line (the size and any extensions, CRLF not counted). Default 4096;
   * past it, HttpParseError 400.
   */
  readonly maxChunkLine?: number;
}
