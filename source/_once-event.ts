/**
 * `OnceEvent`: a one-time outcome that many may wait on, each through a Deferred of its own.
 *
 * @module
 */
import { Deferred, reportedFailure } from './deferred.js';
import type { Failure } from './failure.js';

/**
 * Settles once, with a value (`fire`) or a failure (`fail`); every `wait()` gets its own
 * Deferred, so one waiter's callbacks never change the result another waiter sees (as they would
 * on one shared Deferred). A failure given to `fail` counts as reported already: a waiter that
 * leaves it unhandled is not reported again when collected.
 *
 * @example
 * ```ts
 * const listening = new OnceEvent<Address>();
 * listening.wait().addCallback((address) => console.log(address));
 * listening.fire(address);
 * ```
 */
export class OnceEvent<T = void> {
  private _outcome: { readonly value: T } | { readonly failure: Failure } | undefined = undefined;
  /** One waiter is kept as is; an array only from the second (most events have one waiter). */
  private _waiters: Deferred<T> | Deferred<T>[] | undefined = undefined;

  /** Whether it has settled, either way. */
  get fired(): boolean {
    return this._outcome !== undefined;
  }

  fire(value: T): void {
    this._settle({ value });
  }

  /** Settles with `error`, which the caller has reported (logged) already. */
  fail(error: unknown): void {
    this._settle({ failure: reportedFailure(error) });
  }

  wait(): Deferred<T> {
    const waiter = new Deferred<T>();
    if (this._outcome !== undefined) OnceEvent._deliver(waiter, this._outcome);
    else if (this._waiters === undefined) this._waiters = waiter;
    else if (this._waiters instanceof Deferred) this._waiters = [this._waiters, waiter];
    else this._waiters.push(waiter);
    return waiter;
  }

  private _settle(outcome: { readonly value: T } | { readonly failure: Failure }): void {
    if (this._outcome !== undefined) return;
    this._outcome = outcome;
    const waiters = this._waiters;
    this._waiters = undefined;
    if (waiters instanceof Deferred) OnceEvent._deliver(waiters, outcome);
    else if (waiters !== undefined) for (const waiter of waiters) OnceEvent._deliver(waiter, outcome);
  }

  private static _deliver<T>(
    waiter: Deferred<T>,
    outcome: { readonly value: T } | { readonly failure: Failure },
  ): void {
    if ('failure' in outcome) waiter.errback(outcome.failure);
    else waiter.callback(outcome.value);
  }
}
