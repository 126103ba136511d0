/**
 * `NodeConnection`: one request carried to a `node:http` server over a socket of its own (a
 * Duplex), and the response it writes back turned into an `HttpResponse`. Private to
 * protocols/web.
 *
 * @module
 */
import type { Server } from 'node:http';
import { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { formatAddress } from '../../source/address.js';
import { type BodySource, BodyStream } from '../../source/body-stream.js';
import { Deferred } from '../../source/deferred.js';
import { ConnectionLost } from '../../source/errors.js';
import { activeProducer, type Pausable } from '../../source/producer.js';
import type { HttpHeaders } from '../http/headers.js';
import type { BodyFraming, ParseEvent, ResponseHead } from '../http/message.js';
import { ResponseParser } from '../http/parse-response.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import { encodeChunk, encodeLastChunk, writeRequestHead } from '../http/write-request.js';
import { hasBytes, requestFraming } from './_request-framing.js';

/**
 * Where the response stands:
 * - `awaiting-head`: node has written no response head yet;
 * - `streaming`: the head is passed on (the `answer` fired), the body is flowing;
 * - `answered`: the response is complete;
 * - `closed`: given up before it was complete (the socket was destroyed, the listener failed).
 */
type ResponseState = 'awaiting-head' | 'streaming' | 'answered' | 'closed';

/**
 * The fields of node's response head that are the Spindle server's business: the framing and
 * the connection's fate (node decides them for its socket, the server for the client's).
 */
const serverOwned = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/**
 * The response parser's limits: the response is the app's own, so they are generous (node:http
 * itself writes any number of fields), but bounded.
 */
const responseLimits = { maxHeaderBytes: 256 * 1024, maxHeaders: 1000 } as const;

/** The request's fields as node gets them: all of them, but `Expect` (the Spindle server answers it). */
function forwardedHeaders(headers: HttpHeaders): HttpHeaders | [string, string][] {
  if (!headers.has('expect')) return headers;
  return headers.raw().filter(([name]) => name.toLowerCase() !== 'expect');
}

/**
 * A socket of one exchange, handed to a `node:http` server with `server.emit('connection')` (any
 * Duplex may be, as node's documentation says): the request goes in as HTTP/1.1 bytes (its head
 * as the client sent it, with `target`; its body as it arrives, paused while node's buffer for it
 * is full), and what node writes back is parsed into `answer` (fired at the response head) and a
 * body stream (the write callbacks held while its reader is behind, so `res.write` returns false
 * and `'drain'` comes as the client takes the bytes).
 *
 * `req.socket` is this object: `remoteAddress`, `remotePort`, `remoteFamily` (undefined for a
 * Unix or in-memory peer) and `encrypted` (true over TLS) say what the client's connection is;
 * `localAddress` and `localPort` are undefined (a handler is not told which address took the
 * connection); `setTimeout`, `setNoDelay` and `setKeepAlive` do nothing (the Spindle server's
 * options time the client).
 *
 * @example
 * ```ts
 * const connection = new NodeConnection(request);
 * connection.start(server, '/users/7');
 * return connection.answer;
 * ```
 */
export class NodeConnection extends Duplex {
  /** Fires with the response once node has written its head; fails if the exchange ends first. */
  readonly answer = new Deferred<HttpResponse>();
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  /** True over TLS (as a `TLSSocket` says), undefined otherwise (as a plain `net.Socket`). */
  readonly encrypted: true | undefined;
  /** The client's address, formatted: for log records. */
  readonly peer: string;
  private _state: ResponseState = 'awaiting-head';
  private readonly _parser = new ResponseParser(responseLimits);
  private _body: BodyStream | undefined = undefined;
  /** The callback of the write waiting while the response body's reader is behind. */
  private _held: (() => void) | undefined = undefined;
  private _paused = false;
  /** The request body's producer, paused while node does not take more. */
  private _producer: Pausable | undefined = undefined;
  private _subscription: Subscription | undefined = undefined;
  /**
   * What feeds the response body (not this Duplex's own `pause`/`resume`, which node calls on
   * the request side): a reader behind holds node's writes, one that leaves resets the socket.
   */
  private readonly _source: BodySource = {
    pause: () => {
      this._paused = true;
    },
    resume: () => {
      this._paused = false;
      const held = this._held;
      this._held = undefined;
      held?.();
    },
    abandon: (reason) => this._reset(reason),
  };

  constructor(readonly request: HttpRequest) {
    super({ allowHalfOpen: true });
    const remote = request.remoteAddress;
    this.remoteAddress = remote.type === 'tcp' ? remote.host : undefined;
    this.remotePort = remote.type === 'tcp' ? remote.port : undefined;
    this.remoteFamily = remote.type === 'tcp' ? remote.family : undefined;
    this.encrypted = request.secure ? true : undefined;
    this.peer = formatAddress(remote);
    this._parser.expect(request.method);
  }

  /** Whether the response is not over yet (node has not written it all). */
  get open(): boolean {
    return this._state === 'awaiting-head' || this._state === 'streaming';
  }

  /** Hands this socket to `server` and sends it the request, for `target`. */
  start(server: Server, target: string): void {
    const request = this.request;
    server.emit('connection', this);
    const framing = requestFraming(request);
    const headers = forwardedHeaders(request.headers);
    this.push(
      writeRequestHead({ method: request.method, target, version: request.version, headers }, framing),
    );
    if (!hasBytes(framing)) return;
    const chunked = framing.kind === 'chunked';
    this._subscription = request.body.subscribe({
      next: (chunk) => {
        if (this.push(chunked ? encodeChunk(chunk) : chunk) || this._producer !== undefined) return;
        this._producer = activeProducer();
        this._producer?.pauseProducing();
      },
      // the client went away (or stalled) mid-body: to node, the connection is reset
      error: (error: unknown) => this._reset(error),
      complete: () => {
        if (chunked) this.push(encodeLastChunk());
      },
    });
  }

  /**
   * The request listener failed: the answer fails (a 500 from the server) if node has written no
   * head, else the body does (the client's connection is aborted). False once the response is
   * over: nothing of it can change.
   */
  fail(error: unknown): boolean {
    const state = this._state;
    if (state === 'answered' || state === 'closed') return false;
    this._state = 'closed';
    if (state === 'awaiting-head') this.answer.errback(error);
    else this._body?.fail(error);
    this.destroy();
    return true;
  }

  /** The client's side failed (`reason`): an open response fails with it, and to node the connection is reset. */
  private _reset(reason: unknown): void {
    if (!this.fail(reason)) this.destroy();
  }

  /** Node is ready for more of the request body. */
  override _read(): void {
    const producer = this._producer;
    this._producer = undefined;
    producer?.resumeProducing();
  }

  /** Node writes the response: parsed, passed on; the callback held while the body's reader is behind. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this._take(() => this._parser.push(chunk)) && this._paused) this._held = callback;
    else callback();
  }

  /** Node ends its side (after a `Connection: close` or HTTP/1.0 response): a body that runs until close ends. */
  override _final(callback: (error?: Error | null) => void): void {
    this._take(() => this._parser.end());
    callback();
  }

  /** The socket is gone (the exchange is over, or given up): the request body is let go, an open response fails. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this._subscription?.unsubscribe();
    this._subscription = undefined;
    this._producer = undefined;
    this._held = undefined;
    if (this.open) {
      this.fail(
        error ??
          new ConnectionLost(
            this._state === 'awaiting-head'
              ? 'the request listener closed the connection before answering'
              : 'the request listener closed the connection before the end of its response',
          ),
      );
    }
    callback(null); // not an 'error' event: node would try to answer 400 on this socket
  }

  /** Timeouts are the Spindle server's: this does nothing. */
  setTimeout(_milliseconds: number, _callback?: () => void): this {
    return this;
  }

  /** Does nothing: the client's socket is the Spindle server's. */
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  /** Does nothing: the client's socket is the Spindle server's. */
  setKeepAlive(_enable?: boolean, _delay?: number): this {
    return this;
  }

  /** Runs the parser step `parse` and acts on its events; false when the response failed. */
  private _take(parse: () => ParseEvent<ResponseHead>[]): boolean {
    if (!this.open) return false;
    let events: ParseEvent<ResponseHead>[];
    try {
      events = parse();
    } catch (error) {
      // an app writing to the socket itself: the app's fault (a 500), not the client's
      this.fail(
        new TypeError('the request listener wrote a response that is not HTTP/1.1', { cause: error }),
      );
      return false;
    }
    for (const event of events) {
      if (event.type === 'body') {
        this._body?.push(event.data);
      } else if (event.type === 'end') {
        this._state = 'answered';
        this._body?.end();
      } else if (event.interim !== true) {
        this._head(event.head, event.framing);
      }
    }
    return this.open;
  }

  /** The response head: the answer fires, with a body stream when one follows. */
  private _head(head: ResponseHead, framing: BodyFraming): void {
    this._state = 'streaming';
    const headers: [string, string][] = [];
    for (const field of head.headers.raw()) {
      if (!serverOwned.has(field[0].toLowerCase())) headers.push(field);
    }
    this._body = hasBytes(framing)
      ? new BodyStream({
          source: this._source,
          declaredLength: framing.kind === 'length' ? framing.length : undefined,
        })
      : undefined;
    this.answer.callback({ status: head.status, reason: head.reason, headers, body: this._body });
  }
}
