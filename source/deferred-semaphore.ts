/**
 * `DeferredSemaphore`: at most N holders at a time, `acquire` returning a Deferred (Twisted's).
 *
 * @module
 */
import { Deferred, maybeDeferred } from './deferred.js';

/**
 * A counting semaphore for code that waits on Deferreds: at most `limit` holders at once; the
 * others wait in order. Cancelling a pending `acquire()` leaves the queue.
 *
 * @example
 * ```ts
 * const sem = new DeferredSemaphore(4);
 * const pages = await gatherResults(urls.map(url => sem.run(() => request('GET', url))));
 * ```
 */
export class DeferredSemaphore {
  #tokens: number;
  readonly #waiting: Deferred<this>[] = [];

  /** @param limit - how many holders may hold it at once (at least 1). */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('DeferredSemaphore limit must be an integer >= 1');
    this.#tokens = limit;
  }

  /** How many more holders could acquire it now. */
  get tokens(): number {
    return this.#tokens;
  }

  /** How many `acquire()`s are waiting. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** A Deferred that fires with this semaphore once a token is yours. */
  acquire(): Deferred<this> {
    const d = new Deferred<this>((cancelled) => {
      const index = this.#waiting.indexOf(cancelled);
      if (index >= 0) this.#waiting.splice(index, 1);
    });
    if (this.#tokens === 0) {
      this.#waiting.push(d);
    } else {
      this.#tokens--;
      d.callback(this);
    }
    return d;
  }

  /**
   * Gives a token back, handing it to the next waiter.
   * @throws Error when every token is already free.
   */
  release(): void {
    if (this.#tokens >= this.limit)
      throw new Error(`tried to release a ${this.constructor.name} that is not held`);
    const next = this.#waiting.shift();
    if (next === undefined) this.#tokens++;
    else next.callback(this);
  }

  /** Acquires a token, runs `fn`, and releases the token when its result (or failure) is in. */
  run<R>(fn: () => R | PromiseLike<R>): Deferred<R> {
    return this.acquire().addCallback(() =>
      maybeDeferred(fn).addBoth((result) => {
        this.release();
        return result;
      }),
    ) as Deferred<R>;
  }
}
