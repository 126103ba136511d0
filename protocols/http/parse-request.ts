/**
 * `RequestParser`: the sans-I/O HTTP/1.1 request parser (RFC 9112), strict where leniency lets
 * requests be smuggled, tolerant where the RFC asks.
 *
 * @module
 */
import { adoptFields } from './_adopt-fields.js';
import { allIn, HOST, sameTokenAt } from './_chars.js';
import {
  CLOSE,
  connectionOptions,
  contentLength,
  finalCodingIsChunked,
  KEEP_ALIVE,
  UPGRADE,
} from './_framing.js';
import { limit, MessageParser } from './_message-parser.js';
import { targetProblem } from './_request-target.js';
import { HttpHeaders } from './headers.js';
import { HttpParseError } from './http-error.js';
import type { BodyFraming, HeadEvent, HttpParserLimits, ParseEvent, RequestHead } from './message.js';

/** Options of `RequestParser`: the limits of `HttpParserLimits`, and the request line's. */
export interface RequestParserOptions extends HttpParserLimits {
  /** The longest request line, in bytes, CRLF not counted. Default 8192; past it, HttpParseError 414. */
  readonly maxRequestLine?: number;
}

const NONE: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });

/**
 * Parses the requests a client sends on one connection into events: for each request a `head`,
 * its body as `body` events (views of the bytes pushed, never gathered), and an `end`.
 * Pipelined requests come out one after another, in order, however the bytes are split.
 *
 * What it accepts (RFC 9112, as nginx and llhttp do): empty lines before a request line;
 * Content-Length with leading zeros, or as a list of equal values; chunk extensions (skipped) and
 * trailers (parsed, on the `end` event); HTTP/1.2 to 1.9 as 1.1 (RFC 9110 §2.5). What it refuses,
 * with HttpParseError, at the first byte that proves the request bad: a request line other than
 * `method SP target SP HTTP/x.y CRLF`; bytes outside a token in the method or a field name, or
 * outside visible ASCII in the target; bare CR or LF anywhere, and CR, LF, NUL or other controls
 * in a field value; whitespace between a field name and its colon; obs-fold; an HTTP/1.1 request
 * without Host or with several; Content-Length other than digits, or differing values; both
 * Content-Length and Transfer-Encoding; a Transfer-Encoding whose final coding is not chunked (or,
 * in HTTP/1.0, any Transfer-Encoding); bad or overflowing chunk sizes; versions other than 1.x
 * (505); and everything past a limit (414, 431, 413). The events of the requests before the bad
 * one are already in the caller's array, so a server answers them, then 400, then closes.
 *
 * After a request with `keepAlive: false` ends, the rest of the input is ignored (RFC 9112 §9.6:
 * no further request is processed). After one with `upgrade: true` (`Connection: upgrade` with
 * `Upgrade`, or CONNECT) ends, the parser pauses: later bytes are held until the server either
 * switches protocols (`detach()` hands them over) or declines (`resume()` parses them as HTTP).
 *
 * ```text
 * push('GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST')  → [head GET /, end]
 * push(' /f HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi') → [head POST /f, body 'hi', end]
 * push('BAD\r\n')                                 → throws HttpParseError 400
 * ```
 *
 * @throws RangeError from the constructor, for a limit that is not a non-negative integer.
 * @example
 * ```ts
 * const parser = new RequestParser({ maxBodyBytes: 1 << 20 });
 * for (const event of parser.push(chunk)) {
 *   if (event.type === 'head') console.log(event.head.method, event.head.target, event.framing.kind);
 * }
 * ```
 */
export class RequestParser {
  readonly #parser: MessageParser<RequestHead>;

  constructor(options: RequestParserOptions = {}) {
    const maxRequestLine = limit('maxRequestLine', options.maxRequestLine, 8192);
    this.#parser = new MessageParser(true, maxRequestLine, options, requestEvent);
  }

  /**
   * Parses `chunk`, appending the events it completes to `events` (and returning it).
   *
   * @throws HttpParseError at the first byte that breaks the syntax or a limit; the events
   * before it are already in `events`. Every later `push` or `end` throws the same error.
   * @example
   * ```ts
   * const events: ParseEvent<RequestHead>[] = [];
   * try { parser.push(chunk, events); } catch (e) { answer(events); refuse(e as HttpParseError); }
   * ```
   */
  push(chunk: Uint8Array, events: ParseEvent<RequestHead>[] = []): ParseEvent<RequestHead>[] {
    this.#parser.push(chunk, events);
    return events;
  }

  /**
   * Says the input is over (the client closed its side). Fine between requests; the parser is
   * then ready for a new stream.
   *
   * @throws HttpTruncatedError when a request was cut short (in its head or body): its `end`
   * never came, so no handler takes the partial body for a whole one.
   * @example
   * ```ts
   * parser.push(Buffer.from('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab'));
   * parser.end(); // throws HttpTruncatedError: input ended 2 bytes into a 5-byte body
   * ```
   */
  end(events: ParseEvent<RequestHead>[] = []): ParseEvent<RequestHead>[] {
    this.#parser.end(events);
    return events;
  }

  /**
   * Whether the parser is holding input after a request that asked to upgrade the connection,
   * waiting for `detach()` or `resume()`.
   *
   * @example
   * ```ts
   * parser.push(Buffer.from('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n'));
   * parser.paused; // true
   * ```
   */
  get paused(): boolean {
    return this.#parser.paused;
  }

  /**
   * Whether part of a request head has arrived but not all of it: what a server times (slowloris).
   *
   * @example
   * ```ts
   * parser.push(Buffer.from('GET / HTTP/1.1\r\nHo'));
   * parser.readingHead; // true
   * ```
   */
  get readingHead(): boolean {
    return this.#parser.readingHead;
  }

  /**
   * The server switched protocols: returns the bytes received after the upgrading request (a
   * copy), and the parser takes no more input.
   *
   * @throws Error when the parser is not paused.
   * @example
   * ```ts
   * if (parser.paused) startWebSocket(connection, parser.detach());
   * ```
   */
  detach(): Uint8Array {
    return this.#parser.detach();
  }

  /**
   * The server declined the upgrade (answered without 101): parses the held bytes as HTTP again,
   * appending their events to `events`. Does nothing when the parser is not paused.
   *
   * @throws HttpParseError as `push` does.
   * @example
   * ```ts
   * const events = parser.resume();
   * ```
   */
  resume(events: ParseEvent<RequestHead>[] = []): ParseEvent<RequestHead>[] {
    this.#parser.resume(events);
    return events;
  }
}

/** The head event of a request, or HttpParseError for one that must be refused. */
function requestEvent(
  text: string,
  first: number,
  second: number,
  minor: number,
  _status: number,
  spans: number[],
): HeadEvent<RequestHead> {
  const method = methodOf(text, first);
  const target = text.slice(first + 1, second);
  const problem = targetProblem(method, target);
  if (problem !== undefined) throw new HttpParseError(400, problem);
  const version = minor === 0 ? '1.0' : '1.1';
  let hosts = 0;
  let lengths: string[] | undefined;
  let codings: string[] | undefined;
  let options = 0;
  let expect = false;
  let upgrade = false;
  for (let at = 0; at < spans.length; at += 4) {
    const start = spans[at]!;
    const end = spans[at + 1]!;
    switch (end - start) {
      case 4:
        if (sameTokenAt(text, start, end, 'host')) {
          if (++hosts > 1) throw new HttpParseError(400, 'more than one Host field');
          const host = text.slice(spans[at + 2], spans[at + 3]);
          if (!allIn(host, HOST)) throw new HttpParseError(400, `invalid Host ${JSON.stringify(host)}`);
        }
        break;
      case 6:
        if (sameTokenAt(text, start, end, 'expect')) {
          expect = sameTokenAt(text, spans[at + 2]!, spans[at + 3]!, '100-continue');
        }
        break;
      case 7:
        if (sameTokenAt(text, start, end, 'upgrade')) upgrade = spans[at + 3]! > spans[at + 2]!;
        break;
      case 10:
        if (sameTokenAt(text, start, end, 'connection')) {
          options |= connectionOptions(text.slice(spans[at + 2], spans[at + 3]));
        }
        break;
      case 14:
        if (sameTokenAt(text, start, end, 'content-length')) {
          lengths ??= [];
          lengths.push(text.slice(spans[at + 2], spans[at + 3]));
        }
        break;
      case 17:
        if (sameTokenAt(text, start, end, 'transfer-encoding')) {
          codings ??= [];
          codings.push(text.slice(spans[at + 2], spans[at + 3]));
        }
        break;
    }
  }
  if (hosts === 0 && version === '1.1')
    throw new HttpParseError(400, 'HTTP/1.1 request without a Host field');
  let framing = NONE;
  if (codings !== undefined) {
    if (lengths !== undefined) {
      throw new HttpParseError(
        400,
        'both Content-Length and Transfer-Encoding (a request smuggling attempt?)',
      );
    }
    if (version === '1.0') throw new HttpParseError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    finalCodingIsChunked(codings, true);
    framing = CHUNKED;
  } else if (lengths !== undefined) {
    framing = { kind: 'length', length: contentLength(lengths) };
  }
  const keepAlive = (options & CLOSE) === 0 && (version === '1.1' || (options & KEEP_ALIVE) !== 0);
  const hasBody = framing === CHUNKED || (framing.kind === 'length' && framing.length > 0);
  return {
    type: 'head',
    head: { method, target, version, headers: HttpHeaders[adoptFields](text, spans) },
    framing,
    keepAlive,
    expectContinue: expect && hasBody && version === '1.1',
    upgrade: method === 'CONNECT' || (upgrade && (options & UPGRADE) !== 0 && version === '1.1'),
  };
}

/** `text[0, end)`, the method: the common ones as constants, so comparing them is cheap. */
function methodOf(text: string, end: number): string {
  switch (end) {
    case 3:
      if (text.startsWith('GET')) return 'GET';
      if (text.startsWith('PUT')) return 'PUT';
      break;
    case 4:
      if (text.startsWith('POST')) return 'POST';
      if (text.startsWith('HEAD')) return 'HEAD';
      break;
  }
  return text.slice(0, end);
}
