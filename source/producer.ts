/**
 * Producers and consumers (Twisted's `IPushProducer` / `IConsumer`): how a consumer that cannot
 * keep up pauses the source of its data.
 *
 * Spindle pauses producers without any registration for the common case: while a connection
 * delivers a chunk to its `data$` subscribers, it is the *active producer*; a connection whose
 * `write` returns false during that delivery (its write buffer is past its high-water mark)
 * pauses the active producer until it drains. So an echo pipeline (`conn.data$ … .subscribe(conn)`)
 * or a proxy (`a.data$.subscribe(b)`) with synchronous operators is flow-controlled end to end.
 * Work that writes later (after a timer or a promise) registers its producer explicitly with
 * `connection.registerProducer(producer)`.
 *
 * @module
 */

/**
 * Something that produces data and can be asked to stop for a while (Twisted's `IPushProducer`).
 *
 * @example
 * ```ts
 * const producer: Pausable = { pauseProducing: () => src.pause(), resumeProducing: () => src.resume() };
 * connection.registerProducer(producer);
 * ```
 */
export interface Pausable {
  pauseProducing(): void;
  resumeProducing(): void;
}

let active: Pausable | undefined;

/**
 * Runs `deliver` with `producer` as the active producer, so that a consumer that blocks during
 * the delivery pauses it. Returns what `deliver` returns.
 *
 * @example
 * ```ts
 * whileProducing(myProducer, () => subscriber.next(chunk));
 * ```
 */
export function whileProducing<R>(producer: Pausable, deliver: () => R): R {
  const previous = active;
  active = producer;
  try {
    return deliver();
  } finally {
    active = previous;
  }
}

/**
 * The producer whose delivery is running now, if any.
 *
 * @example
 * ```ts
 * if (!socket.write(chunk)) activeProducer()?.pauseProducing();
 * ```
 */
export function activeProducer(): Pausable | undefined {
  return active;
}
