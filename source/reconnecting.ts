/**
 * `reconnecting`: a client connection that comes back, with exponential backoff (Twisted's
 * `ReconnectingClientFactory`).
 *
 * @module
 */
import { Observable } from 'rxjs';
import type { Connection, ConnectionOptions } from './connection.js';
import type { Deferred } from './deferred.js';
import type { ClientEndpoint } from './endpoint-description.js';
import { connect, type WithReactor } from './endpoints.js';
import { Logger } from './log.js';
import { reactor as defaultReactor } from './reactor.js';

/** Backoff settings of `reconnecting`; times in seconds. */
export interface ReconnectingOptions extends ConnectionOptions, WithReactor {
  /** Wait before the first retry (and after a connection that worked is lost). Default 1. */
  initialDelay?: number;
  /** The longest wait. Default 3600, as in Twisted. */
  maxDelay?: number;
  /** Each failed attempt multiplies the wait by this. Default e (2.718…), as in Twisted. */
  factor?: number;
  /** Spread of the wait, as a fraction of it (normally distributed). Default 0.1196…, as in Twisted. */
  jitter?: number;
  /** Give up after this many failed attempts in a row: the stream errors with the last failure. Default: never. */
  maxRetries?: number;
  /** Source of randomness for the jitter, for tests. Default `Math.random`. */
  random?: () => number;
}

const log = new Logger('spindle.reconnecting');

/** A normally distributed value (Box–Muller) around `mean`. */
function normal(mean: number, deviation: number, random: () => number): number {
  const u = 1 - random();
  const v = random();
  return mean + deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Emits a connection each time one is made to `description`. When a connection closes or an
 * attempt fails, it tries again after a wait: `initialDelay`, then multiplied by `factor` for
 * each failure in a row (up to `maxDelay`), spread by `jitter`. A connection that worked resets
 * the wait. Unsubscribing stops: it cancels the attempt or the wait and closes the connection.
 *
 * ```text
 * attempts:   x--x----x--------C~~~~~~~~~|  x  C~~~   (x failed, C connected, | lost)
 * emitted:    -----------------c---------------c---
 * ```
 *
 * @example
 * ```ts
 * reconnecting('tcp:host=127.0.0.1:port=6379', { maxDelay: 30 }).subscribe(conn => {
 *   conn.write('PING\r\n');
 *   conn.data$.subscribe(reply => console.log(reply));
 * });
 * ```
 */
export function reconnecting(
  description: string | ClientEndpoint,
  options: ReconnectingOptions = {},
): Observable<Connection> {
  const {
    initialDelay = 1,
    maxDelay = 3600,
    factor = Math.E,
    jitter = 0.11962656472,
    maxRetries = Number.POSITIVE_INFINITY,
    random = Math.random,
  } = options;
  const time = options.reactor ?? defaultReactor;
  return new Observable<Connection>((subscriber) => {
    let failures = 0;
    let attempt: Deferred<Connection> | undefined;
    let current: Connection | undefined;
    let timer: { active(): boolean; cancel(): void } | undefined;
    let stopped = false;

    const retryLater = () => {
      if (stopped) return;
      const base = Math.min(initialDelay * factor ** Math.max(0, failures - 1), maxDelay);
      const wait = jitter > 0 ? Math.max(0, normal(base, base * jitter, random)) : base;
      timer = time.callLater(wait, tryConnect);
    };

    const tryConnect = () => {
      timer = undefined;
      attempt = connect(description, options);
      attempt.addCallbacks(
        (connection) => {
          attempt = undefined;
          failures = 0;
          current = connection;
          connection.closed.addCallback(() => {
            current = undefined;
            retryLater();
          });
          subscriber.next(connection);
        },
        (failure) => {
          attempt = undefined;
          if (stopped) return;
          failures++;
          if (failures > maxRetries) {
            subscriber.error(failure.value);
            return;
          }
          log.debug(`connecting failed (${failures} in a row): ${failure.value.message}`);
          retryLater();
        },
      );
    };

    tryConnect();
    return () => {
      stopped = true;
      if (timer?.active()) timer.cancel();
      attempt?.cancel();
      current?.close();
    };
  });
}
