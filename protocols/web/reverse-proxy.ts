/**
 * `reverseProxy`: Twisted's `ReverseProxyResource`, as an `HttpHandler` that forwards the requests
 * under a path prefix to an upstream origin through the HTTP client's keep-alive pool, streaming
 * both bodies with backpressure.
 *
 * @module
 */
import { Agent } from '../../protocols/http/client.js';
import type { ClientResponse } from '../../protocols/http/client-response.js';
import { HttpHeaders } from '../../protocols/http/headers.js';
import type { HttpRequest } from '../../protocols/http/request.js';
import type { HttpResponse } from '../../protocols/http/response.js';
import type { HttpHandler } from '../../protocols/http/server.js';
import type { Address } from '../../source/address.js';
import { CancelledError, TimeoutError } from '../../source/errors.js';
import { Logger } from '../../source/log.js';

/**
 * Options of `reverseProxy`. Times are in seconds, on the agent's reactor clock.
 *
 * @example
 * ```ts
 * const options: ReverseProxyOptions = { prefix: '/api', timeout: 30, preserveHost: true };
 * ```
 */
export interface ReverseProxyOptions {
  /**
   * The path the proxy is mounted at, stripped before forwarding: with `prefix: '/api'` and the
   * upstream `http://127.0.0.1:8080/v1`, `/api/users?page=2` goes to `/v1/users?page=2`. It
   * starts with `/` and ends without one; a path outside it (`/apis`, `/other`) is answered 404
   * without asking the upstream. Paths are normalised first (`.` and `..` segments, their
   * percent-encoded forms), so none escapes the prefix or the upstream's base path. Default `''`:
   * every path is forwarded.
   */
  prefix?: string;
  /**
   * The client the requests go through. Default: an `Agent` of the proxy's own on the process's
   * reactor, up to 32 connections to the upstream. Bodies go through undecoded whatever the
   * agent's `decompress`, and no redirect is followed.
   */
  agent?: Agent;
  /** Send the client's `Host` to the upstream rather than the upstream's own. Default false. */
  preserveHost?: boolean;
  /**
   * Seconds the upstream may take, once the request is sent, to answer with its response head;
   * past it, 504 Gateway Timeout. Default 60.
   */
  timeout?: number;
}

/** Fields about one connection, never forwarded (RFC 9110 §7.6.1), besides those `Connection` names. */
const hopByHop = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Fields the proxy sets itself, from the client's connection. */
const proxySet = new Set(['x-forwarded-proto', 'x-forwarded-host']);

/** Trailer fields never passed on: framing, and what a trailer section may not carry. */
const notTrailers = new Set(['content-length', 'content-type', 'content-encoding', 'content-range', 'host']);

const log = new Logger('spindle.web.reverse-proxy');

/** A token (RFC 9110 §5.6.2), which a `Forwarded` value may be without quotes. */
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `fields` without the hop-by-hop ones: those named in `Connection`, `Keep-Alive`, `Proxy-*`,
 * `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`, and `also`.
 */
function endToEnd(fields: HttpHeaders, also: ReadonlySet<string> = new Set()): HttpHeaders {
  const named = new Set<string>();
  for (const value of fields.getAll('connection')) {
    for (const option of value.split(',')) named.add(option.trim().toLowerCase());
  }
  const kept = new HttpHeaders();
  for (const [name, value] of fields.raw()) {
    const lower = name.toLowerCase();
    if (hopByHop.has(lower) || named.has(lower) || lower.startsWith('proxy-') || also.has(lower)) continue;
    kept.append(name, value);
  }
  return kept;
}

/** A `Forwarded` parameter value: the token itself, or a quoted string. */
function forwardedValue(value: string): string {
  return token.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The client's address as `X-Forwarded-For` and `Forwarded: for=` give it (RFC 7239 §6). */
function clientNode(address: Address): { plain: string; forwarded: string } {
  if (address.type === 'tcp' || address.type === 'udp') {
    const host = address.host;
    return address.family === 'IPv6'
      ? { plain: host, forwarded: `"[${host}]"` }
      : { plain: host, forwarded: host };
  }
  return { plain: 'unknown', forwarded: 'unknown' };
}

/** The upstream's answer to a failure: 504 for a timeout, 502 for the rest. */
function failureResponse(error: unknown): HttpResponse {
  const timedOut = error instanceof TimeoutError;
  const status = timedOut ? 504 : 502;
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    body: timedOut ? '504 Gateway Timeout\n' : '502 Bad Gateway\n',
  };
}

/**
 * Forwards requests to `upstream` (an origin, with an optional base path: `http://127.0.0.1:8080`,
 * `https://backend.internal/v1`), as Twisted's `ReverseProxyResource` and nginx's `proxy_pass`
 * do. The path after `prefix` is appended to the upstream's base path, the query kept.
 *
 * On the way up: the hop-by-hop fields are removed (`Connection` and those it names,
 * `Keep-Alive`, `Proxy-*`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`); `Host` becomes the
 * upstream's unless `preserveHost`; the client's address is appended to `X-Forwarded-For` and a
 * `Forwarded` element (RFC 7239: `for`, `host`, `proto`) to `Forwarded`, and `X-Forwarded-Proto`
 * and `X-Forwarded-Host` are set. The request body streams to the upstream as it arrives, with
 * its `Content-Length` when it has one (chunked otherwise). On the way down: the status, its
 * reason and the end-to-end fields, the body streamed as the upstream sends it (compressed
 * bodies stay compressed), the trailers after a chunked body, and each informational response
 * (`103 Early Hints`, `102 Processing`) as it comes, before the final one.
 *
 * Backpressure runs both ways: a slow client pauses the upstream connection, a slow upstream
 * pauses the client's. A client that goes away cancels the upstream request (its connection is
 * closed, not reused). An upstream that cannot be reached, resets or answers with something
 * that is not HTTP gets 502 Bad Gateway; one that does not answer within `timeout`, 504 Gateway
 * Timeout; either is logged (namespace `spindle.web.reverse-proxy`, level `info`). An upstream
 * failing in the middle of a body cuts the client's response short (its connection is dropped),
 * as the status is out already.
 *
 * ```text
 * client ──GET /api/users──▶ proxy (prefix /api) ──GET /v1/users──▶ upstream http://127.0.0.1:8080/v1
 *        ◀──103, 200, body, trailers─────────────◀──────────────────
 * ```
 *
 * @throws TypeError for an upstream that is not an `http:` or `https:` URL, or a prefix that
 * does not start with `/` or ends with one.
 * @example
 * ```ts
 * const api = reverseProxy('http://127.0.0.1:8080', { prefix: '/api', timeout: 30 });
 * listen('tcp:8000', httpServer((request) => (request.path.startsWith('/api/') ? api(request) : site(request))));
 * ```
 */
export function reverseProxy(upstream: string | URL, options: ReverseProxyOptions = {}): HttpHandler {
  const base = new URL(upstream);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`cannot proxy to ${base.protocol} URLs, only http: and https:`);
  }
  const prefix = options.prefix ?? '';
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw new TypeError(`a prefix starts with / and does not end with one, not ${JSON.stringify(prefix)}`);
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const origin = base.origin;
  const agent = options.agent ?? new Agent({ maxConnectionsPerOrigin: 32 });
  const timeout = options.timeout ?? 60;
  const preserveHost = options.preserveHost ?? false;

  return async (request: HttpRequest): Promise<HttpResponse> => {
    const target = request.target;
    if (!target.startsWith('/')) return { status: 404, body: 'not found\n' };
    const normal = new URL(target, 'http://proxy.invalid');
    const path = normal.pathname;
    if (!(path === prefix || path.startsWith(`${prefix}/`))) return { status: 404, body: 'not found\n' };
    const rest = path.slice(prefix.length);
    const url = `${origin}${basePath}${rest === '' ? '/' : rest}${normal.search}`;

    const headers = endToEnd(request.headers, proxySet);
    const clientHost = request.headers.get('host');
    if (!preserveHost) headers.delete('host');
    const proto = request.secure ? 'https' : 'http';
    const client = clientNode(request.remoteAddress);
    const forwardedFor = headers.get('x-forwarded-for');
    headers.set(
      'X-Forwarded-For',
      forwardedFor === undefined ? client.plain : `${forwardedFor}, ${client.plain}`,
    );
    headers.set('X-Forwarded-Proto', proto);
    if (clientHost !== undefined) headers.set('X-Forwarded-Host', clientHost);
    const element = [`for=${client.forwarded}`];
    if (clientHost !== undefined) element.push(`host=${forwardedValue(clientHost)}`);
    element.push(`proto=${proto}`);
    headers.append('Forwarded', element.join(';'));

    const sendsBody = request.headers.has('content-length') || request.headers.has('transfer-encoding');
    let response: ClientResponse;
    try {
      response = await agent.request(request.method, url, {
        headers,
        body: sendsBody ? request.body : undefined,
        headTimeout: timeout,
        followRedirects: 0,
        decompress: false,
        signal: request.signal,
        onInformational: (head) => {
          if (head.status !== 100) request.sendInformational(head.status, endToEnd(head.headers));
        },
      });
    } catch (error) {
      if (!(error instanceof CancelledError)) {
        log.info(`${request.method} ${url} failed: ${(error as Error).message}`, { error });
      }
      return failureResponse(error);
    }
    return {
      status: response.status,
      reason: response.reason,
      headers: endToEnd(response.headers),
      body: response.body,
      trailers: () => endToEnd(response.trailers, notTrailers),
    };
  };
}
