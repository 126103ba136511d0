/** Parks one async reader until a producer has something for it. */

/**
 * The meeting point of a push source and a pull reader: the reader `await`s `wait()` when it has
 * nothing to read; the source calls `wake()` after adding something (or ending). At most one
 * reader waits at a time.
 */
export class Wakeup {
  private _resolve: (() => void) | undefined = undefined;

  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this._resolve = resolve;
    });
  }

  wake(): void {
    const resolve = this._resolve;
    this._resolve = undefined;
    resolve?.();
  }
}
