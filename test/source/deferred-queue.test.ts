import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DeferredQueue } from '../../source/deferred-queue.js';
import { CancelledError, QueueOverflowError, QueueUnderflowError } from '../../source/errors.js';

const test = suite('source/deferred-queue');

test('get fires at once with the oldest pending item', () => {
  const q = new DeferredQueue<string>();
  q.put('a');
  q.put('b');
  assert.is(q.pending, 2);
  const got: string[] = [];
  q.get().addCallback((v) => got.push(v));
  q.get().addCallback((v) => got.push(v));
  assert.equal(got, ['a', 'b']);
});

test('a waiting get is handed the next put, oldest waiter first', () => {
  const q = new DeferredQueue<number>();
  const got: string[] = [];
  q.get().addCallback((v) => got.push(`first:${v}`));
  q.get().addCallback((v) => got.push(`second:${v}`));
  assert.is(q.waiting, 2);
  q.put(1);
  q.put(2);
  assert.equal(got, ['first:1', 'second:2']);
  assert.is(q.pending, 0);
});

test('put past size throws QueueOverflowError', () => {
  const q = new DeferredQueue<number>({ size: 1 });
  q.put(1);
  assert.throws(
    () => q.put(2),
    (e: unknown) => e instanceof QueueOverflowError,
  );
});

test('get past backlog throws QueueUnderflowError', () => {
  const q = new DeferredQueue<number>({ backlog: 1 });
  q.get();
  assert.throws(
    () => q.get(),
    (e: unknown) => e instanceof QueueUnderflowError,
  );
  const none = new DeferredQueue<number>({ backlog: 0 });
  assert.throws(
    () => none.get(),
    (e: unknown) => e instanceof QueueUnderflowError,
  );
});

test('cancelling a waiting get takes it out of the queue', () => {
  const q = new DeferredQueue<number>();
  const d = q.get();
  let trapped = false;
  d.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  d.cancel();
  assert.ok(trapped);
  assert.is(q.waiting, 0);
  q.put(5);
  assert.is(q.pending, 1);
});

test.run();
