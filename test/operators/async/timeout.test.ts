import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { timeout } from '../../../operators/async/timeout.js';
import { Clock } from '../../../source/clock.js';
import { TimeoutError } from '../../../source/errors.js';
import { collect, manualSource, settle } from './_sources.js';

const test = suite('operators/async/timeout');

/** Where a promise stands, without waiting for it. */
function watch<T>(promise: Promise<T>): {
  state: 'pending' | 'resolved' | 'rejected';
  value?: T;
  error?: unknown;
} {
  const watched: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    state: 'pending',
  };
  promise.then(
    (value) => Object.assign(watched, { state: 'resolved', value }),
    (error: unknown) => Object.assign(watched, { state: 'rejected', error }),
  );
  return watched;
}

test('yields the values that arrive in time', async () => {
  const clock = new Clock();
  const source = manualSource<string>();
  const iterator = timeout<string>(3, clock)(source)[Symbol.asyncIterator]();
  const first = watch(iterator.next());
  await settle();
  clock.advance(2.9);
  source.push('a');
  await settle();
  assert.equal(first.value, { value: 'a', done: false });
  const second = watch(iterator.next());
  await settle();
  clock.advance(2.9);
  source.end();
  await settle();
  assert.equal(second.value, { value: undefined, done: true });
  assert.equal(clock.getDelayedCalls(), []);
  assert.is(source.returns, 0);
});

test('throws TimeoutError when a value takes longer than the timeout, and releases the source', async () => {
  const clock = new Clock();
  const source = manualSource<string>();
  const next = watch(timeout<string>(3, clock)(source)[Symbol.asyncIterator]().next());
  await settle();
  clock.advance(2.999);
  await settle();
  assert.is(next.state, 'pending');
  clock.advance(0.001);
  await settle();
  assert.is(next.state, 'rejected');
  assert.instance(next.error, TimeoutError);
  assert.is((next.error as TimeoutError).seconds, 3);
  assert.is(source.returns, 1);
  assert.equal(clock.getDelayedCalls(), []);
});

test('counts from when a value is asked for, so a slow consumer does not time out its source', async () => {
  const clock = new Clock();
  const source = manualSource(['a', 'b'], { ends: true });
  const seen: string[] = [];
  for await (const value of timeout<string>(1, clock)(source)) {
    seen.push(value);
    clock.advance(5);
  }
  assert.equal(seen, ['a', 'b']);
});

test('gives up on a stuck native generator without waiting for it to finish', async () => {
  const clock = new Clock();
  let stuck = true;
  async function* hanging(): AsyncGenerator<string> {
    try {
      yield await new Promise<string>(() => {});
    } finally {
      stuck = false;
    }
  }
  const next = watch(timeout<string>(1, clock)(hanging())[Symbol.asyncIterator]().next());
  await settle();
  clock.advance(1);
  await settle();
  assert.instance(next.error, TimeoutError);
  assert.ok(stuck);
});

test('ignores what the source brings after a timeout', async () => {
  const clock = new Clock();
  const source = manualSource<string>();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const next = watch(timeout<string>(1, clock)(source)[Symbol.asyncIterator]().next());
    await settle();
    clock.advance(1);
    await settle();
    source.fail(new Error('too late'));
    await settle();
    await settle();
    assert.instance(next.error, TimeoutError);
    assert.equal(unhandled, []);
    const other = manualSource<string>();
    const late = watch(timeout<string>(1, clock)(other)[Symbol.asyncIterator]().next());
    await settle();
    clock.advance(1);
    other.push('too late');
    await settle();
    assert.instance(late.error, TimeoutError);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('still throws TimeoutError when the stuck source refuses to be released', async () => {
  const clock = new Clock();
  const refusing: AsyncIterableIterator<string> = {
    next: () => new Promise(() => {}),
    return: () => {
      throw new Error('cannot stop');
    },
    [Symbol.asyncIterator]: () => refusing,
  };
  const next = watch(timeout<string>(1, clock)(refusing)[Symbol.asyncIterator]().next());
  await settle();
  clock.advance(1);
  await settle();
  assert.instance(next.error, TimeoutError);
});

test('passes a source error on without releasing the source', async () => {
  const clock = new Clock();
  const source = manualSource(['a']);
  const failure = new Error('lost');
  source.fail(failure);
  const { values, error } = await collect(timeout<string>(1, clock)(source));
  assert.equal(values, ['a']);
  assert.is(error, failure);
  assert.is(source.returns, 0);
  assert.equal(clock.getDelayedCalls(), []);
});

test('releases the source when the consumer stops early', async () => {
  const clock = new Clock();
  const source = manualSource(['a', 'b']);
  for await (const value of timeout<string>(1, clock)(source)) {
    assert.is(value, 'a');
    break;
  }
  assert.is(source.returns, 1);
  assert.equal(clock.getDelayedCalls(), []);
});

test('throws the signal reason at once when aborted while waiting, and releases the source', async () => {
  const clock = new Clock();
  const controller = new AbortController();
  const source = manualSource<string>();
  const next = watch(
    timeout<string>(10, clock, { signal: controller.signal })(source)[Symbol.asyncIterator]().next(),
  );
  await settle();
  controller.abort(new Error('stop'));
  await settle();
  assert.is((next.error as Error).message, 'stop');
  assert.is(source.returns, 1);
  assert.equal(clock.getDelayedCalls(), []);
});

test('throws the reason of an already aborted signal without touching the source', async () => {
  const source = manualSource(['a']);
  const { error } = await collect(timeout<string>(1, new Clock(), { signal: AbortSignal.abort() })(source));
  assert.is((error as DOMException).name, 'AbortError');
  assert.is(source.nexts, 0);
});

test('throws the reason of a signal aborted between values', async () => {
  const controller = new AbortController();
  const source = manualSource(['a', 'b']);
  const seen: string[] = [];
  let failure: unknown;
  try {
    for await (const value of timeout<string>(1, new Clock(), { signal: controller.signal })(source)) {
      seen.push(value);
      controller.abort();
    }
  } catch (error) {
    failure = error;
  }
  assert.equal(seen, ['a']);
  assert.is((failure as DOMException).name, 'AbortError');
  assert.is(source.returns, 1);
});

test("plugs into ix's pipe", async () => {
  const clock = new Clock();
  const { values } = await collect(from(['a', 'b']).pipe(timeout(1, clock)));
  assert.equal(values, ['a', 'b']);
});

test('refuses a timeout that is not a positive finite number of seconds', () => {
  for (const seconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => timeout(seconds, new Clock()),
      (error: unknown) => error instanceof RangeError,
    );
  }
});

test.run();
