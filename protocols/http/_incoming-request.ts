/**
 * `IncomingRequest`: the server's `HttpRequest`, over a parsed head and a `BodyStream`. Private
 * to protocols/http.
 *
 * @module
 */
import { type Address, formatAddress } from '../../source/address.js';
import { type BodySource, BodyStream } from '../../source/body-stream.js';
import type { Deferred } from '../../source/deferred.js';
import type { HttpHeaders, HttpHeadersInit } from './headers.js';
import type { HttpVersion, RequestHead } from './message.js';
import type { HttpRequest } from './request.js';

const decoder = new TextDecoder();

/** What a request's exchange does for it: feed its body, and send informational responses. */
export interface RequestExchange extends BodySource {
  sendInformational(status: number, headers: HttpHeadersInit | undefined): boolean;
}

/**
 * A request as the server hands it to the handler. The path and URL are worked out on first use.
 *
 * @example
 * ```ts
 * const request = new IncomingRequest(head, body, exchange, connection, 1024 * 1024);
 * handler(request);
 * ```
 */
export class IncomingRequest implements HttpRequest {
  readonly method: string;
  readonly target: string;
  readonly version: HttpVersion;
  readonly headers: HttpHeaders;
  private _path: string | undefined = undefined;
  private _url: URL | undefined = undefined;
  private _body: BodyStream | undefined;
  private _abort: AbortController | undefined = undefined;
  /** Why the exchange was given up (the client went away), once it was. */
  private _gone: Error | undefined = undefined;

  /**
   * @param body - the body, `undefined` when the request has none (an empty one is made if asked).
   * @param _source - what an empty body would be fed by.
   */
  constructor(
    head: RequestHead,
    body: BodyStream | undefined,
    private readonly _source: RequestExchange,
    private readonly _connection: {
      readonly remoteAddress: Address;
      readonly localAddress: Address;
      readonly secure: boolean;
    },
    private readonly _maxBodyBytes: number,
  ) {
    this.method = head.method;
    this.target = head.target;
    this.version = head.version;
    this.headers = head.headers;
    this._body = body;
  }

  get body(): BodyStream {
    if (this._body === undefined) {
      this._body = new BodyStream({ source: this._source, declaredLength: 0 });
      this._body.end();
    }
    return this._body;
  }

  get signal(): AbortSignal {
    if (this._abort === undefined) {
      this._abort = new AbortController();
      if (this._gone !== undefined) this._abort.abort(this._gone);
    }
    return this._abort.signal;
  }

  /** The exchange was given up before its response was all out: `signal` aborts with `reason`. */
  abandoned(reason: Error): void {
    if (this._gone !== undefined) return;
    this._gone = reason;
    this._abort?.abort(reason);
  }

  get remoteAddress(): Address {
    return this._connection.remoteAddress;
  }

  get secure(): boolean {
    return this._connection.secure;
  }

  get path(): string {
    if (this._path === undefined) {
      const target = this.target;
      if (target.charCodeAt(0) === 0x2f /* / */) {
        const query = target.indexOf('?');
        this._path = query < 0 ? target : target.slice(0, query);
      } else {
        this._path = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? this.url.pathname : target;
      }
    }
    return this._path;
  }

  get url(): URL {
    if (this._url === undefined) {
      const target = this.target;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
        this._url = new URL(target);
      } else {
        const local = this._connection.localAddress;
        const host = this.headers.get('host') || (local.type === 'tcp' ? formatAddress(local) : 'localhost');
        const base = `${this.secure ? 'https' : 'http'}://${host}`;
        this._url = new URL(target.charCodeAt(0) === 0x2f ? `${base}${target}` : `${base}/`);
      }
    }
    return this._url;
  }

  sendInformational(status: number, headers?: HttpHeadersInit): boolean {
    return this._source.sendInformational(status, headers);
  }

  text(): Deferred<string> {
    return this.bytes().addCallback((bytes) => decoder.decode(bytes));
  }

  json<T = unknown>(): Deferred<T> {
    return this.text().addCallback((text) => JSON.parse(text) as T);
  }

  arrayBuffer(): Deferred<ArrayBuffer> {
    return this.bytes().addCallback(
      (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  }

  bytes(): Deferred<Uint8Array> {
    return this.body.readAll(this._maxBodyBytes);
  }
}
