/**
 * `redirect` and `redirectTo`: answers that send the client elsewhere (301, 302, 303, 307, 308),
 * with a `Location` resolved against the request and a small HTML page that links to it.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import type { HttpHandler } from '../http/server.js';
import { escapeHtml } from './_escape-html.js';

/**
 * The redirection statuses: 301 Moved Permanently and 302 Found (a browser may turn a POST into
 * a GET), 303 See Other (always a GET: after a form), 307 Temporary and 308 Permanent Redirect
 * (the method and body are kept).
 *
 * @example
 * ```ts
 * const afterPost: RedirectStatus = 303;
 * ```
 */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

const reasons: Readonly<Record<RedirectStatus, string>> = {
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};

function checkStatus(status: number): void {
  if (!Object.hasOwn(reasons, status)) {
    throw new RangeError(`a redirect's status is 301, 302, 303, 307 or 308, not ${status}`);
  }
}

/**
 * A redirect to `location` for `request` (Twisted's `redirectTo`). The location is resolved
 * against the request's URL (so `'../list'` from `/a/b/c` is `/a/list`) and percent-encoded where
 * it must be; it goes out as an absolute path when it stays on the request's origin (so the
 * `Host` the client sent, or a proxy's, is never written back), as an absolute URL otherwise,
 * and also when its path starts with `//`, which a client would read as another host. The body
 * is a short HTML page with the URL, escaped, linked only when it is `http:` or `https:` (never a
 * `javascript:` link).
 *
 * @throws TypeError when `location` is not a URL or a reference to one.
 * @throws RangeError for a status that is not a redirect's.
 * @example
 * ```ts
 * const save: WebHandler = async (request) => {
 *   await store(await request.json());
 *   return redirectTo(request, '/saved', 303);
 * };
 * ```
 */
export function redirectTo(
  request: HttpRequest,
  location: string,
  status: RedirectStatus = 302,
): HttpResponse {
  checkStatus(status);
  const base = request.url;
  const target = new URL(location, base);
  const onOrigin = target.origin === base.origin && !target.pathname.startsWith('//');
  const value = onOrigin ? `${target.pathname}${target.search}${target.hash}` : target.href;
  const text = escapeHtml(value);
  const link =
    target.protocol === 'http:' || target.protocol === 'https:' ? `<a href="${text}">${text}</a>` : text;
  return {
    status,
    headers: { Location: value, 'Content-Type': 'text/html; charset=utf-8' },
    body:
      `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${status} ${reasons[status]}</title></head>\n` +
      `<body><p>${reasons[status]}: ${link}</p></body></html>\n`,
  };
}

/**
 * A handler that redirects every request to `location` (Twisted's `Redirect`): see
 * `redirectTo`. Mounted in a resource tree, it answers the whole subtree below it.
 *
 * @throws TypeError when `location` is not a URL or a reference to one.
 * @throws RangeError for a status that is not a redirect's.
 * @example
 * ```ts
 * const site = resource({ children: { old: redirect('/new', 301), docs: redirect('https://docs.example.org/') } });
 * ```
 */
export function redirect(location: string, status: RedirectStatus = 302): HttpHandler {
  checkStatus(status);
  if (!URL.canParse(location, 'http://check.invalid/')) {
    throw new TypeError(
      `a redirect's location must be a URL or a reference to one: ${JSON.stringify(location)}`,
    );
  }
  return (request) => redirectTo(request, location, status);
}
