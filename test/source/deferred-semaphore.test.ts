import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Deferred } from '../../source/deferred.js';
import { DeferredSemaphore } from '../../source/deferred-semaphore.js';

const test = suite('source/deferred-semaphore');

test('lets at most limit holders in and queues the rest in order', () => {
  const sem = new DeferredSemaphore(2);
  const order: number[] = [];
  for (const n of [1, 2, 3, 4]) sem.acquire().addCallback(() => order.push(n));
  assert.equal(order, [1, 2]);
  assert.is(sem.tokens, 0);
  assert.is(sem.waiting, 2);
  sem.release();
  assert.equal(order, [1, 2, 3]);
  sem.release();
  sem.release();
  sem.release();
  assert.equal(order, [1, 2, 3, 4]);
  assert.is(sem.tokens, 2);
});

test('rejects a limit below 1 and a release of a free semaphore', () => {
  assert.throws(() => new DeferredSemaphore(0), RangeError);
  assert.throws(() => new DeferredSemaphore(1.5), RangeError);
  assert.throws(() => new DeferredSemaphore(1).release(), /not held/);
});

test('run bounds concurrency and releases after each result', () => {
  const sem = new DeferredSemaphore(1);
  const gate = new Deferred<number>();
  let running = 0;
  let maxRunning = 0;
  const job = (result: Deferred<number> | number) => () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    const done = result instanceof Deferred ? result : new Deferred<number>();
    if (!(result instanceof Deferred)) done.callback(result);
    return done.addBoth((r) => {
      running--;
      return r;
    });
  };
  const a = sem.run(job(gate));
  const b = sem.run(job(2));
  assert.is(running, 1);
  gate.callback(1);
  assert.is(maxRunning, 1);
  const results: number[] = [];
  a.addCallback((v) => results.push(v as number));
  b.addCallback((v) => results.push(v as number));
  assert.equal(results, [1, 2]);
});

test('cancelling a waiting acquire leaves the queue', () => {
  const sem = new DeferredSemaphore(1);
  sem.acquire();
  const waiting = sem.acquire();
  waiting.addErrback(() => undefined);
  waiting.cancel();
  assert.is(sem.waiting, 0);
  sem.release();
  assert.is(sem.tokens, 1);
});

test.run();
