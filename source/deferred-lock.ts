/**
 * `DeferredLock`: a lock whose `acquire` returns a Deferred (Twisted's).
 *
 * @module
 */
import { Deferred, maybeDeferred } from './deferred.js';

/**
 * A mutual-exclusion lock for code that waits on Deferreds. `acquire()` fires with the lock when
 * it is yours; waiters get it in order. Cancelling a pending `acquire()` leaves the queue.
 *
 * @example
 * ```ts
 * const lock = new DeferredLock();
 * await lock.run(() => appendToFile(path, record)); // one writer at a time
 * ```
 */
export class DeferredLock {
  #locked = false;
  readonly #waiting: Deferred<DeferredLock>[] = [];

  /** Whether somebody holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /** How many `acquire()`s are waiting. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** A Deferred that fires with this lock once it is acquired. */
  acquire(): Deferred<DeferredLock> {
    const d = new Deferred<DeferredLock>((cancelled) => {
      const index = this.#waiting.indexOf(cancelled);
      if (index >= 0) this.#waiting.splice(index, 1);
    });
    if (this.#locked) {
      this.#waiting.push(d);
    } else {
      this.#locked = true;
      d.callback(this);
    }
    return d;
  }

  /**
   * Releases the lock, handing it to the next waiter.
   * @throws Error when the lock is not held.
   */
  release(): void {
    if (!this.#locked) throw new Error('tried to release an unlocked lock');
    const next = this.#waiting.shift();
    if (next === undefined) this.#locked = false;
    else next.callback(this);
  }

  /** Acquires the lock, runs `fn`, and releases the lock when its result (or failure) is in. */
  run<R>(fn: () => R | PromiseLike<R>): Deferred<R> {
    return this.acquire().addCallback(() =>
      maybeDeferred(fn).addBoth((result) => {
        this.release();
        return result;
      }),
    ) as Deferred<R>;
  }
}
