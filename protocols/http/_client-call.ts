/**
 * `ClientCall`: everything one `Agent.request` does, start to end: borrowing connections,
 * exchanges, one retry on a stale keep-alive connection, redirects, the total timeout, the
 * abort signal and cancellation.
 *
 * @module
 */
import type { DelayedCall } from '../../source/clock.js';
import type { ConnectionPool, PooledConnection } from '../../source/connection-pool.js';
import { Deferred } from '../../source/deferred.js';
import { CancelledError, TimeoutError } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import {
  ClientExchange,
  type EncodedHead,
  type ExchangeResponse,
  type ExchangeSettings,
  requestHead,
} from './_client-exchange.js';
import { type RequestPlan, redirectPlan } from './_redirect-plan.js';
import { ClientResponse, TooManyRedirectsError } from './client-response.js';

/**
 * What a call needs besides the request: the pool, the exchange settings, its limits.
 *
 * @example
 * ```ts
 * const settings: CallSettings = { ...exchangeSettings, pool, followRedirects: 0, timeout: undefined, signal: undefined };
 * ```
 */
export interface CallSettings extends ExchangeSettings {
  readonly pool: ConnectionPool;
  /** Redirects to follow; 0 hands every redirect response to the caller. */
  readonly followRedirects: number;
  /** Seconds for the whole request, body included; `undefined` for no limit. */
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Methods a request may be repeated with, having no effect beyond the first (RFC 9110 §9.2.2). */
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** A redirect's body is read on (so its connection can be reused) up to this many bytes. */
const redirectBodyLimit = 64 * 1024;

/** The pool's key for a URL: scheme, host and port, the port always spelt out. */
function originOf(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.protocol}//${url.hostname}:${port}`;
}

/**
 * One request, with its redirects and retry. `response` fires with the final response's head
 * (or fails); the call then goes on until the body has arrived, so the total timeout and the
 * signal can still abort the body.
 *
 * @example
 * ```ts
 * const call = new ClientCall({ method: 'GET', url, headers, body: { kind: 'none' } }, settings);
 * call.start();
 * return call.response;
 * ```
 */
export class ClientCall {
  readonly response: Deferred<ClientResponse>;
  private readonly _settings: CallSettings;
  private _plan: RequestPlan;
  private _head: EncodedHead;
  private _redirects = 0;
  private _retried = false;
  private _acquiring: Deferred<PooledConnection> | undefined = undefined;
  private _exchange: ClientExchange | undefined = undefined;
  private _timer: DelayedCall | undefined = undefined;
  private _over = false;
  private readonly _onAbort = () => this.fail(new CancelledError('the request was aborted'));

  /** @throws TypeError for a method or header that is not valid HTTP. */
  constructor(plan: RequestPlan, settings: CallSettings) {
    this._plan = plan;
    this._head = requestHead(plan, settings);
    this._settings = settings;
    this.response = new Deferred<ClientResponse>(() =>
      this.fail(new CancelledError('the request was cancelled')),
    );
  }

  /** Starts the request. */
  start(): void {
    const { signal, timeout, clock } = this._settings;
    if (signal?.aborted) {
      this.fail(new CancelledError('the request was aborted before it started'));
      return;
    }
    signal?.addEventListener('abort', this._onAbort, { once: true });
    if (timeout !== undefined) {
      this._timer = clock.callLater(timeout, () =>
        this.fail(new TimeoutError(`the request took longer than ${timeout} seconds`, { seconds: timeout })),
      );
    }
    this._attempt(false);
  }

  /** Ends the call with `error`: the pending response fails, or the body streaming in does. */
  fail(error: Error): void {
    if (this._over) return;
    this._finish();
    this._acquiring?.cancel();
    this._exchange?.fail(error);
    if (!this.response.called) this.response.errback(error);
  }

  private _finish(): void {
    this._over = true;
    if (this._timer?.active()) this._timer.cancel();
    this._settings.signal?.removeEventListener('abort', this._onAbort);
  }

  private _attempt(fresh: boolean): void {
    const acquiring = this._settings.pool.acquire(originOf(this._plan.url), { fresh });
    this._acquiring = acquiring;
    acquiring.addCallbacks(
      (lease) => {
        this._acquiring = undefined;
        if (this._over) lease.release();
        else this._exchangeOn(lease);
      },
      (failure) => {
        this._acquiring = undefined;
        this.fail(failure.value);
      },
    );
  }

  private _exchangeOn(lease: PooledConnection): void {
    const exchange = new ClientExchange(lease, this._plan, this._head, this._settings);
    this._exchange = exchange;
    exchange.response.addCallbacks(
      (response) => this._answered(exchange, response),
      (failure) => this._failed(exchange, failure),
    );
    exchange.start();
  }

  private _failed(exchange: ClientExchange, failure: Failure): void {
    const plan = this._plan;
    if (
      exchange.retryable &&
      !this._retried &&
      !this._over &&
      idempotentMethods.has(plan.method) &&
      plan.body.kind !== 'stream'
    ) {
      this._retried = true;
      this._attempt(true);
    } else {
      this.fail(failure.value);
    }
  }

  private _answered(exchange: ClientExchange, { head, body, end }: ExchangeResponse): void {
    const response = new ClientResponse(head, this._plan.url.href, body, end);
    const next =
      this._settings.followRedirects > 0
        ? redirectPlan(head.status, head.headers.get('Location'), this._plan)
        : undefined;
    if (next === undefined) {
      exchange.over.addCallback(() => this._finish());
      this.response.callback(response);
      return;
    }
    this._redirects++;
    const tooMany = this._redirects > this._settings.followRedirects;
    response.discard({ maxLength: redirectBodyLimit }).addCallback(() => {
      if (this._over) return;
      if (tooMany) {
        this.fail(new TooManyRedirectsError(this._settings.followRedirects, response));
      } else {
        this._plan = next;
        this._head = requestHead(next, this._settings); // the caller's headers were valid already
        this._retried = false;
        this._attempt(false);
      }
    });
  }
}
