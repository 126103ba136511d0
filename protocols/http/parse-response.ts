/**
 * `ResponseParser`: the sans-I/O HTTP/1.1 response parser (RFC 9112) a client reads its answers
 * with.
 *
 * @module
 */
import { adoptFields } from './_adopt-fields.js';
import { sameTokenAt } from './_chars.js';
import { CLOSE, connectionOptions, contentLength, finalCodingIsChunked, KEEP_ALIVE } from './_framing.js';
import { limit, MessageParser } from './_message-parser.js';
import { HttpHeaders } from './headers.js';
import { HttpParseError } from './http-error.js';
import type { BodyFraming, HeadEvent, HttpParserLimits, ParseEvent, ResponseHead } from './message.js';

/** Options of `ResponseParser`: the limits of `HttpParserLimits`, and the status line's. */
export interface ResponseParserOptions extends HttpParserLimits {
  /** The longest status line, in bytes, CRLF not counted. Default 8192; past it, HttpParseError 400. */
  readonly maxStatusLine?: number;
}

const NONE: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });
const UNTIL_CLOSE: BodyFraming = Object.freeze({ kind: 'until-close' });

/**
 * Parses the responses a server sends on one connection into events: `head`, `body`…, `end` for
 * each, in order. A response's framing depends on the request it answers, so the client calls
 * `expect(method)` for each request it sends, in order, before its response is complete: the
 * answer to HEAD, and any 1xx, 204 or 304, has no body (RFC 9112 §6.3).
 *
 * An interim response (1xx other than 101, such as `100 Continue` or `103 Early Hints`) is a
 * `head` event with `interim: true` and nothing after it: the final response to the same request
 * follows. A 101, or a 2xx answer to CONNECT, is a final `head` with `upgrade: true` and an `end`;
 * the connection then leaves HTTP, and `detach()` hands over the bytes after it. A response with
 * neither Content-Length nor chunked Transfer-Encoding (or whose final coding is not chunked) is
 * `until-close`: its body ends when `end()` is called. Content-Length is read as strictly as in
 * requests, and a response with both Content-Length and Transfer-Encoding is refused.
 *
 * ```text
 * expect('GET'); expect('HEAD')
 * push('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi') → [head 200, body 'hi', end]
 * push('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n')   → [head 200, end]      (HEAD: no body)
 * ```
 *
 * @throws RangeError from the constructor, for a limit that is not a non-negative integer.
 * @example
 * ```ts
 * const parser = new ResponseParser();
 * parser.expect('GET');
 * for (const event of parser.push(chunk)) if (event.type === 'head') console.log(event.head.status);
 * ```
 */
export class ResponseParser {
  readonly #parser: MessageParser<ResponseHead>;
  readonly #methods: string[] = [];

  constructor(options: ResponseParserOptions = {}) {
    const maxStatusLine = limit('maxStatusLine', options.maxStatusLine, 8192);
    this.#parser = new MessageParser(
      false,
      maxStatusLine,
      options,
      (text, first, second, minor, status, fields) => this.#event(text, first, second, minor, status, fields),
    );
  }

  /**
   * Says a request with `method` was sent: the next response not yet matched answers it.
   *
   * @example
   * ```ts
   * parser.expect('HEAD'); // its response will have no body, whatever its Content-Length
   * ```
   */
  expect(method: string): void {
    this.#methods.push(method);
  }

  /**
   * Parses `chunk`, appending the events it completes to `events` (and returning it).
   *
   * @throws HttpParseError at the first byte that breaks the syntax or a limit, or for a response
   * no request was `expect`ed for; the events before it are already in `events`.
   * @example
   * ```ts
   * const events = parser.push(chunk);
   * ```
   */
  push(chunk: Uint8Array, events: ParseEvent<ResponseHead>[] = []): ParseEvent<ResponseHead>[] {
    this.#parser.push(chunk, events);
    return events;
  }

  /**
   * Says the input is over (the server closed): an `until-close` body ends here (its `end` event
   * is appended); between responses nothing happens. The parser is then ready for a new stream,
   * with no request expected.
   *
   * @throws HttpTruncatedError when a response was cut short (in its head, or before its
   * Content-Length or last chunk).
   * @example
   * ```ts
   * parser.end(); // [{ type: 'end' }] after an until-close body
   * ```
   */
  end(events: ParseEvent<ResponseHead>[] = []): ParseEvent<ResponseHead>[] {
    this.#methods.length = 0;
    this.#parser.end(events);
    return events;
  }

  /**
   * After a response with `upgrade: true`: the bytes the server sent after it (a copy), for the
   * protocol the connection switched to. The parser takes no more input.
   *
   * @throws Error when no response has upgraded the connection.
   * @example
   * ```ts
   * const early = parser.detach(); // WebSocket frames that came with the 101
   * ```
   */
  detach(): Uint8Array {
    return this.#parser.detach();
  }

  #event(
    text: string,
    first: number,
    second: number,
    minor: number,
    status: number,
    spans: number[],
  ): HeadEvent<ResponseHead> {
    if (this.#methods.length === 0)
      throw new HttpParseError(400, `a ${status} response came with no request sent`);
    const version = minor === 0 ? '1.0' : '1.1';
    const head = {
      version,
      status,
      reason: text.slice(first, second),
      headers: HttpHeaders[adoptFields](text, spans),
    } as const;
    if (status < 200 && status !== 101) {
      return {
        type: 'head',
        head,
        framing: NONE,
        keepAlive: true,
        expectContinue: false,
        upgrade: false,
        interim: true,
      };
    }
    const method = this.#methods.shift()!;
    let lengths: string[] | undefined;
    let codings: string[] | undefined;
    let options = 0;
    for (let at = 0; at < spans.length; at += 4) {
      const start = spans[at]!;
      const end = spans[at + 1]!;
      if (sameTokenAt(text, start, end, 'connection')) {
        options |= connectionOptions(text.slice(spans[at + 2], spans[at + 3]));
      } else if (sameTokenAt(text, start, end, 'content-length')) {
        lengths ??= [];
        lengths.push(text.slice(spans[at + 2], spans[at + 3]));
      } else if (sameTokenAt(text, start, end, 'transfer-encoding')) {
        codings ??= [];
        codings.push(text.slice(spans[at + 2], spans[at + 3]));
      }
    }
    const upgrade = status === 101 || (method === 'CONNECT' && status < 300);
    let framing = NONE;
    if (upgrade || method === 'HEAD' || status === 204 || status === 304) {
      framing = NONE;
    } else if (codings !== undefined) {
      if (lengths !== undefined)
        throw new HttpParseError(400, 'response with both Content-Length and Transfer-Encoding');
      if (version === '1.0') throw new HttpParseError(400, 'Transfer-Encoding in an HTTP/1.0 response');
      framing = finalCodingIsChunked(codings, false) ? CHUNKED : UNTIL_CLOSE;
    } else if (lengths !== undefined) {
      framing = { kind: 'length', length: contentLength(lengths) };
    } else {
      framing = UNTIL_CLOSE;
    }
    const keepAlive =
      framing !== UNTIL_CLOSE &&
      (options & CLOSE) === 0 &&
      (version === '1.1' || (options & KEEP_ALIVE) !== 0);
    return { type: 'head', head, framing, keepAlive, expectContinue: false, upgrade, interim: false };
  }
}
