/**
 * `ClientExchange`: one request and its response on one pooled connection: writes the request (with
 * `Expect: 100-continue` when asked), parses the response, streams its body through the content
 * decoders, and gives the connection back to the pool when both directions are complete and the
 * server allows it, or closes it.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import { writeAtTurnEnd } from '../../source/_turn-writes.js';
import { type BodySink, type BodySource, BodyStream } from '../../source/body-stream.js';
import { BodyWriter } from '../../source/body-writer.js';
import type { DelayedCall, ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import type { PooledConnection } from '../../source/connection-pool.js';
import { Deadline } from '../../source/deadline.js';
import { Deferred } from '../../source/deferred.js';
import { ConnectionLost, TimeoutError } from '../../source/errors.js';
import { chunkedEncoding } from './_chunked-encoding.js';
import { acceptedEncodings, contentCodings, DecodingStage, decodable } from './_decoding-stage.js';
import { contentLength } from './_framing.js';
import type { RequestPlan } from './_redirect-plan.js';
import type { ResponseEnd } from './client-response.js';
import { HttpHeaders } from './headers.js';
import type { BodyFraming, HeadEvent, ParseEvent, ResponseHead } from './message.js';
import { ResponseParser, type ResponseParserOptions } from './parse-response.js';
import { writeRequestHead } from './write-request.js';

/**
 * How an exchange behaves: the agent's settings for one request.
 *
 * @example
 * ```ts
 * const settings: ExchangeSettings = { clock, decompress: true, expectContinue: false, expectContinueTimeout: 1,
 *   headTimeout: 60, highWaterMark: 65536, parser: {}, onInformational: undefined };
 * ```
 */
export interface ExchangeSettings {
  readonly clock: ReactorTime;
  /** Decode gzip, deflate and br bodies (and offer them in `Accept-Encoding`). */
  readonly decompress: boolean;
  /** Send `Expect: 100-continue` before a body. */
  readonly expectContinue: boolean;
  /** Seconds to wait for `100 Continue` before sending the body anyway. */
  readonly expectContinueTimeout: number;
  /** Seconds from the end of the request to the response head; `undefined` for no limit. */
  readonly headTimeout: number | undefined;
  /** Bytes of body held unread before the connection is paused. */
  readonly highWaterMark: number;
  readonly parser: ResponseParserOptions;
  /** Called with each informational (1xx) response before the final one; a throw fails the request. */
  readonly onInformational: ((head: ResponseHead) => void) | undefined;
}

/**
 * The response head, its body as it will stream in, and its end: the trailer fields, set once
 * the body's last chunk has arrived (before the body's reader hears of the end).
 *
 * @example
 * ```ts
 * exchange.response.addCallback(({ head, body, end }: ExchangeResponse) => new ClientResponse(head, url, body, end));
 * ```
 */
export interface ExchangeResponse {
  readonly head: ResponseHead;
  readonly body: BodyStream;
  readonly end: ResponseEnd;
}

/** Methods whose request body means something: an empty one is sent as `Content-Length: 0`. */
const bodyMethods = new Set(['POST', 'PUT', 'PATCH']);

/** Bodies up to this size go out in the same write as the head. */
const coalesceLimit = 16 * 1024;

/**
 * A request head as bytes, and how its body is framed.
 *
 * @example
 * ```ts
 * const { bytes, framing }: EncodedHead = requestHead(plan, settings);
 * ```
 */
export interface EncodedHead {
  readonly bytes: Uint8Array;
  readonly framing: BodyFraming;
}

/**
 * The head and framing of a request for `plan`: the caller's headers, `Host`, `Accept-Encoding`,
 * `Expect`.
 *
 * @throws TypeError for a method, target or header that is not valid HTTP.
 * @example
 * ```ts
 * requestHead(plan, settings).framing; // { kind: 'length', length: 5 } for a 5-byte body
 * ```
 */
export function requestHead(plan: RequestPlan, settings: ExchangeSettings): EncodedHead {
  const headers = new HttpHeaders(plan.headers);
  const body = plan.body;
  const declared = body.kind === 'stream' ? declaredLength(headers.get('Content-Length')) : undefined;
  headers.delete('Content-Length');
  headers.delete('Transfer-Encoding');
  if (!headers.has('Host')) headers.set('Host', plan.url.host);
  if (settings.decompress && !headers.has('Accept-Encoding'))
    headers.set('Accept-Encoding', acceptedEncodings);
  const framing: BodyFraming =
    body.kind === 'bytes'
      ? { kind: 'length', length: body.bytes.byteLength }
      : body.kind === 'stream'
        ? declared === undefined
          ? { kind: 'chunked' }
          : { kind: 'length', length: declared }
        : bodyMethods.has(plan.method)
          ? { kind: 'length', length: 0 }
          : { kind: 'none' };
  const sendsBody = framing.kind === 'chunked' || (framing.kind === 'length' && framing.length > 0);
  if (settings.expectContinue && sendsBody) headers.set('Expect', '100-continue');
  else headers.delete('Expect');
  const target = `${plan.url.pathname}${plan.url.search}`;
  return { bytes: writeRequestHead({ method: plan.method, target, headers }, framing), framing };
}

/**
 * The length a caller's `Content-Length` declares for a stream body, if it gave one.
 *
 * @throws TypeError for a value that is not a length.
 */
function declaredLength(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return contentLength([value]);
  } catch {
    throw new TypeError(`invalid Content-Length ${JSON.stringify(value)} for a request body`);
  }
}

/**
 * A connection's head timeout, kept from one exchange to the next: one `Deadline` moved per
 * request rather than a timer made and cancelled per request (a fifth of the client's CPU time at
 * 50 requests in flight). Unreferenced: the connection holds the process open while it is lent
 * out, and must not while it idles in the pool.
 */
interface HeadDeadline {
  readonly deadline: Deadline;
  /** The exchange waiting for a head on the connection, if one is. */
  exchange: ClientExchange | undefined;
}

const headDeadlines = new WeakMap<Connection, HeadDeadline>();

function headDeadlineOf(connection: Connection, clock: ReactorTime): HeadDeadline {
  let entry = headDeadlines.get(connection);
  if (entry === undefined) {
    const created: HeadDeadline = {
      deadline: new Deadline(clock, () => created.exchange?.headTimedOut(), true),
      exchange: undefined,
    };
    connection.closed.addCallback(() => created.deadline.cancel());
    headDeadlines.set(connection, created);
    entry = created;
  }
  return entry;
}

/** How far the request has gone out. */
type RequestState =
  | 'sending' // the head is out, the body going
  | 'awaiting-continue' // the head is out, with `Expect: 100-continue`; the body waits
  | 'sent' // all of it is out
  | 'refused'; // the server answered before taking the body: the rest is not sent

/** How far the response has come in. */
type ResponseState =
  | 'awaiting' // no byte of it yet
  | 'head' // bytes of it, its head not whole yet
  | 'body' // the head is in, the body streaming
  | 'ended'; // all of it is in

/** Whether the connection can carry the next request once both directions are done. */
type Reuse =
  | 'undecided' // no final head yet
  | 'reusable' // the response allows it
  | 'close' // the response (or a refused body) does not
  | 'broken'; // bytes came that no request asked for: never, whatever a head said

/** How the exchange ended. */
type Outcome = 'open' | 'released' | 'closed' | 'aborted';

/**
 * One request/response exchange on a pooled connection. `response` fires with the head (or
 * fails: the connection closed first, the response was malformed, the head timed out);
 * `over` fires once the connection has been given back or closed, however the exchange ended.
 * `retryable` says a failure happened on a reused connection before any byte of the response
 * arrived: the server had closed it meanwhile, and the request never reached it.
 *
 * @example
 * ```ts
 * const exchange = new ClientExchange(lease, plan, requestHead(plan, settings), settings);
 * exchange.response.addCallback(({ head }) => console.log(head.status));
 * exchange.start();
 * ```
 */
export class ClientExchange implements BodySource {
  readonly response = new Deferred<ExchangeResponse>();
  readonly over = new Deferred<void>();
  private readonly _lease: PooledConnection;
  private readonly _plan: RequestPlan;
  private readonly _request: EncodedHead;
  private readonly _settings: ExchangeSettings;
  private readonly _parser: ResponseParser;
  private _requestState: RequestState = 'sending';
  private _responseState: ResponseState = 'awaiting';
  private _reuse: Reuse = 'undecided';
  private _outcome: Outcome = 'open';
  private _subscription: Subscription | undefined = undefined;
  private _upload: BodyWriter | undefined = undefined;
  private readonly _headDeadline: HeadDeadline;
  private _continueTimer: DelayedCall | undefined = undefined;
  private _sink: BodySink | undefined = undefined;
  private readonly _ending: ResponseEnd = { trailers: undefined };
  /** Whether the body's reader paused the connection. */
  private _paused = false;
  private _retryable = false;

  constructor(lease: PooledConnection, plan: RequestPlan, head: EncodedHead, settings: ExchangeSettings) {
    this._lease = lease;
    this._plan = plan;
    this._request = head;
    this._settings = settings;
    this._parser = new ResponseParser(settings.parser);
    this._headDeadline = headDeadlineOf(lease.connection, settings.clock);
  }

  /** Whether the request may be sent again on a new connection (see the class). */
  get retryable(): boolean {
    return this._retryable;
  }

  /** Sends the request and starts reading the response. */
  start(): void {
    const connection = this._lease.connection;
    const { bytes: head, framing } = this._request;
    this._parser.expect(this._plan.method);
    this._subscription = connection.data$.subscribe({
      next: (chunk) => this._received(chunk),
      error: (error: unknown) => this._closed(error),
      complete: () => this._closed(undefined),
    });
    if (this._outcome !== 'open') return;
    const body = this._plan.body;
    const waitForContinue = this._settings.expectContinue && framing.kind !== 'none';
    if (body.kind === 'none' || (body.kind === 'bytes' && body.bytes.byteLength === 0)) {
      writeAtTurnEnd(connection, head);
      this._sentAll();
    } else if (body.kind === 'bytes' && body.bytes.byteLength <= coalesceLimit && !waitForContinue) {
      const both = new Uint8Array(head.byteLength + body.bytes.byteLength);
      both.set(head);
      both.set(body.bytes, head.byteLength);
      writeAtTurnEnd(connection, both);
      this._sentAll();
    } else {
      connection.write(head);
      if (waitForContinue) {
        this._requestState = 'awaiting-continue';
        this._continueTimer = this._settings.clock.callLater(this._settings.expectContinueTimeout, () =>
          this._sendBody(),
        );
      } else this._sendBody();
    }
    if (!connection.writable)
      this._closed(new ConnectionLost('the connection closed before the request was sent'));
  }

  /** Ends the exchange with `error`: the response fails (or its body does), the connection is closed. */
  fail(error: Error): void {
    if (this._outcome !== 'open') return;
    this._end('aborted');
    if (!this.response.called) this.response.errback(error);
    else this._sink?.fail(error);
  }

  /** BodySource: the body's reader is behind. */
  pause(): void {
    if (this._paused || this._outcome !== 'open') return;
    this._paused = true;
    this._lease.connection.pause();
  }

  /** BodySource: the body's reader caught up. */
  resume(): void {
    if (!this._paused || this._outcome !== 'open') return;
    this._paused = false;
    this._lease.connection.resume();
  }

  /** BodySource: the reader left before the end: the connection cannot be reused. */
  abandon(): void {
    if (this._outcome === 'open') this._end('aborted');
  }

  private _sendBody(): void {
    if (this._continueTimer?.active()) this._continueTimer.cancel();
    this._continueTimer = undefined;
    const state = this._requestState;
    if (this._outcome !== 'open' || state === 'sent' || state === 'refused' || this._upload !== undefined) {
      return;
    }
    this._requestState = 'sending';
    const body = this._plan.body;
    if (body.kind === 'bytes') {
      this._lease.connection.write(body.bytes);
      this._sentAll();
    } else if (body.kind === 'stream') {
      const framing = this._request.framing;
      const upload = new BodyWriter(body.source, this._lease.connection, {
        encoding: framing.kind === 'length' ? { length: framing.length } : chunkedEncoding,
      });
      this._upload = upload;
      upload.done.addCallbacks(
        () => this._sentAll(),
        (failure) => this.fail(failure.value),
      );
      upload.start();
    }
  }

  /** The whole request is on its way: the head timeout starts; a finished response may settle. */
  private _sentAll(): void {
    this._requestState = 'sent';
    const headTimeout = this._settings.headTimeout;
    if (headTimeout !== undefined && !this.response.called && this._outcome === 'open') {
      this._headDeadline.exchange = this;
      this._headDeadline.deadline.set(this._settings.clock.seconds() + headTimeout);
    }
    if (this._responseState === 'ended') this._settle();
  }

  /** The head did not come within the head timeout. */
  headTimedOut(): void {
    const headTimeout = this._settings.headTimeout;
    this.fail(new TimeoutError(`no response head within ${headTimeout} seconds`, { seconds: headTimeout }));
  }

  /** No head is waited for any more. */
  private _stopHeadDeadline(): void {
    const head = this._headDeadline;
    if (head.exchange !== this) return;
    head.exchange = undefined;
    head.deadline.clear();
  }

  private _received(chunk: Uint8Array): void {
    if (this._responseState === 'awaiting') this._responseState = 'head';
    const events: ParseEvent<ResponseHead>[] = [];
    try {
      this._parser.push(chunk, events);
    } catch (error) {
      // the events before the bad byte still count, but this connection carries nothing more
      this._reuse = 'broken';
      this._handle(events);
      this.fail(error as Error);
      return;
    }
    this._handle(events);
  }

  /** The connection ended (EOF: `error` undefined) or failed. */
  private _closed(error: unknown): void {
    if (this._outcome !== 'open') return;
    if (error === undefined) {
      const events: ParseEvent<ResponseHead>[] = [];
      try {
        this._parser.end(events);
      } catch (truncated) {
        this._lost(truncated as Error);
        return;
      }
      this._handle(events);
      if (this._outcome !== 'open') return;
    }
    this._lost(
      error instanceof Error
        ? error
        : new ConnectionLost('the server closed the connection before responding'),
    );
  }

  /** The connection is gone before the response was complete. */
  private _lost(error: Error): void {
    if (this._outcome !== 'open') return;
    const nothingCame = this._responseState === 'awaiting';
    this._retryable = this._lease.reused && nothingCame;
    this.fail(
      nothingCame
        ? new ConnectionLost('the server closed the connection before responding', { cause: error })
        : error,
    );
  }

  private _handle(events: readonly ParseEvent<ResponseHead>[]): void {
    for (const event of events) {
      if (this._outcome !== 'open') return;
      if (event.type === 'head') this._head(event);
      else if (event.type === 'body') this._sink?.push(event.data);
      else this._ended(event.trailers);
    }
  }

  private _head(event: HeadEvent<ResponseHead>): void {
    if (event.interim) {
      if (event.head.status === 100) this._sendBody();
      const onInformational = this._settings.onInformational;
      if (onInformational !== undefined) {
        try {
          onInformational(event.head);
        } catch (error) {
          this.fail(error as Error);
        }
      }
      return;
    }
    this._stopHeadDeadline();
    if (this._reuse !== 'broken') this._reuse = event.keepAlive && !event.upgrade ? 'reusable' : 'close';
    if (this._requestState !== 'sent' && (this._upload === undefined || event.head.status >= 300)) {
      // the server answered before taking the body: it will not read the rest, nor can we reuse the connection
      if (this._reuse !== 'broken') this._reuse = 'close';
      this._requestState = 'refused';
      this._upload?.stop();
      if (this._continueTimer?.active()) this._continueTimer.cancel();
    }
    const body = new BodyStream({ highWaterMark: this._settings.highWaterMark });
    let head = event.head;
    let sink: BodySink = body;
    let fed: { feedFrom(source: BodySource): void } = body;
    const codings = contentCodings(head.headers.get('Content-Encoding'));
    if (
      this._settings.decompress &&
      event.framing.kind !== 'none' &&
      codings.length > 0 &&
      codings.every(decodable)
    ) {
      for (const coding of codings) {
        const stage = new DecodingStage(coding, sink);
        fed.feedFrom(stage);
        fed = stage;
        sink = stage;
      }
      const headers = new HttpHeaders(head.headers);
      headers.delete('Content-Encoding');
      headers.delete('Content-Length');
      head = { ...head, headers };
    }
    fed.feedFrom(this);
    this._sink = sink;
    this._responseState = 'body';
    this.response.callback({ head, body, end: this._ending });
  }

  private _ended(trailers: HttpHeaders | undefined): void {
    this._responseState = 'ended';
    this._ending.trailers = trailers;
    // the connection goes back first, so that whoever reads the end can reuse it at once; an
    // upload the server is still taking (it answered early, with success) must finish before
    const request = this._requestState;
    if (request === 'sent' || request === 'refused') this._settle();
    this._sink?.end();
  }

  /** Both directions are done (or the request never will be): reuse the connection or close it. */
  private _settle(): void {
    if (this._outcome !== 'open') return;
    this._end(this._reuse === 'reusable' && this._requestState === 'sent' ? 'released' : 'closed');
  }

  private _end(outcome: Exclude<Outcome, 'open'>): void {
    this._outcome = outcome;
    this._stopHeadDeadline();
    if (this._continueTimer?.active()) this._continueTimer.cancel();
    this._upload?.stop();
    this._subscription?.unsubscribe();
    if (this._paused) {
      this._paused = false;
      this._lease.connection.resume();
    }
    if (outcome === 'released') this._lease.release();
    else if (outcome === 'closed') this._lease.close();
    else this._lease.abort();
    this.over.callback(undefined);
  }
}
