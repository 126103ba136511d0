/**
 * `DeferredList` and `gatherResults`: waiting on several Deferreds at once (Twisted's).
 *
 * @module
 */
import { Deferred } from './deferred.js';
import { FirstError } from './errors.js';
import type { Failure } from './failure.js';

/** One entry of a DeferredList's result: `[true, value]` or `[false, failure]`. */
export type DeferredListEntry<T> = [success: true, result: T] | [success: false, failure: Failure];

/** Options of `DeferredList`; all default to false. */
export interface DeferredListOptions {
  /** Fire with `[result, index]` as soon as one Deferred succeeds. */
  fireOnOneCallback?: boolean;
  /** Errback with `FirstError` as soon as one Deferred fails. */
  fireOnOneErrback?: boolean;
  /** Handle the failures of the Deferreds in the list, so none is reported as unhandled. */
  consumeErrors?: boolean;
}

/**
 * A Deferred that waits on a list of Deferreds (Twisted's `DeferredList`). It fires, once all
 * have fired, with one `[success, result]` pair per Deferred, in the order given; with
 * `fireOnOneCallback` it fires with `[result, index]` of the first success instead, and with
 * `fireOnOneErrback` it errbacks with `FirstError` at the first failure. Cancelling it cancels
 * every Deferred in the list.
 *
 * ```text
 * a:    --1-------|
 * b:    ------#---|
 * list: ------([[true,1],[false,#]])
 * ```
 *
 * @example
 * ```ts
 * const results = await new DeferredList([lookup('a'), lookup('b')], { consumeErrors: true });
 * for (const [ok, value] of results) console.log(ok ? value : value.getErrorMessage());
 * ```
 */
export class DeferredList<T> extends Deferred<DeferredListEntry<T>[] | [T, number]> {
  /** The pairs collected so far, by position. */
  readonly resultList: DeferredListEntry<T>[];
  #finished = 0;

  constructor(deferreds: Iterable<Deferred<T>>, options: DeferredListOptions = {}) {
    const list = [...deferreds];
    super(() => {
      for (const d of list) d.cancel();
    });
    const { fireOnOneCallback = false, fireOnOneErrback = false, consumeErrors = false } = options;
    this.resultList = new Array(list.length);
    if (list.length === 0 && !fireOnOneCallback) this.callback(this.resultList);
    list.forEach((d, index) => {
      d.addCallbacks(
        (result) => {
          this.resultList[index] = [true, result];
          this.#finished++;
          if (!this.called) {
            if (fireOnOneCallback) this.callback([result, index]);
            else if (this.#finished === list.length) this.callback(this.resultList);
          }
          return result;
        },
        (failure) => {
          this.resultList[index] = [false, failure];
          this.#finished++;
          if (!this.called) {
            if (fireOnOneErrback) this.errback(new FirstError(failure, index));
            else if (this.#finished === list.length) this.callback(this.resultList);
          }
          if (consumeErrors) return undefined;
          throw failure;
        },
      );
    });
  }
}

/**
 * A Deferred of every result, in order, failing with `FirstError` (its `subFailure` and `index`)
 * as soon as one fails (Twisted's `gatherResults`). With `consumeErrors`, the failures of the
 * given Deferreds are handled here and not reported as unhandled.
 *
 * ```text
 * a:        --1----|
 * b:        -----2-|
 * gathered: -----([1,2])
 * ```
 *
 * @example
 * ```ts
 * const [user, posts] = await gatherResults([getUser(id), getPosts(id)]);
 * ```
 */
export function gatherResults<const D extends readonly Deferred<unknown>[]>(
  deferreds: D,
  options: { consumeErrors?: boolean } = {},
): Deferred<{ -readonly [K in keyof D]: D[K] extends Deferred<infer V> ? V : never }> {
  const list = new DeferredList(deferreds as readonly Deferred<unknown>[], {
    fireOnOneErrback: true,
    consumeErrors: options.consumeErrors ?? false,
  });
  return list.addCallback((entries) =>
    (entries as DeferredListEntry<unknown>[]).map((entry) => entry[1]),
  ) as Deferred<never>;
}
