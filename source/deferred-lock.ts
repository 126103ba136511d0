/**
 * `DeferredLock`: a lock whose `acquire` returns a Deferred (Twisted's).
 *
 * @module
 */
import { DeferredSemaphore } from './deferred-semaphore.js';

/**
 * A mutual-exclusion lock for code that waits on Deferreds: a `DeferredSemaphore` of one.
 * `acquire()` fires with the lock when it is yours; waiters get it in order. Cancelling a pending
 * `acquire()` leaves the queue.
 *
 * @example
 * ```ts
 * const lock = new DeferredLock();
 * await lock.run(() => appendToFile(path, record)); // one writer at a time
 * ```
 */
export class DeferredLock extends DeferredSemaphore {
  constructor() {
    super(1);
  }

  /** Whether somebody holds the lock. */
  get locked(): boolean {
    return this.tokens === 0;
  }
}
