/**
 * `Exchange`: one request on a server connection and the response to it, from the handler's call
 * to the response's last byte. Private to protocols/http.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { Connection } from '../../source/connection.js';
import { Deferred } from '../../source/deferred.js';
import { TimeoutError } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import type { Pausable } from '../../source/producer.js';
import { type BodySource, ServerRequestBody } from './_server-body.js';
import {
  type ResponseFraming,
  type ResponseHeadText,
  responseHead,
  statusHasNoBody,
} from './_server-head.js';
import type { CorkedOutput } from './_server-output.js';
import { IncomingRequest } from './_server-request.js';
import { HttpParseError } from './http-error.js';
import type { HeadEvent, HttpVersion, RequestHead } from './message.js';
import type { HttpResponse } from './response.js';

/**
 * What an exchange needs from its connection: the output, the turn order, and where to report.
 *
 * @example
 * ```ts
 * const exchange = new Exchange(serverConnection, clock.seconds(), headEvent, maxBodyBytes);
 * ```
 */
export interface ExchangeHost {
  readonly connection: Connection;
  readonly output: CorkedOutput;
  /** The `Date` line for a head written now. */
  dateLine(): string;
  /** Whether the connection may carry another exchange after `exchange`. */
  keepAliveAfter(exchange: Exchange): boolean;
  /** Whether `exchange` is the oldest unanswered one: its turn to write. */
  isCurrent(exchange: Exchange): boolean;
  /** The exchange moved on (response ready, written, or given up): the connection acts on it. */
  wake(): void;
  /** A body's unread bytes passed its high-water mark (`full`), or fell back under it. */
  bodyFull(full: boolean): void;
  /** Reports a failure (of the handler, or of the response's body) on the log stream. */
  report(exchange: Exchange, error: unknown, status: number): void;
  /** The exchange is over: completed, or given up. */
  record(exchange: Exchange, completed: boolean): void;
}

/** Where an exchange stands. */
const PENDING = 0; // the handler has not answered
const READY = 1; // answered (or failed): waiting for its turn
const WRITING = 2; // the response is going out
const DONE = 3; // written, or given up

const continueLine = 'HTTP/1.1 100 Continue\r\n\r\n';
const lastChunk = '0\r\n\r\n';

/** The status that answers `error`: an HttpParseError's own, 408 for a timeout, else 500. */
function statusFor(error: unknown): number {
  if (error instanceof HttpParseError) return error.status;
  if (error instanceof TimeoutError) return 408;
  return 500;
}

/** Whether `value` looks like a promise (Deferreds are handled before). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** A stream body the response will not read (a HEAD request's, a failed response's): freed if it can be. */
function dispose(body: unknown): void {
  const destroy = (body as { destroy?: unknown } | null)?.destroy;
  if (typeof destroy === 'function') (destroy as () => void).call(body);
}

/**
 * One request and its response. The connection creates it when a request head arrives, runs the
 * handler, and gives it its turn to write when the responses before it are out. It writes the
 * response (or the error response its failure calls for) and tells the connection, through
 * `wake`, when it is done. It is also its request body's source: the first read of the body sends
 * `100 Continue` when the client waits for one.
 *
 * @example
 * ```ts
 * const exchange = new Exchange(host, clock.seconds(), headEvent, 1024 * 1024);
 * exchange.run(handler);
 * ```
 */
export class Exchange implements BodySource {
  /** The request's version (1.1 when there is no request). */
  readonly version: HttpVersion;
  readonly isHead: boolean;
  /** The response status, once the head is written (0 before). */
  status = 0;
  /** Body bytes written. */
  bytes = 0;
  /** Whether the connection must close after this exchange. */
  closeAfter = false;
  private _state = PENDING;
  private _response: HttpResponse | undefined = undefined;
  private _failure: unknown = undefined;
  private _inputError: unknown = undefined;
  private _continue: 'no' | 'wanted' | 'sent' = 'no';
  private _headWritten = false;
  private _framing: ResponseFraming = 'none';
  private _remaining = 0;
  private _subscription: Subscription | undefined = undefined;
  private _iterator: AsyncIterator<Uint8Array | string> | undefined = undefined;

  readonly time: number;
  readonly request: IncomingRequest | undefined;
  readonly body: ServerRequestBody | undefined;
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
        ? new ServerRequestBody(this, undefined)
        : framing.kind === 'length' && framing.length > 0
          ? new ServerRequestBody(this, framing.length)
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
  static failed(host: ExchangeHost, time: number, error: unknown): Exchange {
    const exchange = new Exchange(host, time, undefined, 0);
    exchange._failure = error;
    exchange._inputError = error;
    exchange._state = READY;
    return exchange;
  }

  /** Whether the exchange is over. */
  get done(): boolean {
    return this._state === DONE;
  }

  /** Whether the client waits for a `100 Continue` not sent yet. */
  get awaitingContinue(): boolean {
    return this.expectContinue && this._continue !== 'sent';
  }

  get producer(): Pausable {
    return this._host.connection;
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
    if (result instanceof Deferred) {
      (result as Deferred<unknown>).addCallbacks(
        (response) => {
          this._answered(response, undefined);
        },
        (failure: Failure) => {
          this._answered(undefined, failure.value);
        },
      );
    } else if (isThenable(result)) {
      result.then(
        (response) => this._answered(response, undefined),
        (error: unknown) => this._answered(undefined, error ?? new Error('the handler rejected')),
      );
    } else {
      this._answered(result, undefined);
    }
  }

  /** The request's input failed (bad framing, timeout, truncation): its body errors, and unless the response is going out already, the answer is the error's status. */
  inputFailed(error: unknown): void {
    this._inputError = error;
    this.closeAfter = true;
    this.body?.fail(error);
    if (this._state === PENDING || this._state === READY) {
      dispose(this._response?.body);
      this._response = undefined;
      this._failure = error;
      this._state = READY;
    }
  }

  /** Its turn has come (or come again): sends a `100 Continue` that was waiting, and the response when there is one. */
  takeTurn(): void {
    if (this._continue === 'wanted') this._sendContinue();
    if (this._state === READY) this._start();
  }

  /** The connection is gone: the body errors with `reason`, a stream being written is stopped. */
  abandon(reason: unknown): void {
    if (this._state === DONE) return;
    if (this._state !== WRITING) dispose(this._response?.body);
    this._finish(false);
    this.body?.fail(reason);
  }

  bodyWanted(): void {
    if (!this.expectContinue || this._continue !== 'no') return;
    this._continue = 'wanted';
    if (this._host.isCurrent(this)) this._sendContinue();
  }

  bodyFull(full: boolean): void {
    this._host.bodyFull(full);
  }

  private _sendContinue(): void {
    if (this._headWritten || this._state === DONE) {
      this._continue = 'sent'; // too late: the final response went (or will go) instead
      return;
    }
    this._continue = 'sent';
    this._host.output.write(continueLine);
    this._host.wake();
  }

  private _answered(response: unknown, error: unknown): void {
    if (this._state !== PENDING) {
      dispose((response as HttpResponse | undefined)?.body);
      return;
    }
    if (error === undefined && (response === null || typeof response !== 'object')) {
      error = new TypeError(`the handler answered ${String(response)}, not a response object`);
    }
    if (error !== undefined) this._failure = error;
    else this._response = response as HttpResponse;
    this._state = READY;
    if (this._host.isCurrent(this)) this._host.wake();
  }

  /** Writes the response, or the error response the failure calls for. */
  private _start(): void {
    this._state = WRITING;
    const response = this._response;
    if (response === undefined) {
      this._writeFailure(this._failure);
      return;
    }
    const body = response.body;
    let size: number | undefined;
    if (body === undefined || body === null) {
      size = this.isHead ? -1 : 0;
    } else if (typeof body === 'string') {
      size = body.length === 0 ? 0 : Buffer.byteLength(body);
    } else if (body instanceof Uint8Array) {
      size = body.byteLength;
    } else if (isObservable(body)) {
      if (!this._streamSkipped(response)) this._writeObservable(response, body);
      return;
    } else if (typeof body === 'object' && Symbol.asyncIterator in body) {
      if (!this._streamSkipped(response)) void this._writeIterable(response, body);
      return;
    } else {
      this._writeFailure(new TypeError(`a response body cannot be ${Object.prototype.toString.call(body)}`));
      return;
    }
    if (!this._writeHead(response, size)) return;
    if (size > 0 && !this.isHead && this._framing !== 'none') {
      this._host.output.write(body as string | Uint8Array);
      this.bytes = size;
    }
    this._finish(true);
  }

  /**
   * Writes the head of `response` for a body of `size` bytes (`undefined`: a stream), deciding
   * now whether the connection stays open; false (after answering 500 instead) when the response
   * is invalid.
   */
  private _writeHead(response: HttpResponse, size: number | undefined): boolean {
    const body = this.body;
    let head: ResponseHeadText;
    try {
      head = responseHead(response.status ?? 200, response.reason, response.headers, size, {
        version: this.version,
        keepAlive: this._host.keepAliveAfter(this) && (body === undefined || body.ended || body.reading),
        date: this._host.dateLine(),
      });
    } catch (error) {
      this._stopStream();
      dispose(response.body);
      this._writeFailure(error);
      return false;
    }
    this.status = response.status ?? 200;
    this.closeAfter ||= head.close;
    this._framing = head.framing;
    this._remaining = head.length;
    this._headWritten = true;
    this._host.output.write(head.head);
    return true;
  }

  /** For a response that has no body (HEAD, 204, 304), writes the head alone: true when it did. */
  private _streamSkipped(response: HttpResponse): boolean {
    const status = response.status ?? 200;
    if (!this.isHead && !statusHasNoBody(status)) return false;
    dispose(response.body);
    if (this._writeHead(response, undefined)) this._finish(true);
    return true;
  }

  /** Answers with the status `error` calls for, and a short text body; reports it. */
  private _writeFailure(error: unknown): void {
    const status = statusFor(error);
    if (error !== this._inputError) this._host.report(this, error, status);
    if (status !== 500 || this._inputError !== undefined) this.closeAfter = true;
    const text = `${status} ${STATUS_CODES[status] ?? 'Error'}\n`;
    const head = responseHead(
      status,
      undefined,
      { 'Content-Type': 'text/plain; charset=utf-8' },
      text.length,
      {
        version: this.version,
        keepAlive: !this.closeAfter && this._host.keepAliveAfter(this) && (this.body?.ended ?? true),
        date: this._host.dateLine(),
      },
    );
    this.status = status;
    this.closeAfter ||= head.close;
    this._headWritten = true;
    const output = this._host.output;
    output.write(head.head);
    if (!this.isHead) {
      output.write(text);
      this.bytes = text.length;
    }
    this._finish(true);
  }

  private _writeObservable(response: HttpResponse, body: Observable<Uint8Array | string>): void {
    const output = this._host.output;
    output.cork();
    try {
      this._subscription = body.subscribe({
        next: (chunk) => {
          if (this._state !== WRITING) return;
          try {
            this._writeChunk(response, chunk);
          } catch (error) {
            this._streamFailed(error);
          }
        },
        error: (error: unknown) => {
          if (this._state === WRITING) this._streamFailed(error);
        },
        complete: () => {
          if (this._state === WRITING) this._endBody(response);
        },
      });
      if (this._state !== WRITING) this._subscription.unsubscribe();
    } finally {
      output.uncork();
    }
  }

  private async _writeIterable(
    response: HttpResponse,
    body: AsyncIterable<Uint8Array | string>,
  ): Promise<void> {
    const output = this._host.output;
    try {
      const iterator = body[Symbol.asyncIterator]();
      this._iterator = iterator;
      for (;;) {
        const step = await iterator.next();
        if (this._state !== WRITING) return;
        output.cork();
        let ok: boolean;
        try {
          if (step.done === true) this._endBody(response);
          else this._writeChunk(response, step.value);
        } finally {
          ok = output.uncork();
        }
        if (this._state !== WRITING) return;
        if (!ok) await this._host.connection.drained();
      }
    } catch (error) {
      if (this._state === WRITING) this._streamFailed(error);
    }
  }

  /** Writes the head if not yet, then one chunk of a stream body. */
  private _writeChunk(response: HttpResponse, chunk: Uint8Array | string): void {
    let bytes: Uint8Array;
    if (typeof chunk === 'string') bytes = Buffer.from(chunk);
    else if (chunk instanceof Uint8Array) bytes = chunk;
    else throw new TypeError(`a response body chunk cannot be ${Object.prototype.toString.call(chunk)}`);
    if (!this._headWritten && !this._writeHead(response, undefined)) return;
    const n = bytes.byteLength;
    if (n === 0) return;
    if (this._framing === 'length') {
      if (n > this._remaining) {
        throw new TypeError(
          `the response body is longer than its Content-Length (${this.bytes + this._remaining})`,
        );
      }
      this._remaining -= n;
    }
    const output = this._host.output;
    if (this._framing === 'chunked') output.write(`${n.toString(16)}\r\n`);
    output.write(bytes);
    if (this._framing === 'chunked') output.write('\r\n');
    this.bytes += n;
  }

  private _endBody(response: HttpResponse): void {
    if (!this._headWritten && !this._writeHead(response, undefined)) return;
    if (this._framing === 'length' && this._remaining > 0) {
      this._streamFailed(
        new TypeError(`the response body ended ${this._remaining} bytes short of its Content-Length`),
      );
      return;
    }
    if (this._framing === 'chunked') this._host.output.write(lastChunk);
    this._finish(true);
  }

  /** A stream body failed: a 500 if nothing went out yet, else the connection is dropped (so the client sees a cut response). */
  private _streamFailed(error: unknown): void {
    this._stopStream();
    if (!this._headWritten) {
      this._writeFailure(error);
      return;
    }
    if (error !== this._inputError) this._host.report(this, error, 0);
    this.closeAfter = true;
    this._host.connection.abort();
    this._finish(false);
  }

  private _stopStream(): void {
    const subscription = this._subscription;
    this._subscription = undefined;
    subscription?.unsubscribe();
    const iterator = this._iterator;
    this._iterator = undefined;
    if (iterator?.return !== undefined) {
      iterator.return().then(undefined, () => undefined);
      // a Readable's iterator returns only after the `next` it is waiting on: destroy it now
      dispose(this._response?.body);
    }
  }

  private _finish(completed: boolean): void {
    if (this._state === DONE) return;
    const writing = this._state === WRITING;
    this._state = DONE;
    if (!completed) {
      this.closeAfter = true;
      if (writing) this._stopStream();
    } else {
      this._subscription = undefined;
      this._iterator = undefined;
      if (this.body !== undefined && !this.body.ended) this.body.discard();
    }
    this._host.record(this, completed);
    this._host.wake();
  }
}
