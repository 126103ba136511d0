/**
 * `ConnectionPool`: a client's keep-alive connections, per origin (Twisted's
 * `HTTPConnectionPool`), with a limit on connections per origin and idle connections evicted
 * after a timeout. It knows nothing of the protocol spoken on them (HTTP's Agent uses it).
 *
 * @module
 */
import { Subscription } from 'rxjs';
import type { ReactorTime } from './clock.js';
import type { Connection } from './connection.js';
import { Deadline } from './deadline.js';
import { Deferred } from './deferred.js';
import { gatherResults } from './deferred-list.js';
import { reactor } from './reactor.js';

/**
 * Options of `ConnectionPool`.
 *
 * @example
 * ```ts
 * const options: ConnectionPoolOptions = { open: (origin) => connect(endpointOf(origin)), maxConnectionsPerOrigin: 2 };
 * ```
 */
export interface ConnectionPoolOptions {
  /** Opens a new connection to `origin` (`'http://example.com:80'`); cancelling aborts the attempt. */
  open: (origin: string) => Deferred<Connection>;
  /** The clock idle timeouts run on. Default the process-wide `reactor`. */
  clock?: ReactorTime;
  /** Connections open to one origin at most, idle ones included; more requests wait in turn. Default 6. */
  maxConnectionsPerOrigin?: number;
  /** Idle connections kept per origin; past that, a connection given back is closed. Default `maxConnectionsPerOrigin`. */
  maxIdlePerOrigin?: number;
  /**
   * Seconds an idle connection is kept before it is closed. Default 4: Node's HTTP server closes
   * idle keep-alive connections after 5, and a client should give up first.
   */
  idleTimeout?: number;
}

/**
 * A connection lent out by `ConnectionPool.acquire`: use it for one request, then hand it back
 * once, with `release`, `close` or `abort`.
 *
 * @example
 * ```ts
 * const lease = await pool.acquire(origin);
 * if (responseSaidClose) lease.close(); else lease.release();
 * ```
 */
export interface PooledConnection {
  /** The connection, not reading until someone subscribes. */
  readonly connection: Connection;
  /** The origin it is connected to. */
  readonly origin: string;
  /** Whether it carried an earlier request (and so may have been closed by the server meanwhile). */
  readonly reused: boolean;
  /** Gives it back for the next request; it is closed instead if it is no longer writable. */
  release(): void;
  /** Closes it after the queued bytes, freeing its place. */
  close(): void;
  /** Closes it at once, freeing its place. */
  abort(): void;
}

/**
 * The options of one `acquire` call.
 *
 * @example
 * ```ts
 * pool.acquire(origin, { fresh: true }); // not an idle connection the server may have closed
 * ```
 */
export interface AcquireOptions {
  /** Opens a new connection rather than reusing an idle one (to retry a request a stale one lost). */
  fresh?: boolean;
}

/**
 * How many connections to one origin are lent out or opening, idle, and waited for.
 *
 * @example
 * ```ts
 * const { active, idle, waiting }: PoolStats = pool.stats(origin);
 * ```
 */
export interface PoolStats {
  readonly active: number;
  readonly idle: number;
  readonly waiting: number;
}

interface IdleConnection {
  readonly connection: Connection;
  /** Its idle timeout: one per connection, moved at each sleep (no timer made per request). */
  readonly deadline: Deadline;
  watch: Subscription;
}

interface Waiter {
  readonly deferred: Deferred<PooledConnection>;
  readonly fresh: boolean;
  /** The connection attempt made for it, once there is one. */
  attempt: Deferred<Connection> | undefined;
}

interface OriginState {
  /** Connections lent out or being opened. */
  active: number;
  /** Idle connections, oldest first. */
  readonly idle: IdleConnection[];
  readonly waiters: Waiter[];
}

/**
 * Keep-alive connections, per origin. `acquire(origin)` lends an idle connection (the most
 * recently used one) or opens a new one while fewer than `maxConnectionsPerOrigin` are open to
 * that origin; past the limit, callers wait in turn. A borrower gives the connection back with
 * `release()` when its exchange left it reusable, or frees its place with `close()`/`abort()`.
 *
 * While idle, a connection is watched: the server closing it, or sending anything at all, drops
 * it from the pool; so does `idleTimeout`. `closeCachedConnections()` closes the idle ones.
 *
 * ```text
 * acquire ×7 (limit 6):  6 open ─ 1 waits ─ release() ─▶ the waiter gets that connection (reused)
 * ```
 *
 * @example
 * ```ts
 * const pool = new ConnectionPool({ open: (origin) => connect(endpointOf(origin)) });
 * const lease = await pool.acquire('http://127.0.0.1:8080');
 * lease.connection.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
 * // … read the response to its end, then:
 * lease.release();
 * ```
 */
export class ConnectionPool {
  private readonly _open: (origin: string) => Deferred<Connection>;
  private readonly _clock: ReactorTime;
  private readonly _maxConnections: number;
  private readonly _maxIdle: number;
  private readonly _idleTimeout: number;
  private readonly _origins = new Map<string, OriginState>();
  private readonly _deadlines = new WeakMap<Connection, Deadline>();

  constructor(options: ConnectionPoolOptions) {
    this._open = options.open;
    this._clock = options.clock ?? reactor;
    this._maxConnections = options.maxConnectionsPerOrigin ?? 6;
    this._maxIdle = options.maxIdlePerOrigin ?? this._maxConnections;
    this._idleTimeout = options.idleTimeout ?? 4;
    if (!(Number.isInteger(this._maxConnections) && this._maxConnections > 0)) {
      throw new RangeError(
        `maxConnectionsPerOrigin must be a positive whole number, not ${this._maxConnections}`,
      );
    }
    if (!(Number.isInteger(this._maxIdle) && this._maxIdle >= 0)) {
      throw new RangeError(`maxIdlePerOrigin must be a whole number, not ${this._maxIdle}`);
    }
    if (!(this._idleTimeout >= 0)) {
      throw new RangeError(`idleTimeout must be a number of seconds, not ${this._idleTimeout}`);
    }
  }

  /**
   * Lends a connection to `origin`: an idle one, a new one, or, at the limit, the next one given
   * back. Errbacks with the connection error (`ConnectionRefusedError` …); cancelling gives up the
   * place in the queue, or aborts the connection attempt.
   *
   * @example
   * ```ts
   * const lease = await pool.acquire('https://example.com:443');
   * ```
   */
  acquire(origin: string, options: AcquireOptions = {}): Deferred<PooledConnection> {
    const state = this._state(origin);
    const fresh = options.fresh ?? false;
    const waiter: Waiter = {
      deferred: new Deferred<PooledConnection>(() => {
        const index = state.waiters.indexOf(waiter);
        if (index >= 0) {
          state.waiters.splice(index, 1);
          this._forgetIfUnused(origin, state);
        }
        waiter.attempt?.cancel();
      }),
      fresh,
      attempt: undefined,
    };
    const idle = fresh ? undefined : state.idle.pop();
    if (idle !== undefined) {
      this._wake(idle);
      state.active++;
      waiter.deferred.callback(this._lease(origin, state, idle.connection, true));
    } else if (state.active + state.idle.length < this._maxConnections) {
      this._connect(origin, state, waiter);
    } else if (fresh && state.idle.length > 0) {
      this._evict(state, state.idle[0]!);
      this._connect(origin, state, waiter);
    } else {
      state.waiters.push(waiter);
    }
    return waiter.deferred;
  }

  /**
   * How many connections to `origin` are lent out or opening (`active`), idle, and waited for.
   *
   * @example
   * ```ts
   * pool.stats('http://127.0.0.1:8080'); // { active: 1, idle: 2, waiting: 0 }
   * ```
   */
  stats(origin: string): PoolStats {
    const state = this._origins.get(origin);
    return { active: state?.active ?? 0, idle: state?.idle.length ?? 0, waiting: state?.waiters.length ?? 0 };
  }

  /**
   * Closes every idle connection (Twisted's `closeCachedConnections`); fires once they are
   * closed. Lent-out connections are untouched, and the pool stays usable.
   *
   * @example
   * ```ts
   * await pool.closeCachedConnections(); // before the program or the test ends
   * ```
   */
  closeCachedConnections(): Deferred<void> {
    const closing: Deferred<void>[] = [];
    for (const [origin, state] of this._origins) {
      for (const idle of state.idle.splice(0)) {
        this._wake(idle);
        closing.push(idle.connection.close());
      }
      this._forgetIfUnused(origin, state);
    }
    return gatherResults(closing).addCallback(() => undefined);
  }

  private _state(origin: string): OriginState {
    let state = this._origins.get(origin);
    if (state === undefined) {
      state = { active: 0, idle: [], waiters: [] };
      this._origins.set(origin, state);
    }
    return state;
  }

  private _forgetIfUnused(origin: string, state: OriginState): void {
    if (state.active === 0 && state.idle.length === 0 && state.waiters.length === 0) {
      this._origins.delete(origin);
    }
  }

  /** Opens a connection for `waiter`, holding a place for it meanwhile. */
  private _connect(origin: string, state: OriginState, waiter: Waiter): void {
    state.active++;
    const attempt = this._open(origin);
    waiter.attempt = attempt;
    attempt.addCallbacks(
      (connection) => waiter.deferred.callback(this._lease(origin, state, connection, false)),
      (failure) => {
        this._freed(origin, state);
        if (!waiter.deferred.called) waiter.deferred.errback(failure);
      },
    );
  }

  /** A place came free: the next waiter, if any, opens a connection in it. */
  private _freed(origin: string, state: OriginState): void {
    state.active--;
    const waiter = state.waiters.shift();
    if (waiter !== undefined) this._connect(origin, state, waiter);
    else this._forgetIfUnused(origin, state);
  }

  private _lease(
    origin: string,
    state: OriginState,
    connection: Connection,
    reused: boolean,
  ): PooledConnection {
    let done = false;
    const finish = (how: () => void) => {
      if (done) return;
      done = true;
      how();
    };
    return {
      connection,
      origin,
      reused,
      release: () => finish(() => this._giveBack(origin, state, connection)),
      close: () =>
        finish(() => {
          connection.close();
          this._freed(origin, state);
        }),
      abort: () =>
        finish(() => {
          connection.abort();
          this._freed(origin, state);
        }),
    };
  }

  /** A borrower is done with a reusable connection: the next waiter gets it, or it idles. */
  private _giveBack(origin: string, state: OriginState, connection: Connection): void {
    if (!connection.writable) {
      connection.close();
      this._freed(origin, state);
      return;
    }
    const waiter = state.waiters.shift();
    if (waiter?.fresh) {
      connection.close();
      state.active--;
      this._connect(origin, state, waiter);
    } else if (waiter !== undefined) {
      waiter.deferred.callback(this._lease(origin, state, connection, true));
    } else if (state.idle.length >= this._maxIdle) {
      connection.close();
      this._freed(origin, state);
    } else {
      state.active--;
      this._sleep(origin, state, connection);
    }
  }

  /** Keeps an idle connection, watching it for the server's close and timing it out. */
  private _sleep(origin: string, state: OriginState, connection: Connection): void {
    // An idle pooled connection, and its eviction timer, must not keep the process alive (as in
    // node:http's Agent): a script ends once its last response is read.
    let deadline = this._deadlines.get(connection);
    if (deadline === undefined) {
      const made = new Deadline(this._clock, () => this._drop(origin, connection, 'close'), true);
      connection.closed.addCallback(() => made.cancel());
      this._deadlines.set(connection, made);
      deadline = made;
    }
    deadline.set(this._clock.seconds() + this._idleTimeout);
    connection.unref();
    const entry: IdleConnection = { connection, deadline, watch: Subscription.EMPTY };
    state.idle.push(entry);
    // a server may close an idle connection at any time; bytes nobody asked for mean it is broken
    entry.watch = connection.data$.subscribe({
      next: () => this._drop(origin, connection, 'abort'),
      error: () => this._drop(origin, connection, 'abort'),
      complete: () => this._drop(origin, connection, 'close'),
    });
  }

  /** Drops an idle connection (timed out, closed or broken by the server), if it is still idle. */
  private _drop(origin: string, connection: Connection, how: 'close' | 'abort'): void {
    const state = this._origins.get(origin);
    const entry = state?.idle.find((candidate) => candidate.connection === connection);
    if (state === undefined || entry === undefined) return;
    state.idle.splice(state.idle.indexOf(entry), 1);
    this._wake(entry);
    if (how === 'abort') connection.abort();
    else connection.close();
    this._forgetIfUnused(origin, state);
  }

  /** Stops watching an idle connection (it is lent out or closed). */
  private _wake(idle: IdleConnection): void {
    idle.deadline.clear();
    idle.watch.unsubscribe();
    idle.connection.ref();
  }

  /** Closes an idle connection to make room for a fresh one. */
  private _evict(state: OriginState, idle: IdleConnection): void {
    state.idle.splice(state.idle.indexOf(idle), 1);
    this._wake(idle);
    idle.connection.close();
  }
}
