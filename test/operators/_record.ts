/**
 * `record`: subscribes to an observable and keeps what it emits, for assertions.
 *
 * @module
 */
import type { Observable, Subscription } from 'rxjs';

/** What an observable did so far. */
export interface Recording<T> {
  readonly values: T[];
  error: unknown;
  completed: boolean;
  readonly subscription: Subscription;
}

/**
 * Subscribes to `observable`, recording its values, its error and its completion.
 *
 * @example
 * ```ts
 * const seen = record(of(1, 2));
 * assert.equal(seen.values, [1, 2]);
 * ```
 */
export function record<T>(observable: Observable<T>): Recording<T> {
  const values: T[] = [];
  const recording = { values, error: undefined as unknown, completed: false } as Omit<
    Recording<T>,
    'subscription'
  >;
  const subscription = observable.subscribe({
    next: (value) => values.push(value),
    error: (error: unknown) => {
      recording.error = error;
    },
    complete: () => {
      recording.completed = true;
    },
  });
  return Object.assign(recording, { subscription });
}
