/**
 * Where a redirect leads: the next request of an HTTP client that follows 301, 302, 303, 307 and
 * 308 responses the way browsers do (RFC 9110 §15.4, the Fetch standard).
 *
 * @module
 */
import type { PreparedBody } from './_prepared-body.js';
import { HttpHeaders } from './headers.js';

/**
 * A request to make: method, absolute URL, the caller's headers, and the body.
 *
 * @example
 * ```ts
 * const plan: RequestPlan = { method: 'GET', url: new URL('http://a.test/'), headers: new HttpHeaders(), body: { kind: 'none' } };
 * ```
 */
export interface RequestPlan {
  readonly method: string;
  readonly url: URL;
  readonly headers: HttpHeaders;
  readonly body: PreparedBody;
}

/** Statuses that redirect, with whether the method and body survive them. */
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Headers that describe a body: dropped with it. */
const bodyHeaders = [
  'Content-Type',
  'Content-Length',
  'Content-Encoding',
  'Content-Language',
  'Content-Location',
];

/** Headers that carry credentials or name the host: never sent on to another origin. */
const originHeaders = ['Authorization', 'Proxy-Authorization', 'Cookie', 'Host'];

/**
 * The request a redirect asks for, or `undefined` when `status` does not redirect, there is no
 * usable `Location`, or the request cannot be repeated (a 307/308 of a streamed body). 303 turns
 * any method but HEAD into a GET without a body, and so do 301 and 302 for a POST; 307 and 308
 * keep the method and the body. Credentials (`Authorization`, `Cookie`) do not follow a
 * redirect to another origin.
 *
 * @example
 * ```ts
 * redirectPlan(303, '/done', { method: 'POST', url, headers, body }); // a GET of /done, without the body
 * ```
 */
export function redirectPlan(
  status: number,
  location: string | undefined,
  current: RequestPlan,
): RequestPlan | undefined {
  if (!redirectStatuses.has(status) || location === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(location, current.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  const toGet = status === 303 ? current.method !== 'HEAD' : status <= 302 && current.method === 'POST';
  if (!toGet && current.body.kind === 'stream') return undefined;
  const headers = new HttpHeaders(current.headers);
  if (toGet) for (const name of bodyHeaders) headers.delete(name);
  if (url.origin !== current.url.origin) for (const name of originHeaders) headers.delete(name);
  return {
    method: toGet ? 'GET' : current.method,
    url,
    headers,
    body: toGet ? { kind: 'none' } : current.body,
  };
}
