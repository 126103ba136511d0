/**
 * `spindle/protocols/web`: Twisted's `twisted.web` on `spindle/protocols/http`. A resource tree
 * (`Resource`, `resource`, `resourceHandler`: children by path segment, a handler per method with
 * 405, `Allow`, `OPTIONS` and `HEAD` answered, leaves that take the rest of the path), a `router`
 * with path patterns for those who prefer Express's style, `redirect`, cookies (RFC 6265),
 * `staticFiles` (a folder confined to its root, with ETags, ranges and compression), and the
 * framework adapters: `fetchHandler` (Hono and other fetch-standard apps) and `nodeHandler`
 * (Express and other Node request listeners). Every one of them is an `HttpHandler`, so they nest: a router, a redirect or any handler can be
 * a resource's child, and a tree can sit under a router's `*`. Handlers read where they are
 * through the `WebRequest` view (`prepath`, `postpath`, `params`).
 *
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { httpServer, respond } from 'spindle/protocols/http';
 * import { redirect, resource, router } from 'spindle/protocols/web';
 *
 * const api = router()
 *   .get('/users/:id', (request) => respond(200, `user ${request.params.id}\n`))
 *   .post('/users', async (request) => respond(201, await request.text()));
 * const site = resource({
 *   GET: () => respond(200, 'home\n'),
 *   children: { api, old: redirect('/', 301) },
 * });
 * listen('tcp:8080', httpServer(site));
 * ```
 * @module
 */
export {
  type Cookie,
  type CookieAttributes,
  parseCookies,
  requestCookies,
  serializeCookie,
  withCookies,
} from './cookies.js';
export {
  type FetchContext,
  type FetchHandler,
  type FetchHandlerOptions,
  fetchHandler,
} from './fetch-handler.js';
export { type NodeHandlerOptions, type NodeListener, nodeHandler } from './node-handler.js';
export { type RedirectStatus, redirect, redirectTo } from './redirect.js';
export { Resource, type ResourceChild, type ResourceOptions, resource, resourceHandler } from './resource.js';
export { type ReverseProxyOptions, reverseProxy } from './reverse-proxy.js';
export { type Router, router } from './router.js';
export { FileChangedError, type StaticFilesOptions, staticFiles } from './static-files.js';
export type { WebHandler, WebRequest } from './web-request.js';
