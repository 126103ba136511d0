import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Deferred, fail } from '../../source/deferred.js';
import { FailureGroup } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import { race } from '../../source/race.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';

const test = checkClean(suite('source/race'));

test('fires with [index, result] of the first success and cancels the others', () => {
  const cancelled: string[] = [];
  const a = new Deferred<string>(() => cancelled.push('a'));
  const b = new Deferred<string>(() => cancelled.push('b'));
  const c = new Deferred<string>(() => cancelled.push('c'));
  const raced = race([a, b, c]);
  b.callback('b wins');
  let result: unknown;
  raced.addCallback((r) => {
    result = r;
  });
  assert.equal(result, [1, 'b wins']);
  assert.equal(cancelled, ['a', 'c']);
});

test('a failure does not win while another may still succeed', () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  const raced = race([a, b]);
  a.errback(new Error('a failed'));
  assert.not.ok(raced.called);
  b.callback('b');
  let result: unknown;
  raced.addCallback((r) => {
    result = r;
  });
  assert.equal(result, [1, 'b']);
});

test('errbacks with FailureGroup holding every failure in order when all fail', () => {
  const a = new Deferred<number>();
  const raced = race([a, fail<number>(new Error('second'))]);
  a.errback(new Error('first'));
  let group: FailureGroup | undefined;
  raced.addErrback((f: Failure) => {
    group = f.value as FailureGroup;
  });
  assert.ok(group instanceof FailureGroup);
  assert.equal(
    group?.failures.map((f) => f.value.message),
    ['first', 'second'],
  );
});

test('racing nothing fails with an empty FailureGroup', () => {
  let group: unknown;
  race([]).addErrback((f) => {
    group = f.value;
  });
  assert.ok(group instanceof FailureGroup);
  assert.is((group as FailureGroup).failures.length, 0);
});

test('cancelling the race cancels every contender', () => {
  const cancelled: number[] = [];
  const raced = race([
    new Deferred<number>(() => cancelled.push(0)),
    new Deferred<number>(() => cancelled.push(1)),
  ]);
  raced.cancel();
  assert.equal(cancelled, [0, 1]);
  let group: unknown;
  raced.addErrback((f) => {
    group = f.value;
  });
  assert.ok(group instanceof FailureGroup);
});

test.run();
