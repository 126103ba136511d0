/**
 * The answers the resource tree and the router give on their own: 400, 404, 405 and the
 * automatic `OPTIONS`, and the `Allow` list they carry. Private to protocols/web.
 *
 * @module
 */
import type { HttpResponse } from '../http/response.js';

const plain = 'text/plain; charset=utf-8';

/**
 * A short text answer: `status`, `text` and a newline, as `text/plain`.
 *
 * @example
 * ```ts
 * plainAnswer(404, 'not found'); // { status: 404, headers: { 'Content-Type': … }, body: 'not found\n' }
 * ```
 */
export function plainAnswer(status: number, text: string): HttpResponse {
  return { status, headers: { 'Content-Type': plain }, body: `${text}\n` };
}

/**
 * The `Allow` value for `methods`, in their order, with `HEAD` after `GET` (a GET handler answers
 * HEAD too) and `OPTIONS` last (it is always answered), each once.
 *
 * @example
 * ```ts
 * allowOf(['POST', 'GET']); // 'POST, GET, HEAD, OPTIONS'
 * ```
 */
export function allowOf(methods: Iterable<string>): string {
  const listed = new Set<string>();
  for (const method of methods) {
    if (method === 'OPTIONS') continue;
    listed.add(method);
    if (method === 'GET') listed.add('HEAD');
  }
  listed.add('OPTIONS');
  return [...listed].join(', ');
}

/**
 * The answer to a method that is not among `allow`'s: 405 with `Allow` (RFC 9110 §15.5.6), or,
 * for `OPTIONS`, 204 with `Allow` (§9.3.7).
 *
 * @example
 * ```ts
 * unsupported('DELETE', 'GET, HEAD, OPTIONS'); // 405, Allow: GET, HEAD, OPTIONS
 * ```
 */
export function unsupported(method: string, allow: string): HttpResponse {
  if (method === 'OPTIONS') return { status: 204, headers: { Allow: allow } };
  return {
    status: 405,
    headers: { Allow: allow, 'Content-Type': plain },
    body: `method ${method} not allowed\n`,
  };
}
