import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Deferred, fail } from '../../source/deferred.js';
import { DeferredLock } from '../../source/deferred-lock.js';
import { CancelledError } from '../../source/errors.js';

const test = suite('source/deferred-lock');

test('acquire fires at once when free and queues in order when held', () => {
  const lock = new DeferredLock();
  const order: number[] = [];
  lock.acquire().addCallback(() => order.push(1));
  assert.ok(lock.locked);
  lock.acquire().addCallback(() => order.push(2));
  lock.acquire().addCallback(() => order.push(3));
  assert.equal(order, [1]);
  assert.is(lock.waiting, 2);
  lock.release();
  assert.equal(order, [1, 2]);
  lock.release();
  lock.release();
  assert.equal(order, [1, 2, 3]);
  assert.not.ok(lock.locked);
});

test('releasing a lock nobody holds throws', () => {
  assert.throws(() => new DeferredLock().release(), /tried to release a DeferredLock that is not held/);
});

test('run holds the lock while the function works and releases it after, even on failure', () => {
  const lock = new DeferredLock();
  const work = new Deferred<string>();
  const first = lock.run(() => work);
  const second = lock.run(() => 'second');
  let secondResult = '';
  second.addCallback((v) => {
    secondResult = v;
  });
  assert.is(secondResult, '');
  work.callback('first');
  assert.is(secondResult, 'second');
  let firstResult = '';
  first.addCallback((v) => {
    firstResult = v;
  });
  assert.is(firstResult, 'first');
  let failed = '';
  lock
    .run(() => fail<string>(new Error('bad')))
    .addErrback((f) => {
      failed = f.value.message;
    });
  assert.is(failed, 'bad');
  assert.not.ok(lock.locked);
});

test('cancelling a waiting acquire leaves the queue', () => {
  const lock = new DeferredLock();
  lock.acquire();
  const waiting = lock.acquire();
  let trapped = false;
  waiting.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  waiting.cancel();
  assert.ok(trapped);
  assert.is(lock.waiting, 0);
  lock.release();
  assert.not.ok(lock.locked);
});

test.run();
