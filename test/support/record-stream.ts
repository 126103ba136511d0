/**
 * `recordStream`: subscribes to a stream of bytes and records what it delivers, as text, and how
 * it finishes.
 */
import type { Observable } from 'rxjs';

/** Subscribes to `bytes$` and records its chunks (as UTF-8 text), its completion and its error. */
export function recordStream(bytes$: Observable<Uint8Array>) {
  const seen = { chunks: [] as string[], completed: false, error: undefined as unknown };
  const subscription = bytes$.subscribe({
    next: (chunk) => seen.chunks.push(Buffer.from(chunk).toString()),
    complete: () => {
      seen.completed = true;
    },
    error: (error: unknown) => {
      seen.error = error;
    },
  });
  return Object.assign(seen, { unsubscribe: () => subscription.unsubscribe() });
}
