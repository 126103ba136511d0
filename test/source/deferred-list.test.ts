import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Deferred, fail, succeed } from '../../source/deferred.js';
import { DeferredList, type DeferredListEntry, gatherResults } from '../../source/deferred-list.js';
import { CancelledError, FirstError } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';

const test = checkClean(suite('source/deferred-list'));

const resultOf = <T>(d: Deferred<T>): T | Failure | undefined => {
  let out: T | Failure | undefined;
  d.addBoth((r) => {
    out = r;
    return r;
  });
  return out;
};

test('fires once all have fired, with [success, result] pairs in the order given', () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const list = new DeferredList([a, b], { consumeErrors: true });
  b.errback(new Error('b failed'));
  assert.not.ok(list.called);
  a.callback(1);
  const entries = resultOf(list) as DeferredListEntry<number>[];
  assert.is(entries.length, 2);
  assert.equal(entries[0], [true, 1]);
  assert.is(entries[1]![0], false);
  assert.is((entries[1]![1] as Failure).value.message, 'b failed');
  assert.is(list.resultList, entries);
});

test('an empty list fires at once with an empty result', () => {
  assert.equal(resultOf(new DeferredList([])), []);
});

test('consumeErrors leaves the failed Deferred with a handled result; without it the failure stays', () => {
  const consumed = fail<number>(new Error('x'));
  new DeferredList([consumed], { consumeErrors: true });
  assert.is(resultOf(consumed), undefined);
  const kept = fail<number>(new Error('y'));
  new DeferredList([kept]);
  assert.is((resultOf(kept) as Failure).value.message, 'y');
  kept.addErrback(() => undefined);
});

test('fireOnOneCallback fires with [result, index] of the first success', () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  const list = new DeferredList([a, b], { fireOnOneCallback: true });
  b.callback('b');
  assert.equal(resultOf(list), ['b', 1]);
  a.callback('a');
  assert.equal(resultOf(list), ['b', 1]);
});

test('fireOnOneErrback errbacks with FirstError naming the index and the failure', () => {
  const a = new Deferred<string>();
  const list = new DeferredList([succeed('ok'), a], { fireOnOneErrback: true, consumeErrors: true });
  a.errback(new Error('second'));
  const failure = resultOf(list) as Failure;
  assert.ok(failure.value instanceof FirstError);
  const first = failure.value as FirstError;
  assert.is(first.index, 1);
  assert.is(first.subFailure.value.message, 'second');
  list.addErrback(() => undefined);
});

test('cancelling a DeferredList cancels every Deferred in it', () => {
  const cancelled: number[] = [];
  const a = new Deferred<number>(() => cancelled.push(0));
  const b = new Deferred<number>(() => cancelled.push(1));
  const list = new DeferredList([a, b], { consumeErrors: true });
  list.cancel();
  assert.equal(cancelled, [0, 1]);
  const entries = resultOf(list) as DeferredListEntry<number>[];
  assert.ok((entries[0]![1] as Failure).check(CancelledError));
});

test('gatherResults fires with the results in order', async () => {
  const a = new Deferred<number>();
  const b = new Deferred<string>();
  const gathered = gatherResults([a, b]);
  b.callback('two');
  a.callback(1);
  const [one, two] = await gathered;
  assert.is(one, 1);
  assert.is(two, 'two');
});

test('gatherResults fails with FirstError at the first failure', async () => {
  const boom = new Error('boom');
  const gathered = gatherResults([succeed(1), fail<number>(boom)], { consumeErrors: true });
  try {
    await gathered;
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof FirstError);
    assert.is((e as FirstError).index, 1);
    assert.is((e as FirstError).subFailure.value, boom);
    assert.is((e as FirstError).cause, boom);
  }
});

test('gatherResults of nothing fires with []', () => {
  assert.equal(resultOf(gatherResults([])), []);
});

test.run();
