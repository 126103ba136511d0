import { finalize, of, Subject, throwError } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fromObservable } from '../../../operators/async/from-observable.js';
import { QueueOverflowError } from '../../../source/errors.js';

const test = suite('operators/async/from-observable');

test('yields every value of the observable in order and ends when it completes', async () => {
  const got: number[] = [];
  for await (const value of fromObservable(of(1, 2, 3))) got.push(value);
  assert.equal(got, [1, 2, 3]);
});

test('the source error ends the loop with that error', async () => {
  const error = new Error('source failed');
  try {
    for await (const _ of fromObservable(throwError(() => error))) assert.unreachable();
    assert.unreachable();
  } catch (e) {
    assert.is(e, error);
  }
});

test("past maxBuffered the 'error' policy fails with QueueOverflowError", async () => {
  const subject = new Subject<number>();
  const iterator = fromObservable(subject, { maxBuffered: 2 })[Symbol.asyncIterator]();
  const first = iterator.next();
  subject.next(1);
  assert.equal(await first, { value: 1, done: false });
  subject.next(2);
  subject.next(3);
  subject.next(4); // the reader is away: 2 and 3 wait, 4 is one too many
  try {
    await iterator.next();
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof QueueOverflowError);
  }
});

test("'drop-newest' and 'drop-oldest' keep the buffer bounded and count what they drop", async () => {
  for (const [policy, expected] of [
    ['drop-newest', [1, 2]],
    ['drop-oldest', [3, 4]],
  ] as const) {
    const subject = new Subject<number>();
    const bounded = fromObservable(subject, { maxBuffered: 2, overflow: policy });
    const iterator = bounded[Symbol.asyncIterator]();
    const first = iterator.next(); // subscribes
    subject.next(0);
    await first;
    for (const n of [1, 2, 3, 4]) subject.next(n);
    subject.complete();
    const rest: number[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    assert.equal(rest, [...expected], policy);
    assert.is(bounded.dropped, 2, policy);
  }
});

test('breaking out of the loop unsubscribes from the source', async () => {
  let unsubscribed = false;
  const subject = new Subject<number>();
  const source$ = subject.pipe(finalize(() => (unsubscribed = true)));
  const loop = (async () => {
    for await (const value of fromObservable(source$)) if (value === 2) break;
  })();
  await Promise.resolve();
  subject.next(1);
  subject.next(2);
  await loop;
  assert.ok(unsubscribed);
});

test('an abort signal ends the loop with its reason; a bad maxBuffered is refused', async () => {
  const controller = new AbortController();
  const subject = new Subject<number>();
  const loop = (async () => {
    for await (const _ of fromObservable(subject, { signal: controller.signal })) {
    }
  })();
  await Promise.resolve();
  controller.abort(new Error('stop'));
  try {
    await loop;
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).message, 'stop');
  }
  assert.throws(() => fromObservable(subject, { maxBuffered: 0 }), RangeError);
});

test.run();
