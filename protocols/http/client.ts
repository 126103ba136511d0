/**
 * The HTTP/1.1 client: `Agent` (Twisted's `Agent`, with its `HTTPConnectionPool`,
 * `RedirectAgent` and `ContentDecoderAgent` folded in as options) and `request`, on a default
 * agent. Requests fire with a `ClientResponse` at its head; its body streams after.
 *
 * @module
 */
import type { OutgoingBody } from '../../source/body-writer.js';
import type { TLSOptions } from '../../source/connection.js';
import { ConnectionPool } from '../../source/connection-pool.js';
import { type Deferred, fail } from '../../source/deferred.js';
import type { ClientEndpoint } from '../../source/endpoint-description.js';
import { connect } from '../../source/endpoints.js';
import { reactor as defaultReactor, type ReactorLike } from '../../source/reactor.js';
import { ClientCall } from './_client-call.js';
import { prepareBody } from './_prepared-body.js';
import type { ClientResponse } from './client-response.js';
import { HttpHeaders, type HttpHeadersInit } from './headers.js';
import type { ResponseHead } from './message.js';
import type { ResponseParserOptions } from './parse-response.js';

/**
 * A request body: bytes, a string (sent as UTF-8), or a stream of either, as an Observable or an
 * async iterable (a Node `Readable` is one). Bytes and strings go out with a `Content-Length`
 * and can be sent again (on a retry or a 307/308 redirect); a stream goes out once, chunked (or
 * with the `Content-Length` given in the headers).
 *
 * @example
 * ```ts
 * const body: RequestBodyInit = createReadStream('upload.bin'); // sent with Transfer-Encoding: chunked
 * ```
 */
export type RequestBodyInit = OutgoingBody;

/**
 * Options of `Agent`. Times are in seconds, on the reactor's clock.
 *
 * @example
 * ```ts
 * const agent = new Agent({ maxConnectionsPerOrigin: 2, followRedirects: 5, tls: { ca: readFileSync('ca.pem') } });
 * ```
 */
export interface AgentOptions {
  /** The reactor to connect and time on. Default the process-wide `reactor`. */
  reactor?: ReactorLike;
  /** Connections open to one origin at most; more requests wait in turn. Default 6. */
  maxConnectionsPerOrigin?: number;
  /** Idle keep-alive connections kept per origin. Default `maxConnectionsPerOrigin`. */
  maxIdlePerOrigin?: number;
  /** Seconds an idle keep-alive connection is kept. Default 4. */
  idleTimeout?: number;
  /**
   * TLS settings for `https:` (`ca` to trust a private CA, `cert`/`key` for a client
   * certificate …). The server's certificate and name are always verified unless
   * `rejectUnauthorized: false` is given here. Default: the system's roots.
   */
  tls?: TLSOptions;
  /** Redirects (301, 302, 303, 307, 308) to follow per request. Default 0: responses are returned as they are. */
  followRedirects?: number;
  /** Ask for and decode gzip, deflate and br bodies. Default true. */
  decompress?: boolean;
  /** Seconds a request may take in all, body included. Default none. */
  timeout?: number;
  /** Seconds from the end of sending a request to its response head. Default 60. */
  headTimeout?: number;
  /** Seconds to wait for `100 Continue` before sending the body anyway. Default 1. */
  expectContinueTimeout?: number;
  /** Bytes of a response body held unread before the connection is paused. Default 64 KiB. */
  highWaterMark?: number;
  /** Limits on the responses parsed (header section size and count, body size …). */
  parser?: ResponseParserOptions;
}

/**
 * Options of one request; those also in `AgentOptions` override the agent's.
 *
 * @example
 * ```ts
 * agent.request('PUT', url, { body: bytes, headers: { 'Content-Type': 'image/png' }, expectContinue: true, timeout: 60 });
 * ```
 */
export interface RequestOptions {
  /**
   * Request headers. `Host` defaults to the URL's; `Transfer-Encoding` and `Expect` are the
   * client's to set, from `body` and `expectContinue`, and so is `Content-Length`, except that
   * one given with a stream body sends the stream with that length rather than chunked (the
   * stream must then produce exactly that many bytes, or the request fails).
   */
  headers?: HttpHeadersInit;
  body?: RequestBodyInit;
  /** Seconds the request may take in all, body included. */
  timeout?: number;
  /** Seconds from the end of sending the request to the response head. */
  headTimeout?: number;
  /** Aborts the request, or the body streaming in: the connection is closed, with `CancelledError`. */
  signal?: AbortSignal;
  /** Send `Expect: 100-continue` and the body only once the server says so. Default false. */
  expectContinue?: boolean;
  /** Redirects to follow. */
  followRedirects?: number;
  /** Ask for and decode gzip, deflate and br bodies (a proxy passes them on as they are). */
  decompress?: boolean;
  /**
   * Called with each informational (1xx) response that comes before the final one: `103 Early
   * Hints` (its `Link` fields), `100 Continue`, `102 Processing`. A 101 is a final response. A
   * throw fails the request with that error. Default: informational responses are dropped.
   *
   * @example
   * ```ts
   * agent.request('GET', url, { onInformational: (head) => head.status === 103 && preload(head.headers.getAll('link')) });
   * ```
   */
  onInformational?: (head: ResponseHead) => void;
}

/**
 * An HTTP/1.1 client (Twisted's `Agent`). `request` fires with the response once its head has
 * arrived. Connections are kept alive and reused per origin (scheme, host, port), at most
 * `maxConnectionsPerOrigin` at a time; a request that finds a kept connection closed by the
 * server is retried once on a new one when that is safe (an idempotent method, a replayable
 * body). `https:` goes over TLS, verifying the server's certificate. gzip, deflate and br bodies
 * are decoded as they stream; redirects are followed when asked, as browsers follow them.
 *
 * Cancelling the request's Deferred (until the head is in), aborting its `signal` or passing its
 * `timeout` (until the body is in) aborts it: the connection is closed, not reused, and the
 * Deferred, or the body once the head is in, fails with `CancelledError` or `TimeoutError`.
 *
 * ```text
 * request('GET', url) ──▶ pool: idle connection, new one, or wait ──▶ head ──▶ ClientResponse
 *                                                                    body ──▶ connection back to the pool
 * ```
 *
 * @example
 * ```ts
 * const agent = new Agent({ followRedirects: 5, timeout: 30 });
 * const response = await agent.request('POST', 'https://example.com/notes', {
 *   headers: { 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ text: 'hello' }),
 * });
 * console.log(response.status, await response.json());
 * await agent.closeCachedConnections();
 * ```
 */
export class Agent {
  /** The agent's keep-alive connections. */
  readonly pool: ConnectionPool;
  private readonly _reactor: ReactorLike;
  private readonly _options: AgentOptions;

  constructor(options: AgentOptions = {}) {
    this._options = options;
    const reactor = options.reactor ?? defaultReactor;
    this._reactor = reactor;
    const tls = options.tls ?? {};
    this.pool = new ConnectionPool({
      open: (origin) => connect(endpointOf(origin, tls), { reactor }),
      clock: reactor,
      maxConnectionsPerOrigin: options.maxConnectionsPerOrigin,
      maxIdlePerOrigin: options.maxIdlePerOrigin,
      idleTimeout: options.idleTimeout,
    });
  }

  /**
   * Makes a request; fires with the response at its head. Errbacks with the connection's error
   * (`ConnectionRefusedError`, `DNSLookupError` …), `ConnectionLost` when the server closed the
   * connection before the response was whole, `HttpParseError` for a malformed response,
   * `TimeoutError`, `CancelledError`, `TooManyRedirectsError`, or a TypeError for a URL that is
   * not `http:` or `https:` or a header that is not valid HTTP.
   *
   * @example
   * ```ts
   * const response = await agent.request('GET', 'http://127.0.0.1:8080/', { signal: AbortSignal.timeout(5000) });
   * const text = await response.text();
   * ```
   */
  request(method: string, url: string | URL, options: RequestOptions = {}): Deferred<ClientResponse> {
    let call: ClientCall;
    try {
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw new TypeError(`cannot request ${target.protocol} URLs, only http: and https:`);
      }
      target.hash = '';
      const agent = this._options;
      call = new ClientCall(
        { method, url: target, headers: new HttpHeaders(options.headers), body: prepareBody(options.body) },
        {
          pool: this.pool,
          clock: this._reactor,
          followRedirects: options.followRedirects ?? agent.followRedirects ?? 0,
          decompress: options.decompress ?? agent.decompress ?? true,
          expectContinue: options.expectContinue ?? false,
          expectContinueTimeout: agent.expectContinueTimeout ?? 1,
          timeout: options.timeout ?? agent.timeout,
          headTimeout: options.headTimeout ?? agent.headTimeout ?? 60,
          highWaterMark: agent.highWaterMark ?? 64 * 1024,
          parser: agent.parser ?? {},
          signal: options.signal,
          onInformational: options.onInformational,
        },
      );
    } catch (error) {
      return fail(error);
    }
    call.start();
    return call.response;
  }

  /**
   * Closes the idle keep-alive connections (Twisted's `closeCachedConnections`); fires once they
   * are closed. The agent stays usable.
   *
   * @example
   * ```ts
   * await agent.closeCachedConnections(); // let the program exit without waiting for idle timeouts
   * ```
   */
  closeCachedConnections(): Deferred<void> {
    return this.pool.closeCachedConnections();
  }
}

/** Where to connect for an origin (`https://[::1]:8443`): TCP, or TLS with the agent's settings. */
function endpointOf(origin: string, tls: TLSOptions): ClientEndpoint {
  const url = new URL(origin);
  const secure = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port !== '' ? Number(url.port) : secure ? 443 : 80;
  return secure ? { type: 'tls', host, port, tls } : { type: 'tcp', host, port };
}

let sharedAgent: Agent | undefined;

/**
 * Makes a request on a default `Agent` (made on first use, with the default options): see
 * `Agent.request`.
 *
 * @example
 * ```ts
 * const response = await request('GET', 'https://example.com/');
 * console.log(response.status, await response.text());
 * ```
 */
export function request(
  method: string,
  url: string | URL,
  options: RequestOptions = {},
): Deferred<ClientResponse> {
  sharedAgent ??= new Agent();
  return sharedAgent.request(method, url, options);
}
