/**
 * `race`: the first Deferred to succeed wins, the rest are cancelled (Twisted's `defer.race`).
 *
 * @module
 */
import { Deferred } from './deferred.js';
import { FailureGroup } from './errors.js';
import type { Failure } from './failure.js';

/**
 * Fires with `[index, result]` of the first of `deferreds` to succeed and cancels all the others;
 * if every one fails, errbacks with `FailureGroup` holding their failures in order. The losers'
 * failures (their `CancelledError`s included) are handled here. Cancelling the race cancels all.
 *
 * ```text
 * a:    ------1|
 * b:    ---2|
 * race: ---([1,2])     (a is cancelled)
 * ```
 *
 * @example
 * ```ts
 * const [winner, conn] = await race([connect(primary), connect(backup)]);
 * ```
 */
export function race<T>(deferreds: Iterable<Deferred<T>>): Deferred<[number, T]> {
  const list = [...deferreds];
  const failures: Failure[] = new Array(list.length);
  let failed = 0;
  const result = new Deferred<[number, T]>(() => {
    for (const d of list) d.cancel();
  });
  if (list.length === 0) result.errback(new FailureGroup([]));
  list.forEach((d, index) => {
    d.addCallbacks(
      (value) => {
        if (!result.called) {
          result.callback([index, value]);
          list.forEach((other, i) => {
            if (i !== index) other.cancel();
          });
        }
        return undefined;
      },
      (failure) => {
        failures[index] = failure;
        failed++;
        if (failed === list.length && !result.called) result.errback(new FailureGroup(failures));
        return undefined;
      },
    );
  });
  return result;
}
