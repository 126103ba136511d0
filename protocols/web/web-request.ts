/**
 * `WebRequest`: an `HttpRequest` as a resource, a route or a mounted handler sees it, with where
 * it sits in the path (Twisted's `prepath` and `postpath`) and the router's parameters.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';

/**
 * A request on its way down a resource tree or through a router. It is a view of the request the
 * server took, never a mutation of it: each resource, route or mounted handler that answers gets
 * its own view, and everything but `path` reads through to the original request (one body, one
 * reading of it).
 *
 * - `prepath`: the segments consumed to get here, percent-decoded (`['users', '7']`).
 * - `postpath`: the segments left for this handler, percent-decoded: what a leaf resource or a
 *   router's trailing `*` takes; empty for a resource reached exactly. A `%2F` stays inside its
 *   segment (`/a%2Fb` is the one segment `a/b`), so `postpath` keeps the boundaries the client
 *   sent; a trailing slash leaves a last segment `''`.
 * - `path`: the rest of the path below the mount point, as sent (still percent-encoded, without
 *   the query): `'/' + ` the raw `postpath` joined by `/`, or `/` when nothing is left, so a
 *   handler mounted at `/api` sees `/users/7` for `/api/users/7`, as an Express app mounted with
 *   `app.use('/api', …)` does. `target` and `url` stay the whole request's.
 * - `params`: the router's `:name` parameters, percent-decoded (those of routers it is nested in
 *   included); empty in a resource tree.
 *
 * @example
 * ```ts
 * const files = resource({
 *   leaf: true,
 *   GET: (request: WebRequest) => respond(200, `${request.prepath.join('/')} then ${request.postpath.join('|')}\n`),
 * });
 * ```
 */
export interface WebRequest extends HttpRequest {
  /** The rest of the path below the mount point, as sent (percent-encoded); `/` when nothing is left. */
  readonly path: string;
  /** The segments consumed to reach this handler, percent-decoded. */
  readonly prepath: readonly string[];
  /** The segments left to this handler, percent-decoded. */
  readonly postpath: readonly string[];
  /** The router's parameters, by name, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * What answers a method of a resource or a route: an `HttpHandler` that reads the `WebRequest`
 * view (`prepath`, `postpath`, `params`).
 *
 * @example
 * ```ts
 * const show: WebHandler = (request) => respond(200, `user ${request.params.id}\n`);
 * ```
 */
export type WebHandler = (request: WebRequest) => HttpResponse | PromiseLike<HttpResponse>;
