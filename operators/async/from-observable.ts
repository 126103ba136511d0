/**
 * `fromObservable`: an Observable consumed with `for await`, through a bounded buffer with an
 * explicit overflow policy (RxJS's and IxJS's own bridges buffer without bound).
 *
 * @module
 */
import type { Observable } from 'rxjs';
import { Wakeup } from '../../source/_wakeup.js';
import { QueueOverflowError } from '../../source/errors.js';
import type { WithSignal } from './async-operator.js';

/** What happens to a value that arrives while `maxBuffered` values wait unread. */
export type OverflowPolicy = 'error' | 'drop-newest' | 'drop-oldest';

/** Options of `fromObservable`. */
export interface FromObservableOptions extends WithSignal {
  /** The most values held while the reader is busy (required cap). Default 1024. */
  maxBuffered?: number;
  /**
   * Past the cap: `'error'` (default) ends the iteration with `QueueOverflowError`;
   * `'drop-newest'` drops the value that arrived, `'drop-oldest'` the oldest one waiting; either
   * way `dropped` counts them.
   */
  overflow?: OverflowPolicy;
}

/** An async iterable of an observable's values, which counts what it dropped. */
export interface BoundedAsyncIterable<T> extends AsyncIterable<T> {
  /** Values dropped so far by a `drop-…` policy. */
  readonly dropped: number;
}

/**
 * Subscribes to `source$` when iteration starts and yields its values in order; unsubscribes when
 * the loop ends, breaks or throws. An observable cannot be paused, so while the reader is busy
 * the values wait in a buffer of at most `maxBuffered`, and the `overflow` policy says what
 * happens past it. (A connection's `data$` need not come through here: iterate the connection
 * itself, which pauses the socket instead.)
 *
 * ```text
 * source$:         -a-b-c-d-|        reader busy from b to d, maxBuffered 2
 * 'drop-newest':   -a-b-c---|        (d dropped, dropped = 1)
 * 'error':         -a-b-c-#          (QueueOverflowError)
 * ```
 *
 * @throws QueueOverflowError under the `'error'` policy; the source's error; the signal's reason.
 * @example
 * ```ts
 * for await (const event of fromObservable(server.events$, { maxBuffered: 100 })) console.log(event.type);
 * ```
 */
export function fromObservable<T>(
  source$: Observable<T>,
  options: FromObservableOptions = {},
): BoundedAsyncIterable<T> {
  const maxBuffered = options.maxBuffered ?? 1024;
  const overflow = options.overflow ?? 'error';
  const signal = options.signal;
  if (!(Number.isInteger(maxBuffered) && maxBuffered > 0)) {
    throw new RangeError(`maxBuffered must be a positive whole number, not ${maxBuffered}`);
  }
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    async *[Symbol.asyncIterator]() {
      signal?.throwIfAborted();
      const buffer: T[] = [];
      let done = false;
      let failure: unknown;
      const reader = new Wakeup();
      const fail = (error: unknown) => {
        if (done) return;
        failure = error;
        done = true;
        reader.wake();
      };
      const subscription = source$.subscribe({
        next: (value) => {
          if (done) return;
          if (buffer.length < maxBuffered) buffer.push(value);
          else if (overflow === 'drop-newest') dropped++;
          else if (overflow === 'drop-oldest') {
            buffer.shift();
            buffer.push(value);
            dropped++;
          } else fail(new QueueOverflowError(`more than ${maxBuffered} values waited unread`));
          reader.wake();
        },
        error: fail,
        complete: () => {
          done = true;
          reader.wake();
        },
      });
      const onAbort = () => fail(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for (;;) {
          if (failure !== undefined) throw failure;
          if (buffer.length > 0) yield buffer.shift() as T;
          else if (done) return;
          else await reader.wait();
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        subscription.unsubscribe();
      }
    },
  };
}
