/**
 * `Resource`, `resource` and `resourceHandler`: Twisted's resource tree (`Resource`, `Site`) in
 * TypeScript: resources with children by path segment, a handler per method, leaves that take the
 * rest of the path, and any `HttpHandler` mounted as a child.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import type { HttpHandler } from '../http/server.js';
import { allowOf, plainAnswer, unsupported } from './_answers.js';
import { positionOf, RoutedRequest } from './_routed-request.js';
import type { WebHandler, WebRequest } from './web-request.js';

/**
 * What a resource's child may be: another `Resource` (the tree goes on through its children), or
 * any `HttpHandler` (a `resource(…)`, a `router()`, a `redirect(…)`, a framework adapter), which
 * takes the rest of the path, as a handler mounted with Express's `app.use` does.
 *
 * @example
 * ```ts
 * const children: ResourceChild[] = [new Resource({ GET: hello }), router().get('/:id', show), redirect('/')];
 * ```
 */
export type ResourceChild = Resource | HttpHandler;

/**
 * The options of a `Resource`: a handler for each method it answers, by name in capitals (`GET`,
 * `POST`, `PROPFIND` …; methods are case-sensitive), and its children.
 *
 * @example
 * ```ts
 * const options: ResourceOptions = {
 *   GET: () => respond(200, 'the list\n'),
 *   POST: async (request) => respond(201, await request.text()),
 *   children: { new: resource({ GET: () => respond(200, 'a form\n') }) },
 *   getChild: (segment) => (/^\d+$/.test(segment) ? item(segment) : undefined),
 * };
 * ```
 */
export interface ResourceOptions {
  /** The handler of a method. */
  readonly [method: Uppercase<string>]: WebHandler | undefined;
  /** The children by segment (decoded: `'caf\u00e9'` is reached by `/caf%C3%A9`); `''` is the index, for the trailing slash. */
  readonly children?: Readonly<Record<string, ResourceChild>>;
  /**
   * Finds a child that is not in `children` (Twisted's `getChild`), or says there is none with
   * `undefined` (404). Default: there is none.
   */
  readonly getChild?: (segment: string, request: HttpRequest) => ResourceChild | undefined;
  /** Whether it takes the rest of the path (in `postpath`) instead of looking for children. Default false. */
  readonly leaf?: boolean;
}

const optionNames = new Set(['children', 'getChild', 'leaf']);

/**
 * A node of a resource tree, Twisted's `Resource`: it answers the methods it has handlers for, and
 * leads to its children, one path segment each.
 *
 * Options configure it (handlers, children, `getChild`, `leaf`), and `putChild` adds children
 * later; a subclass may override `getChild` (as in Twisted) or `render`. Serve a tree with
 * `resourceHandler(root)`; `resource(options)` makes a node and its handler in one go.
 *
 * Answering (`render`):
 * - a method it has a handler for goes to that handler, with the `WebRequest` view;
 * - `HEAD` goes to the `GET` handler unless it has its own: the server sends the head alone, with
 *   the framing `GET` would have had (its `Content-Length` …);
 * - `OPTIONS`, unless it has its own handler: 204 with `Allow`;
 * - another method: 405 with `Allow` listing its methods (`HEAD` with `GET`, and `OPTIONS`);
 * - a resource with no handler at all (a plain container) answers 404.
 *
 * @example
 * ```ts
 * class Users extends Resource {
 *   constructor(private readonly store: Map<string, string>) {
 *     super({ GET: () => respond(200, [...store.keys()].join('\n')) });
 *   }
 *   override getChild(segment: string): ResourceChild | undefined {
 *     const name = this.store.get(segment);
 *     return name === undefined ? undefined : resource({ GET: () => respond(200, `${name}\n`) });
 *   }
 * }
 * const root = new Resource();
 * root.putChild('users', new Users(new Map([['7', 'Ada']])));
 * listen('tcp:8080', httpServer(resourceHandler(root)));
 * ```
 */
export class Resource {
  /** Whether it takes the rest of the path (Twisted's `isLeaf`). */
  readonly isLeaf: boolean;
  readonly #children = new Map<string, ResourceChild>();
  readonly #methods = new Map<string, WebHandler>();
  readonly #getChild: ResourceOptions['getChild'];
  #allow: string | undefined;

  /**
   * @throws TypeError for an option that is neither a known option nor a method's handler, and for
   * a child's segment that could never be reached (see `putChild`).
   */
  constructor(options: ResourceOptions = {}) {
    this.isLeaf = options.leaf === true;
    this.#getChild = options.getChild;
    for (const [name, value] of Object.entries(options)) {
      if (optionNames.has(name) || value === undefined) continue;
      if (typeof value !== 'function' || !/^[!#$%&'*+\-.^_`|~0-9A-Z]+$/.test(name)) {
        throw new TypeError(`a resource's options name methods in capitals and their handlers: not ${name}`);
      }
      this.#methods.set(name, value as WebHandler);
    }
    for (const [segment, child] of Object.entries(options.children ?? {})) this.putChild(segment, child);
  }

  /** The children put in so far, by segment. */
  get children(): ReadonlyMap<string, ResourceChild> {
    return this.#children;
  }

  /**
   * Adds (or replaces) the child at `segment`: a decoded segment, `''` for the index that a
   * trailing slash reaches.
   *
   * @throws TypeError for a segment with a `/`, or `.` or `..`, which no request can reach.
   * @example
   * ```ts
   * root.putChild('', index).putChild('about', about);
   * ```
   */
  putChild(segment: string, child: ResourceChild): this {
    if (segment.includes('/') || segment === '.' || segment === '..') {
      throw new TypeError(`a child's segment cannot be ${JSON.stringify(segment)}: nest resources instead`);
    }
    this.#children.set(segment, child);
    return this;
  }

  /**
   * The child at `segment` when it is not among `children`, or `undefined` (404): Twisted's
   * `getChild`, for children made on demand. By default the `getChild` option's answer.
   *
   * @example
   * ```ts
   * const day = new Resource({ getChild: (segment) => (isDate(segment) ? diaryOf(segment) : undefined) });
   * ```
   */
  getChild(segment: string, request: HttpRequest): ResourceChild | undefined {
    return this.#getChild?.(segment, request);
  }

  /**
   * Answers a request that stops here (or, for a leaf, passes through), by its method: see the
   * class.
   *
   * @example
   * ```ts
   * class Clock extends Resource {
   *   override render(request: WebRequest) {
   *     return request.method === 'GET' ? respond(200, new Date().toISOString()) : super.render(request);
   *   }
   * }
   * ```
   */
  render(request: WebRequest): HttpResponse | PromiseLike<HttpResponse> {
    const method = request.method;
    const handler = this.#methods.get(method) ?? (method === 'HEAD' ? this.#methods.get('GET') : undefined);
    if (handler !== undefined) return handler(request);
    if (this.#methods.size === 0) return plainAnswer(404, 'not found');
    this.#allow ??= allowOf(this.#methods.keys());
    return unsupported(method, this.#allow);
  }
}

/**
 * Serves the tree under `root` (Twisted's `Site`): the request's path is cut into segments and
 * percent-decoded once (an encoded `%2F` stays inside its segment; a bad escape answers 400, a
 * `.` or `..` segment 404), then each segment leads from a resource to its child: a child from
 * `children`, else from `getChild`, else 404. The walk stops at a leaf, which renders with the
 * segments left in `postpath`; at an `HttpHandler` child, which answers with the rest of the path
 * (see `WebRequest.path`); or when the segments run out. A trailing slash (a last segment `''`)
 * goes to the `''` child when there is one, else the resource before it answers (with `''` left
 * in `postpath`), so `/docs/` is `/docs` unless `docs` has an index.
 *
 * A handler mounted in another tree or a router continues from where that one stopped.
 *
 * ```text
 * GET /users/7/avatar   root ─users→ Users ─7→ (getChild) User ─avatar→ handler (path '/')
 * GET /files/a/b.txt    root ─files→ leaf     (postpath ['a', 'b.txt'])
 * ```
 *
 * @example
 * ```ts
 * const root = new Resource({ GET: () => respond(200, 'home\n') });
 * root.putChild('files', new Resource({ leaf: true, GET: (request) => respond(200, request.postpath.join('/')) }));
 * listen('tcp:8080', httpServer(resourceHandler(root)));
 * ```
 */
export function resourceHandler(root: Resource): HttpHandler {
  return (request) => {
    const start = positionOf(request);
    if (!('origin' in start)) return start;
    const { origin, decoded } = start;
    let node = root;
    let at = 0;
    while (at < decoded.length && !node.isLeaf) {
      const segment = decoded[at]!;
      const child = node.children.get(segment) ?? node.getChild(segment, origin);
      if (child === undefined) {
        if (segment === '' && at === decoded.length - 1) break;
        return plainAnswer(404, 'not found');
      }
      at++;
      if (!(child instanceof Resource)) return child(new RoutedRequest(start, at));
      node = child;
    }
    return node.render(new RoutedRequest(start, at));
  };
}

/**
 * A resource and its handler in one: `resourceHandler(new Resource(options))`, for trees written
 * as one literal.
 *
 * @throws TypeError for an option that is neither a known option nor a method's handler.
 * @example
 * ```ts
 * const site = resource({
 *   GET: () => respond(200, 'home\n'),
 *   children: {
 *     '': resource({ GET: () => respond(200, 'index\n') }),
 *     files: resource({ leaf: true, GET: (request) => respond(200, request.postpath.join('/')) }),
 *     api: apiRouter,
 *     old: redirect('/new', 301),
 *   },
 * });
 * listen('tcp:8080', httpServer(site));
 * ```
 */
export function resource(options: ResourceOptions): HttpHandler {
  return resourceHandler(new Resource(options));
}
