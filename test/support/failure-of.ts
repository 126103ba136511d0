/**
 * `failureOf` and `rejectionOf`: what a Deferred failed with (handled here, so it is not reported
 * as unhandled), and what a promise-like rejected with, for tests that expect a failure;
 * `resultOf`: what a Deferred fired with, for tests that expect it to have; `outcomeOf`: how a
 * Deferred has settled so far, for tests that expect it to settle one way or the other.
 */
import * as assert from 'uvu/assert';
import type { Failure } from '../../source/failure.js';

/** The Failure a Deferred has errbacked with, if it has (an errback is added, so it is handled). */
export function failureOf(d: {
  addErrback(fn: (failure: Failure) => unknown): unknown;
}): Failure | undefined {
  let failure: Failure | undefined;
  d.addErrback((f) => {
    failure = f;
  });
  return failure;
}

/** Awaits `d` and gives the error it rejected with; fails the test if it fulfils, or rejects with a non-Error. */
export async function rejectionOf(d: PromiseLike<unknown>): Promise<Error> {
  try {
    await d;
  } catch (error) {
    assert.instance(error, Error);
    return error as Error;
  }
  assert.unreachable('expected a failure');
  throw new Error('unreachable');
}

/** The result a Deferred has fired with; fails the test if it has not (or has failed). */
export function resultOf<T>(d: { addCallback(fn: (value: T) => unknown): unknown }): T {
  let value: { v: T } | undefined;
  d.addCallback((v) => {
    value = { v };
    return v;
  });
  assert.ok(value, 'the Deferred has fired with a result');
  return value!.v;
}

/** How a Deferred has settled: not yet, with a result, or with a failure. */
export type Outcome<T> =
  | { readonly state: 'pending' }
  | { readonly state: 'fired'; readonly value: T }
  | { readonly state: 'failed'; readonly failure: Failure };

/** How `d` has settled, read at any later time from `current` (a failure is handled here). */
export function outcomeOf<T>(d: {
  addCallbacks(fire: (value: T) => unknown, fail: (failure: Failure) => unknown): unknown;
}): { readonly current: Outcome<T> } {
  const box: { current: Outcome<T> } = { current: { state: 'pending' } };
  d.addCallbacks(
    (value) => {
      box.current = { state: 'fired', value };
      return value;
    },
    (failure) => {
      box.current = { state: 'failed', failure };
    },
  );
  return box;
}
