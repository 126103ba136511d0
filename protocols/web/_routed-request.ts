/**
 * `RoutedRequest`, the `WebRequest` view handed to resources, routes and mounted handlers, and
 * `positionOf`, where a resource tree or a router starts reading a request's path. Private to
 * protocols/web.
 *
 * @module
 */
import type { Address } from '../../source/address.js';
import type { Deferred } from '../../source/deferred.js';
import type { HttpHeaders, HttpHeadersInit } from '../http/headers.js';
import type { HttpVersion } from '../http/message.js';
import type { HttpRequest, RequestBody } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import { plainAnswer } from './_answers.js';
import { pathSegments } from './_path-segments.js';
import type { WebRequest } from './web-request.js';

/** Where a request stands in its path: the segments consumed before, and those still to read. */
export interface PathPosition {
  /** The request the server took. */
  readonly origin: HttpRequest;
  /** The segments consumed before (decoded). */
  readonly prepath: readonly string[];
  /** The segments still to read, as sent. */
  readonly raw: readonly string[];
  /** The segments still to read, decoded. */
  readonly decoded: readonly string[];
  /** The parameters found before. */
  readonly params: Readonly<Record<string, string>>;
}

const noParams: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

/**
 * Where a tree or a router mounted at `request` starts: after the segments a `RoutedRequest`
 * consumed already (nothing is split or decoded twice), or at the start of a plain request's
 * path. A path that cannot be read is answered instead: 400 for a bad escape, 404 for a dot
 * segment or a target that is not a path (CONNECT's `host:port`), 204 for `OPTIONS *`.
 *
 * @example
 * ```ts
 * const start = positionOf(request);
 * if (!('origin' in start)) return start; // the answer to a path that cannot be read
 * ```
 */
export function positionOf(request: HttpRequest): PathPosition | HttpResponse {
  if (request instanceof RoutedRequest) return request.rest();
  const path = request.path;
  if (path.charCodeAt(0) !== 0x2f /* / */) {
    return request.method === 'OPTIONS' && path === '*' ? { status: 204 } : plainAnswer(404, 'not found');
  }
  const segments = pathSegments(path);
  if ('status' in segments) return plainAnswer(segments.status, segments.reason);
  return { origin: request, prepath: [], raw: segments.raw, decoded: segments.decoded, params: noParams };
}

/**
 * The view of `position.origin` for a handler that consumed `consumed` more segments and found
 * `params` (added to those found before).
 *
 * @example
 * ```ts
 * handler(new RoutedRequest(position, 2, { id: '7' }));
 * ```
 */
export class RoutedRequest implements WebRequest {
  readonly path: string;
  readonly prepath: readonly string[];
  readonly postpath: readonly string[];
  readonly params: Readonly<Record<string, string>>;
  private readonly _origin: HttpRequest;
  private readonly _raw: readonly string[];

  constructor(position: PathPosition, consumed: number, params?: Readonly<Record<string, string>>) {
    this._origin = position.origin;
    this._raw = position.raw.slice(consumed);
    this.path = `/${this._raw.join('/')}`;
    this.prepath =
      consumed === 0 ? position.prepath : position.prepath.concat(position.decoded.slice(0, consumed));
    this.postpath = position.decoded.slice(consumed);
    this.params =
      params === undefined
        ? position.params
        : Object.freeze(Object.assign(Object.create(null), position.params, params));
  }

  /** Where a handler mounted here starts: after this view's `prepath`. */
  rest(): PathPosition {
    return {
      origin: this._origin,
      prepath: this.prepath,
      raw: this._raw,
      decoded: this.postpath,
      params: this.params,
    };
  }

  get method(): string {
    return this._origin.method;
  }

  get target(): string {
    return this._origin.target;
  }

  get version(): HttpVersion {
    return this._origin.version;
  }

  get headers(): HttpHeaders {
    return this._origin.headers;
  }

  get url(): URL {
    return this._origin.url;
  }

  get remoteAddress(): Address {
    return this._origin.remoteAddress;
  }

  get secure(): boolean {
    return this._origin.secure;
  }

  get body(): RequestBody {
    return this._origin.body;
  }

  get signal(): AbortSignal {
    return this._origin.signal;
  }

  sendInformational(status: number, headers?: HttpHeadersInit): boolean {
    return this._origin.sendInformational(status, headers);
  }

  text(): Deferred<string> {
    return this._origin.text();
  }

  json<T = unknown>(): Deferred<T> {
    return this._origin.json<T>();
  }

  arrayBuffer(): Deferred<ArrayBuffer> {
    return this._origin.arrayBuffer();
  }

  bytes(): Deferred<Uint8Array> {
    return this._origin.bytes();
  }
}
