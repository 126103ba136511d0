/**
 * `DeferredQueue`: a queue whose `get` returns a Deferred (Twisted's), with limits both ways.
 *
 * @module
 */
import { Deferred, succeed } from './deferred.js';
import { QueueOverflowError, QueueUnderflowError } from './errors.js';

/** Limits of a `DeferredQueue`; both are unbounded when left out. */
export interface DeferredQueueOptions {
  /** The most items that may wait in the queue; `put` past it throws `QueueOverflowError`. */
  size?: number;
  /** The most `get()`s that may wait for an item; one more throws `QueueUnderflowError`. */
  backlog?: number;
}

/**
 * A producer/consumer queue: `put` hands an item to the oldest waiting `get()`, or keeps it;
 * `get()` fires at once with the oldest item, or waits. Cancelling a waiting `get()` leaves the
 * queue.
 *
 * @example
 * ```ts
 * const jobs = new DeferredQueue<Job>({ size: 100 });
 * jobs.get().addCallback(job => run(job));
 * jobs.put(nextJob);
 * ```
 */
export class DeferredQueue<T> {
  readonly size: number;
  readonly backlog: number;
  readonly #pending: T[] = [];
  readonly #waiting: Deferred<T>[] = [];

  constructor(options: DeferredQueueOptions = {}) {
    this.size = options.size ?? Number.POSITIVE_INFINITY;
    this.backlog = options.backlog ?? Number.POSITIVE_INFINITY;
  }

  /** Items waiting for a `get()`. */
  get pending(): number {
    return this.#pending.length;
  }

  /** `get()`s waiting for an item. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Adds an item, or hands it to the oldest waiting `get()`.
   * @throws QueueOverflowError when `size` items are already pending.
   */
  put(item: T): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.callback(item);
    else if (this.#pending.length < this.size) this.#pending.push(item);
    else throw new QueueOverflowError(`queue is full (${this.size} items)`);
  }

  /**
   * A Deferred of the next item.
   * @throws QueueUnderflowError when `backlog` gets are already waiting.
   */
  get(): Deferred<T> {
    if (this.#pending.length > 0) return succeed(this.#pending.shift() as T);
    if (this.#waiting.length >= this.backlog) {
      throw new QueueUnderflowError(`too many waiting gets (${this.backlog})`);
    }
    const d = new Deferred<T>((cancelled) => {
      const index = this.#waiting.indexOf(cancelled);
      if (index >= 0) this.#waiting.splice(index, 1);
    });
    this.#waiting.push(d);
    return d;
  }
}
