import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { delay } from '../../../operators/async/delay.js';
import { Clock } from '../../../source/clock.js';
import { collect, manualSource, settle } from './_sources.js';

const test = suite('operators/async/delay');

test('waits the given seconds on the clock before touching the source', async () => {
  const clock = new Clock();
  const source = manualSource(['a', 'b'], { ends: true });
  let done = false;
  const collected = collect(delay<string>(3, clock)(source)).finally(() => {
    done = true;
  });
  await settle();
  clock.advance(2.999);
  await settle();
  assert.is(source.nexts, 0);
  assert.not.ok(done);
  clock.advance(0.001);
  const { values, error } = await collected;
  assert.equal(values, ['a', 'b']);
  assert.is(error, undefined);
  assert.is(source.returns, 0);
});

test('waits no time at all for 0 seconds, at the next turn of the clock', async () => {
  const clock = new Clock();
  const collected = collect(delay<string>(0, clock)(manualSource(['a'], { ends: true })));
  await settle();
  clock.advance(0);
  assert.equal((await collected).values, ['a']);
});

test('throws the signal reason at once when aborted while waiting, cancelling the timer', async () => {
  const clock = new Clock();
  const controller = new AbortController();
  const source = manualSource(['a']);
  const collected = collect(delay<string>(10, clock, { signal: controller.signal })(source));
  await settle();
  assert.is(clock.getDelayedCalls().length, 1);
  controller.abort(new Error('stop'));
  const { values, error } = await collected;
  assert.equal(values, []);
  assert.is((error as Error).message, 'stop');
  assert.equal(clock.getDelayedCalls(), []);
  assert.is(source.nexts, 0);
});

test('throws the reason of an already aborted signal without starting the timer', async () => {
  const clock = new Clock();
  const { error } = await collect(
    delay<string>(1, clock, { signal: AbortSignal.abort() })(manualSource(['a'])),
  );
  assert.is((error as DOMException).name, 'AbortError');
  assert.equal(clock.getDelayedCalls(), []);
});

test('throws the reason of a signal aborted between values, and releases the source', async () => {
  const clock = new Clock();
  const controller = new AbortController();
  const source = manualSource(['a', 'b']);
  const iterator = delay<string>(1, clock, { signal: controller.signal })(source)[Symbol.asyncIterator]();
  const first = iterator.next();
  await settle();
  clock.advance(1);
  assert.equal(await first, { value: 'a', done: false });
  controller.abort();
  const failure = await iterator.next().then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.is((failure as DOMException).name, 'AbortError');
  assert.is(source.returns, 1);
});

test('releases the source when the consumer stops early', async () => {
  const clock = new Clock();
  const source = manualSource(['a', 'b']);
  const iterator = delay<string>(1, clock)(source)[Symbol.asyncIterator]();
  const first = iterator.next();
  await settle();
  clock.advance(1);
  assert.equal(await first, { value: 'a', done: false });
  await iterator.return?.();
  assert.is(source.returns, 1);
});

test("plugs into ix's pipe", async () => {
  const clock = new Clock();
  const collected = collect(from(['a']).pipe(delay(2, clock)));
  await settle();
  clock.advance(2);
  assert.equal((await collected).values, ['a']);
});

test('refuses a delay that is not a non-negative finite number of seconds', () => {
  for (const seconds of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => delay(seconds, new Clock()),
      (error: unknown) => error instanceof RangeError,
    );
  }
});

test.run();
