/**
 * `fetchHandler`: a fetch-standard handler (`(request: Request) => Response`, what Hono and other
 * modern frameworks export) as an `HttpHandler`, its request and response bodies streamed both
 * ways with backpressure.
 *
 * @module
 */
import type { Address } from '../../source/address.js';
import { isPromiseLike } from '../../source/deferred.js';
import type { HttpRequest, RequestBody } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import type { HttpHandler } from '../http/server.js';
import { basePathOf, notMounted, pathUnder } from './_mount-path.js';
import { hasBytes, requestFraming } from './_request-framing.js';

/**
 * What a fetch handler gets besides the `Request`: the request as the Spindle server took it
 * (its peer, whether it came over TLS). Hono hands it to routes as `c.env`.
 *
 * @example
 * ```ts
 * app.get('/ip', (c) => c.text(formatAddress(c.env.remoteAddress)));
 * ```
 */
export interface FetchContext {
  /** The client's address. */
  readonly remoteAddress: Address;
  /** Whether the request came over TLS. */
  readonly secure: boolean;
  /** The request as the server parsed it (its target and headers as sent; its body is the `Request`'s). */
  readonly incoming: HttpRequest;
}

/**
 * A fetch-standard handler: Hono's `app.fetch`, and what other modern frameworks export.
 *
 * @example
 * ```ts
 * const handler: FetchHandler = (request) => Response.json({ url: request.url });
 * ```
 */
export type FetchHandler = (request: Request, context: FetchContext) => Response | PromiseLike<Response>;

/**
 * Options of `fetchHandler`.
 *
 * @example
 * ```ts
 * fetchHandler(app.fetch, { basePath: '/api' });
 * ```
 */
export interface FetchHandlerOptions {
  /**
   * Where the app is mounted: the `Request`'s URL has this prefix taken off its path (`/api/users`
   * arrives as `/users`, `/api` as `/`), and a request outside it is answered 404 without calling
   * the handler. Matched as sent (percent escapes not decoded), on whole segments. Default none:
   * the URL as the client sent it.
   */
  readonly basePath?: string;
}

/** Where the `Response`'s body stands: not taken yet, read, read to its end, or given up. */
type WebBodyState = 'unread' | 'reading' | 'ended' | 'dropped';

/**
 * A `Response` body (a `ReadableStream`) as the server's response body: an async iterable read
 * as fast as the connection takes it. Ending it early (the client went away, the exchange was
 * given up, a HEAD response was sent without it) cancels the stream at once, even while a read
 * waits, and aborts the `Request`'s signal.
 */
class WebResponseBody implements AsyncIterable<Uint8Array> {
  private _state: WebBodyState = 'unread';
  private _reader: ReadableStreamDefaultReader<Uint8Array> | undefined = undefined;

  constructor(
    private readonly _stream: ReadableStream<Uint8Array>,
    private readonly _signal: AbortController,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this._state !== 'unread') throw new TypeError('a response body is read once');
    this._state = 'reading';
    const reader = this._stream.getReader();
    this._reader = reader;
    return {
      next: async () => {
        const step = await reader.read();
        if (!step.done) return step;
        if (this._state === 'reading') this._state = 'ended';
        return { done: true, value: undefined };
      },
      return: async () => {
        this.destroy();
        return { done: true, value: undefined };
      },
    };
  }

  /** Gives the body up (the server's `disposeBody`): cancels the stream, aborts the request's signal. */
  destroy(): void {
    if (this._state === 'ended' || this._state === 'dropped') return;
    this._state = 'dropped';
    this._signal.abort();
    (this._reader ?? this._stream).cancel().then(undefined, () => undefined); // its own cleanup failing changes nothing
  }
}

/**
 * The request body as a `ReadableStream`, pulled from `body` one chunk per read (nothing is read
 * before the app reads, so a client waiting for `100 Continue` gets it only then). A body that
 * fails (the client went away, or stalled past the server's body timeout) errors the stream and
 * aborts the signal; cancelling the stream abandons the rest of the body.
 */
function requestStream(body: RequestBody, signal: AbortController): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= body[Symbol.asyncIterator]();
        let step: IteratorResult<Uint8Array>;
        try {
          step = await iterator.next();
        } catch (error) {
          signal.abort();
          throw error;
        }
        if (step.done === true) controller.close();
        else controller.enqueue(step.value);
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** The fetch `Request` for `request`, at `url`, with every header field, its body streamed, and `signal`. */
function webRequest(request: HttpRequest, url: string, signal: AbortController): Request {
  const headers = new Headers();
  for (const [name, value] of request.headers) headers.append(name, value);
  const method = request.method;
  const body =
    method !== 'GET' && method !== 'HEAD' && hasBytes(requestFraming(request))
      ? requestStream(request.body, signal)
      : null;
  return new Request(url, { method, headers, body, duplex: 'half', signal: signal.signal });
}

/** Whether `value` looks like a fetch `Response` (from this realm's fetch, undici's or a polyfill). */
function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  const response = value as Partial<Response> | null;
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof response.status === 'number' &&
    typeof response.headers?.getSetCookie === 'function' &&
    'body' in response
  );
}

/** The server's response for the fetch `Response`: its status, every header (each Set-Cookie alone), its body streamed. */
function httpResponse(response: Response, signal: AbortController): HttpResponse {
  const headers: [string, string][] = [];
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers.push([name, value]);
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  const stream = response.body;
  return {
    status: response.status,
    reason: response.statusText === '' ? undefined : response.statusText,
    headers,
    body: stream === null ? undefined : new WebResponseBody(stream, signal),
  };
}

/**
 * Serves a fetch-standard handler (Hono's `app.fetch`, and what other modern frameworks export)
 * as an `HttpHandler`: mount it anywhere a handler goes (`httpServer`, a resource tree).
 *
 * Each request becomes a `Request`: the URL (`request.url`, with `basePath` taken off), the
 * method, every header field (repeated ones appended), and, when it has one, the body as a
 * `ReadableStream` pulled from the connection as the app reads it (`duplex: 'half'`; GET and
 * HEAD never have one); the handler's second argument is a `FetchContext` (the peer, TLS). The
 * `Response` goes back with its status, reason and every header (each `Set-Cookie` a field of
 * its own, through `getSetCookie()`), its body streamed as the connection takes it: a slow
 * client slows the stream's reads, never grows memory. The head goes out with the body's first
 * chunk (the server's rule for streamed bodies, so that a stream failing at once is still a
 * 500); without a `Content-Length` header the body goes chunked (to HTTP/1.0: until close).
 *
 * The `Request`'s `signal` aborts when the client goes away while the request body is arriving
 * or the response body is streaming (its stream is cancelled too, so Hono's `stream.onAbort`
 * runs), and when the body is not wanted (a HEAD response, a failed exchange). "Goes away" is
 * what the server sees: a reset, a failed write, a body cut short (a FIN alone is a half-close,
 * which the server honours: it is noticed at the next write). A client that leaves while the
 * handler has not answered yet, and the body is in, is not noticed: the answer is dropped when
 * it comes.
 *
 * A handler that throws, rejects or answers something other than a `Response` makes the server
 * answer 500 and log it (`spindle.http.server`), as any `HttpHandler` failure; a body stream that
 * errors before its first chunk does the same, after it the connection is aborted (the client
 * sees a cut response).
 *
 * ```text
 * client:   POST /notes {json} ─────────────────────────
 * handler:          Request ──► app.fetch ──► Response
 * client:   ◄── 201 {json} (streamed as the app's body stream yields)
 * ```
 *
 * @throws TypeError (at once) for a `basePath` that is not a path.
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { listen } from 'spindle';
 * import { httpServer } from 'spindle/protocols/http';
 * import { fetchHandler } from 'spindle/protocols/web';
 *
 * const app = new Hono();
 * app.get('/hello', (c) => c.json({ hello: 'world' }));
 * listen('tcp:8080', httpServer(fetchHandler(app.fetch)));
 * ```
 */
export function fetchHandler(handler: FetchHandler, options: FetchHandlerOptions = {}): HttpHandler {
  const basePath = basePathOf(options.basePath);
  return (request) => {
    let url = request.url.href;
    if (basePath !== '') {
      const path = pathUnder(request.path, basePath);
      if (path === undefined) return notMounted;
      const mounted = new URL(url);
      mounted.pathname = path;
      url = mounted.href;
    }
    const signal = new AbortController();
    const failed = (error: unknown): never => {
      signal.abort();
      throw error;
    };
    const answered = (value: unknown): HttpResponse =>
      isResponse(value)
        ? httpResponse(value, signal)
        : failed(
            new TypeError(
              `the fetch handler answered ${Object.prototype.toString.call(value)}, not a Response`,
            ),
          );
    const context: FetchContext = {
      remoteAddress: request.remoteAddress,
      secure: request.secure,
      incoming: request,
    };
    let answer: unknown;
    try {
      answer = handler(webRequest(request, url, signal), context);
    } catch (error) {
      failed(error);
    }
    return isPromiseLike(answer) ? Promise.resolve(answer).then(answered, failed) : answered(answer);
  };
}
