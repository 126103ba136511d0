/**
 * `ServerExchange`: one request on a server connection and the response to it, from the handler's call
 * to the response's last byte. Private to protocols/http.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { isObservable } from 'rxjs';
import { type BodySource, BodyStream } from '../../source/body-stream.js';
import { type BodyEncoding, BodyWriter, disposeBody, type OutgoingBody } from '../../source/body-writer.js';
import type { Connection } from '../../source/connection.js';
import type { CorkedOutput } from '../../source/corked-output.js';
import { isPromiseLike, maybeDeferred } from '../../source/deferred.js';
import { BodyTooLargeError, TimeoutError } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import { chunkedEncoding, chunkedWithTrailers } from './_chunked-encoding.js';
import { IncomingRequest } from './_incoming-request.js';
import type { HttpHeadersInit } from './headers.js';
import { HttpParseError } from './http-error.js';
import type { BodyFraming, HeadEvent, HttpVersion, RequestHead } from './message.js';
import type { HttpResponse, ProtocolUpgrade, ResponseTrailers } from './response.js';
import {
  type ServerResponseHead,
  statusHasNoBody,
  writeResponseHead,
  writeServerResponseHead,
} from './write-response.js';

/**
 * What an exchange needs from its connection: the output, the turn order, the keep-alive
 * decision, and where to report.
 *
 * @example
 * ```ts
 * const exchange = new ServerExchange(serverConnection, clock.seconds(), headEvent, maxBodyBytes);
 * ```
 */
export interface ExchangeHost {
  readonly connection: Connection;
  readonly output: CorkedOutput;
  /** The `Date` line for a head written now. */
  dateLine(): string;
  /**
   * Whether the connection may carry another exchange after `exchange` (the one keep-alive
   * decision); `answered`: the exchange's response is (or, with the head being written, will be)
   * all out.
   */
  persistsAfter(exchange: ServerExchange, answered: boolean): boolean;
  /** Whether `exchange` is the oldest unanswered one: its turn to write. */
  isCurrent(exchange: ServerExchange): boolean;
  /** The exchange moved on (response ready, written, or given up): the connection acts on it. */
  wake(): void;
  /** A body's reader fell behind (`full`), or caught up. */
  bodyFull(full: boolean): void;
  /** Reports a failure (of the handler, or of the response's body) on the log stream. */
  report(exchange: ServerExchange, error: unknown, status: number): void;
  /** The exchange is over: completed, or given up. */
  record(exchange: ServerExchange, completed: boolean): void;
  /** The 101 head is written: once it is out, the connection goes to `upgrade`. */
  switchProtocols(upgrade: ProtocolUpgrade): void;
}

/** Where an exchange stands. */
type ExchangeState =
  | 'pending' // the handler has not answered
  | 'ready' // answered (or failed): waiting for its turn
  | 'writing' // the response is going out
  | 'done'; // written, or given up

/** Where `100 Continue` stands for a request that expects it. */
type ContinueState = 'no' | 'wanted' | 'sent';

const continueLine = 'HTTP/1.1 100 Continue\r\n\r\n';
const noBody: BodyFraming = { kind: 'none' };
const errorHeaders = { 'Content-Type': 'text/plain; charset=utf-8' } as const;
/** A body that ends when the connection closes (to an HTTP/1.0 client). */
const untilClose: BodyEncoding = {};

/** The status that answers `error`: an HttpParseError's own, 413 for a body too large, 408 for a timeout, else 500. */
function statusFor(error: unknown): number {
  if (error instanceof HttpParseError) return error.status;
  if (error instanceof BodyTooLargeError) return 413;
  if (error instanceof TimeoutError) return 408;
  return 500;
}

/** How a body framed so goes on the wire, with the response's trailers when it is chunked. */
function encodingFor(framing: BodyFraming, trailers: ResponseTrailers | undefined): BodyEncoding {
  if (framing.kind === 'chunked') {
    // a body of unknown length, to HTTP/1.1
    return trailers === undefined ? chunkedEncoding : chunkedWithTrailers(trailers);
  }
  if (framing.kind === 'length') return { length: framing.length };
  return untilClose;
}

/**
 * One request and its response. The connection creates it when a request head arrives, runs the
 * handler, and gives it its turn to write when the responses before it are out. It writes the
 * response (or the error response its failure calls for) and tells the connection, through
 * `wake`, when it is done. It is also what feeds its request body: the body's first reader
 * sends `100 Continue` when the client waits for one, and a reader that falls behind pauses the
 * connection.
 *
 * @example
 * ```ts
 * const exchange = new ServerExchange(host, clock.seconds(), headEvent, 1024 * 1024);
 * exchange.run(handler);
 * ```
 */
export class ServerExchange implements BodySource {
  /** The request's version (1.1 when there is no request). */
  readonly version: HttpVersion;
  readonly isHead: boolean;
  /** The response status, once the head is written (0 before). */
  status = 0;
  /** Body bytes written. */
  bytes = 0;
  /** Whether the connection must close after this exchange. */
  closeAfter = false;
  private _state: ExchangeState = 'pending';
  private _response: HttpResponse | undefined = undefined;
  private _failure: unknown = undefined;
  private _inputError: unknown = undefined;
  private _continue: ContinueState = 'no';
  private _headWritten = false;
  private _writer: BodyWriter | undefined = undefined;

  readonly time: number;
  readonly request: IncomingRequest | undefined;
  readonly body: BodyStream | undefined;
  /** Whether the request lets the connection carry another one. */
  readonly keepAlive: boolean;
  /** Whether the client waits for `100 Continue` before sending the body. */
  readonly expectContinue: boolean;
  /** Whether the request asked to switch protocols (the parser holds what follows it). */
  readonly upgrade: boolean;

  /**
   * @param time - when the request head was read, in clock seconds.
   * @param event - the request's head event; `undefined` for the error response to input that
   *   made no request.
   * @param maxBodyBytes - the most `text()`, `json()` … read.
   */
  constructor(
    private readonly _host: ExchangeHost,
    time: number,
    event: HeadEvent<RequestHead> | undefined,
    maxBodyBytes: number,
  ) {
    this.time = time;
    if (event === undefined) {
      this.request = undefined;
      this.body = undefined;
      this.keepAlive = false;
      this.expectContinue = false;
      this.upgrade = false;
      this.version = '1.1';
      this.isHead = false;
      return;
    }
    const framing = event.framing;
    this.body =
      framing.kind === 'chunked'
        ? new BodyStream({ source: this })
        : framing.kind === 'length' && framing.length > 0
          ? new BodyStream({ source: this, declaredLength: framing.length })
          : undefined;
    const head = event.head;
    this.request = new IncomingRequest(head, this.body, this, _host.connection, maxBodyBytes);
    this.keepAlive = event.keepAlive;
    this.expectContinue = event.expectContinue;
    this.upgrade = event.upgrade === true;
    this.version = head.version;
    this.isHead = head.method === 'HEAD';
  }

  /** An exchange that only answers `error` (input that made no request), then closes. */
  static failed(host: ExchangeHost, time: number, error: unknown): ServerExchange {
    const exchange = new ServerExchange(host, time, undefined, 0);
    exchange._failure = error;
    exchange._inputError = error;
    exchange._state = 'ready';
    return exchange;
  }

  /** Whether the exchange is over. */
  get done(): boolean {
    return this._state === 'done';
  }

  /** Whether the client waits for a `100 Continue` not sent yet. */
  get awaitingContinue(): boolean {
    return this.expectContinue && this._continue !== 'sent';
  }

  /** Calls the handler, and takes its answer: a response, a promise or Deferred of one, or a throw. */
  run(handler: (request: IncomingRequest) => unknown): void {
    let result: unknown;
    try {
      result = handler(this.request!);
    } catch (error) {
      this._answered(undefined, error);
      return;
    }
    if (!isPromiseLike(result)) {
      this._answered(result, undefined);
      return;
    }
    maybeDeferred(() => result).addCallbacks(
      (response) => {
        this._answered(response, undefined);
      },
      (failure: Failure) => {
        this._answered(undefined, failure.value);
      },
    );
  }

  /** The request's input failed (bad framing, timeout, truncation): its body errors, and unless the response is going out already, the answer is the error's status. */
  inputFailed(error: unknown): void {
    this._inputError = error;
    this.closeAfter = true;
    this.body?.fail(error);
    if (this._state === 'pending' || this._state === 'ready') {
      disposeBody(this._response?.body);
      this._response = undefined;
      this._failure = error;
      this._state = 'ready';
    }
  }

  /** Its turn has come (or come again): sends a `100 Continue` that was waiting, and the response when there is one. */
  takeTurn(): void {
    if (this._continue === 'wanted') this._sendContinue();
    if (this._state === 'ready') this._start();
  }

  /**
   * The connection is gone (or closing before this exchange's turn): the body errors with
   * `reason`, the request's signal aborts, a stream being written is stopped.
   */
  lost(reason: unknown): void {
    if (this._state === 'done') return;
    if (this._state !== 'writing') disposeBody(this._response?.body);
    this._finish(false);
    this.body?.fail(reason);
    this.request?.abandoned(reason instanceof Error ? reason : new Error(String(reason)));
  }

  /**
   * Writes an informational response (102-199 but 101) ahead of the final one, if it can go now:
   * see `HttpRequest.sendInformational`.
   *
   * @throws TypeError for another status or an invalid field.
   */
  sendInformational(status: number, headers: HttpHeadersInit | undefined): boolean {
    if (!(Number.isInteger(status) && status >= 102 && status <= 199)) {
      throw new TypeError(`an informational response is 102 to 199, not ${status}`);
    }
    const head = writeResponseHead({ status, headers }, noBody);
    if (
      this.version === '1.0' ||
      this._headWritten ||
      this._state === 'done' ||
      !this._host.isCurrent(this)
    ) {
      return false;
    }
    this._host.output.write(head);
    return true;
  }

  /** BodySource: the body's reader came; the moment to send `100 Continue`. */
  reading(): void {
    if (!this.expectContinue || this._continue !== 'no') return;
    this._continue = 'wanted';
    if (this._host.isCurrent(this)) this._sendContinue();
  }

  /** BodySource: the body's reader is behind. */
  pause(): void {
    this._host.bodyFull(true);
  }

  /** BodySource: the body's reader caught up. */
  resume(): void {
    this._host.bodyFull(false);
  }

  private _sendContinue(): void {
    if (this._headWritten || this._state === 'done') {
      this._continue = 'sent'; // too late: the final response went (or will go) instead
      return;
    }
    this._continue = 'sent';
    this._host.output.write(continueLine);
    this._host.wake();
  }

  private _answered(response: unknown, error: unknown): void {
    if (this._state !== 'pending') {
      disposeBody((response as HttpResponse | undefined)?.body);
      return;
    }
    if (error === undefined && (response === null || typeof response !== 'object')) {
      error = new TypeError(`the handler answered ${String(response)}, not a response object`);
    }
    if (error !== undefined) this._failure = error;
    else this._response = response as HttpResponse;
    this._state = 'ready';
    if (this._host.isCurrent(this)) this._host.wake();
  }

  /** Writes the response, or the error response the failure calls for. */
  private _start(): void {
    this._state = 'writing';
    const response = this._response;
    if (response === undefined) {
      this._writeFailure(this._failure);
      return;
    }
    if (response.upgrade !== undefined) {
      this._switchProtocols(response, response.upgrade);
      return;
    }
    const body = response.body;
    let size: number;
    if (body === undefined || body === null) {
      size = this.isHead ? -1 : 0;
    } else if (typeof body === 'string') {
      size = body.length === 0 ? 0 : Buffer.byteLength(body);
    } else if (body instanceof Uint8Array) {
      size = body.byteLength;
    } else if (isObservable(body) || (typeof body === 'object' && Symbol.asyncIterator in body)) {
      this._writeStream(response, body);
      return;
    } else {
      this._writeFailure(new TypeError(`a response body cannot be ${Object.prototype.toString.call(body)}`));
      return;
    }
    let head: ServerResponseHead;
    try {
      head = this._head(response, size, true);
    } catch (error) {
      this._writeFailure(error);
      return;
    }
    if (size > 0 && !this.isHead && head.framing.kind !== 'none') {
      this._host.output.write(body as string | Uint8Array);
      this.bytes = size;
    }
    this._finish(true);
  }

  /**
   * Writes the head of `response` for a body of `size` bytes (`undefined`: a stream), deciding
   * now whether the connection stays open; `complete`: the response is over once this head (and
   * a body of known size) is written.
   *
   * @throws TypeError for an invalid response (nothing written then).
   */
  private _head(response: HttpResponse, size: number | undefined, complete: boolean): ServerResponseHead {
    const host = this._host;
    const head = writeServerResponseHead(response, size, {
      version: this.version,
      keepAlive: host.persistsAfter(this, complete),
      date: host.dateLine(),
    });
    this.status = response.status ?? 200;
    this.closeAfter ||= head.close;
    this._headWritten = true;
    host.output.write(head.head);
    return head;
  }

  /**
   * Writes `101 Switching Protocols` with the response's headers as given, and hands the
   * connection over; a 500 instead when the request did not ask to upgrade, the status is not
   * 101, or the request's body is not all in (the bytes after it would not be the new protocol's).
   */
  private _switchProtocols(response: HttpResponse, upgrade: ProtocolUpgrade): void {
    let head: Uint8Array;
    try {
      if (!this.upgrade) throw new TypeError('a response upgraded a request that did not ask to upgrade');
      const status = response.status ?? 101;
      if (status !== 101) throw new TypeError(`a response that upgrades has status 101, not ${status}`);
      if (this.body !== undefined && !this.body.ended) {
        throw new TypeError('a response upgraded a request whose body has not all arrived');
      }
      head = writeResponseHead(
        { status, reason: response.reason, headers: response.headers },
        { kind: 'none' },
      );
    } catch (error) {
      this._writeFailure(error);
      return;
    }
    this.status = 101;
    this._headWritten = true;
    this._host.output.write(head);
    this._host.switchProtocols(upgrade);
    this._finish(true);
  }

  /**
   * Writes a stream body through a `BodyWriter`; the head goes out with its first chunk, so a
   * stream that fails before any is answered with a 500. A response that has no body (HEAD, 204,
   * 304) writes the head alone.
   */
  private _writeStream(response: HttpResponse, body: OutgoingBody): void {
    if (this.isHead || statusHasNoBody(response.status ?? 200)) {
      disposeBody(body);
      try {
        this._head(response, undefined, true);
      } catch (error) {
        this._writeFailure(error);
        return;
      }
      this._finish(true);
      return;
    }
    const writer = new BodyWriter(body, this._host.output, {
      begin: () => encodingFor(this._head(response, undefined, false).framing, response.trailers),
    });
    this._writer = writer;
    writer.done.addCallbacks(
      (bytes) => {
        this.bytes = bytes;
        this._finish(true);
      },
      (failure: Failure) => {
        this.bytes = writer.bytes;
        if (this._state === 'writing') this._streamFailed(failure.value);
      },
    );
    writer.start();
  }

  /** Answers with the status `error` calls for, and a short text body; reports it. */
  private _writeFailure(error: unknown): void {
    const status = statusFor(error);
    if (error !== this._inputError) this._host.report(this, error, status);
    if (status !== 500 || this._inputError !== undefined) this.closeAfter = true;
    const text = `${status} ${STATUS_CODES[status] ?? 'Error'}\n`;
    const host = this._host;
    const head = writeServerResponseHead({ status, headers: errorHeaders }, text.length, {
      version: this.version,
      keepAlive: host.persistsAfter(this, true),
      date: host.dateLine(),
    });
    this.status = status;
    this.closeAfter ||= head.close;
    this._headWritten = true;
    host.output.write(head.head);
    if (!this.isHead) {
      host.output.write(text);
      this.bytes = text.length;
    }
    this._finish(true);
  }

  /** A stream body failed: a 500 if nothing went out yet, else the connection is dropped (so the client sees a cut response). */
  private _streamFailed(error: unknown): void {
    if (!this._headWritten) {
      this._writeFailure(error);
      return;
    }
    if (error !== this._inputError) this._host.report(this, error, 0);
    this.closeAfter = true;
    this._host.connection.abort();
    this._finish(false);
  }

  private _finish(completed: boolean): void {
    if (this._state === 'done') return;
    const writing = this._state === 'writing';
    this._state = 'done';
    if (!completed) {
      this.closeAfter = true;
      if (writing) this._writer?.stop();
    } else if (this.body !== undefined && !this.body.ended) {
      this.body.discard();
    }
    this._writer = undefined;
    this._host.record(this, completed);
    this._host.wake();
  }
}
