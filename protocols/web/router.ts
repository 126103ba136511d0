/**
 * `router`: routes by path pattern (`/users/:id`, `/files/*`) and method, as an `HttpHandler`,
 * for those who prefer Express's style to a resource tree.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import { allowOf, plainAnswer, unsupported } from './_answers.js';
import { positionOf, RoutedRequest } from './_routed-request.js';
import type { WebHandler } from './web-request.js';

/**
 * An `HttpHandler` that routes by method and path, with the methods that add routes (each
 * returns the router, so they chain). A pattern is a path whose segments are literal text,
 * `:name` (one non-empty segment, given in `params.name`) or, last, `*` (every segment left,
 * maybe none, given in `postpath`).
 *
 * @example
 * ```ts
 * const api = router()
 *   .get('/users', listUsers)
 *   .get('/users/:id', (request) => respond(200, `user ${request.params.id}\n`))
 *   .post('/users', createUser)
 *   .all('/static/*', files);
 * listen('tcp:8080', httpServer(api));
 * ```
 */
export interface Router {
  (request: HttpRequest): HttpResponse | PromiseLike<HttpResponse>;
  /**
   * Adds a route for `method` (case-sensitive: `PROPFIND`).
   *
   * @throws TypeError for a method that is not a token, or a bad pattern.
   */
  on(method: string, pattern: string, handler: WebHandler): Router;
  /** Adds a route for every method (it answers `OPTIONS` and `HEAD` itself, too). */
  all(pattern: string, handler: WebHandler): Router;
  /** Adds a `GET` route, which answers `HEAD` too (the server sends the head alone). */
  get(pattern: string, handler: WebHandler): Router;
  head(pattern: string, handler: WebHandler): Router;
  post(pattern: string, handler: WebHandler): Router;
  put(pattern: string, handler: WebHandler): Router;
  patch(pattern: string, handler: WebHandler): Router;
  delete(pattern: string, handler: WebHandler): Router;
  options(pattern: string, handler: WebHandler): Router;
}

/** What a pattern segment is, by rank: literal text beats a parameter, which beats the wildcard. */
enum Kind {
  Text = 0,
  Param = 1,
  Wildcard = 2,
}

interface Route {
  /** The method, or `undefined` for every method. */
  readonly method: string | undefined;
  readonly kinds: readonly Kind[];
  /** Per segment: its text (decoded) for `Kind.Text`, the parameter's name for `Kind.Param`. */
  readonly words: readonly string[];
  readonly wildcard: boolean;
  readonly handler: WebHandler;
}

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const namePattern = /^[A-Za-z_$][\w$]*$/;

function compile(method: string | undefined, pattern: string, handler: WebHandler): Route {
  if (method !== undefined && !tokenPattern.test(method)) {
    throw new TypeError(`a route's method must be a token, not ${JSON.stringify(method)}`);
  }
  if (pattern.charCodeAt(0) !== 0x2f /* / */) {
    throw new TypeError(`a route's pattern must start with '/': ${JSON.stringify(pattern)}`);
  }
  const parts = pattern.split('/').slice(1);
  if (parts[parts.length - 1] === '') parts.pop();
  const kinds: Kind[] = [];
  const words: string[] = [];
  const names = new Set<string>();
  for (const [at, part] of parts.entries()) {
    if (part === '*' && at === parts.length - 1) {
      kinds.push(Kind.Wildcard);
      words.push('*');
    } else if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!namePattern.test(name) || names.has(name)) {
        throw new TypeError(
          `bad or repeated parameter ${JSON.stringify(part)} in ${JSON.stringify(pattern)}`,
        );
      }
      names.add(name);
      kinds.push(Kind.Param);
      words.push(name);
    } else {
      if (part === '' || part === '*')
        throw new TypeError(`bad segment ${JSON.stringify(part)} in ${JSON.stringify(pattern)}`);
      kinds.push(Kind.Text);
      words.push(decodePart(part, pattern));
    }
  }
  return { method, kinds, words, wildcard: kinds[kinds.length - 1] === Kind.Wildcard, handler };
}

function decodePart(part: string, pattern: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new TypeError(`bad percent-encoding in ${JSON.stringify(pattern)}`);
  }
}

/** Whether `route` answers `method`: its own, any (`all`), or `HEAD` through a `GET` route. */
function accepts(route: Route, method: string): boolean {
  return (
    route.method === method || route.method === undefined || (method === 'HEAD' && route.method === 'GET')
  );
}

/**
 * Whether `route` should answer `method` rather than `best` (both matching one path): the more
 * specific, else the one for `method` itself (not for every method, not `GET` answering `HEAD`).
 */
function better(route: Route, best: Route, method: string): boolean {
  if (moreSpecific(route, best)) return true;
  if (moreSpecific(best, route)) return false;
  return route.method === method && best.method !== method;
}

/** Whether `a` is more specific than `b` (both matching one path): the first segment whose kind differs decides. */
function moreSpecific(a: Route, b: Route): boolean {
  const length = Math.max(a.kinds.length, b.kinds.length);
  for (let at = 0; at < length; at++) {
    const kindA = a.kinds[at];
    const kindB = b.kinds[at];
    if (kindA === kindB) continue;
    // One ended: the other goes on only with a wildcard that took nothing, so the shorter is exact.
    if (kindA === undefined) return true;
    if (kindB === undefined) return false;
    return kindA < kindB;
  }
  return false;
}

/** A route's match: how many segments it consumed, and its parameters (`undefined`: none). */
interface Match {
  readonly consumed: number;
  readonly params: Record<string, string> | undefined;
}

function match(route: Route, segments: readonly string[]): Match | undefined {
  const { kinds, words } = route;
  let count = segments.length;
  if (route.wildcard) {
    if (count < kinds.length - 1) return undefined;
  } else {
    if (count > 0 && segments[count - 1] === '') count--; // the trailing slash is optional
    if (count !== kinds.length) return undefined;
  }
  let params: Record<string, string> | undefined;
  for (let at = 0; at < kinds.length; at++) {
    const kind = kinds[at];
    if (kind === Kind.Wildcard) return { consumed: at, params };
    const segment = segments[at]!;
    if (kind === Kind.Text) {
      if (segment !== words[at]) return undefined;
    } else {
      if (segment === '') return undefined;
      params ??= Object.create(null) as Record<string, string>;
      params[words[at]!] = segment;
    }
  }
  return { consumed: count, params };
}

function dispatch(routes: readonly Route[], request: HttpRequest): HttpResponse | PromiseLike<HttpResponse> {
  const start = positionOf(request);
  if (!('origin' in start)) return start;
  const segments = start.decoded;
  const method = request.method;
  let best: Route | undefined;
  let found: Match | undefined;
  for (const route of routes) {
    if (!accepts(route, method) || (best !== undefined && !better(route, best, method))) continue;
    const matched = match(route, segments);
    if (matched === undefined) continue;
    best = route;
    found = matched;
  }
  if (best !== undefined) return best.handler(new RoutedRequest(start, found!.consumed, found!.params));
  const methods: string[] = [];
  for (const route of routes) if (match(route, segments) !== undefined) methods.push(route.method!);
  return methods.length === 0 ? plainAnswer(404, 'not found') : unsupported(method, allowOf(methods));
}

/**
 * A new router: an `HttpHandler` to add routes to. A request goes to the route that matches its
 * path and answers its method; when several do, the most specific wins (compared segment by
 * segment: literal text before `:name` before `*`), then the route for the method itself (before
 * one for every method, or a `GET` route answering `HEAD`), then the first added. So
 * `/users/me` wins over `/users/:id` whatever their order, while `DELETE /users/me` still goes to
 * `/users/:id` when only that route has `DELETE`.
 *
 * Paths are cut and percent-decoded once, as in the resource tree (a bad escape answers 400, a
 * `.` or `..` segment 404): literal text in a pattern is compared decoded (`/caf\u00e9` and
 * `/caf%C3%A9` are the same pattern), and `params` holds decoded values; a `%2F` stays inside its
 * segment, so `:name` never spans two. A trailing slash is optional (`/users` matches `/users/`,
 * leaving `''` in `postpath`) except under `*`, which keeps it. Methods are handled as a
 * resource does: `HEAD` goes to the `GET` route unless one has `HEAD`; when no route answers the
 * method but some match the path, `OPTIONS` gets 204 and any other method 405, with `Allow`
 * listing their methods; no match at all is 404.
 *
 * Handlers get the `WebRequest` view: `params`, `prepath` (the segments the pattern matched but
 * `*`), `postpath` and `path` (what `*` took), so a handler (a router, a resource tree) under
 * `/api/*` sees `/api/users` as `/users`.
 *
 * @example
 * ```ts
 * const app = router()
 *   .get('/users/:id', (request) => respond(200, `user ${request.params.id}\n`))
 *   .get('/users/me', (request) => respond(200, 'you\n'))
 *   .all('/api/*', apiRouter);
 * listen('tcp:8080', httpServer(app));
 * ```
 */
export function router(): Router {
  const routes: Route[] = [];
  const self = ((request: HttpRequest) => dispatch(routes, request)) as Router;
  const add = (method: string | undefined) => (pattern: string, handler: WebHandler) => {
    routes.push(compile(method, pattern, handler));
    return self;
  };
  self.on = (method, pattern, handler) => add(method)(pattern, handler);
  self.all = add(undefined);
  self.get = add('GET');
  self.head = add('HEAD');
  self.post = add('POST');
  self.put = add('PUT');
  self.patch = add('PATCH');
  self.delete = add('DELETE');
  self.options = add('OPTIONS');
  return self;
}
