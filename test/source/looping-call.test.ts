import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../source/clock.js';
import { Deferred } from '../../source/deferred.js';
import type { Failure } from '../../source/failure.js';
import { LoopingCall } from '../../source/looping-call.js';
import { systemClock } from '../../source/system-clock.js';

const test = suite('source/looping-call');

/** What a Deferred fired with, read synchronously. */
function outcome<T>(d: Deferred<T>): { value?: T; failure?: Failure } {
  const seen: { value?: T; failure?: Failure } = {};
  d.addCallbacks(
    (value) => {
      seen.value = value;
    },
    (failure) => {
      seen.failure = failure;
    },
  );
  return seen;
}

test('calls at once, then every interval, with a count of 1', () => {
  const clock = new Clock();
  const calls: [number, number][] = [];
  const loop = new LoopingCall((count) => calls.push([clock.seconds(), count]), { clock });
  assert.is(loop.interval, undefined);
  loop.start(1);
  assert.ok(loop.running);
  assert.is(loop.interval, 1);
  assert.equal(calls, [[0, 1]]);
  clock.pump([1, 1, 1]);
  assert.equal(calls, [
    [0, 1],
    [1, 1],
    [2, 1],
    [3, 1],
  ]);
  loop.stop();
});

test('with now = false, the first call comes after one interval', () => {
  const clock = new Clock();
  const times: number[] = [];
  const loop = new LoopingCall(() => times.push(clock.seconds()), { clock });
  loop.start(2, false);
  clock.advance(1.9);
  assert.equal(times, []);
  clock.advance(0.1);
  assert.equal(times, [2]);
  clock.advance(4);
  assert.equal(times, [2, 4, 6]);
  loop.stop();
});

test('stop fires the Deferred with the LoopingCall and leaves no call behind', () => {
  const clock = new Clock();
  const loop = new LoopingCall(() => undefined, { clock });
  const result = outcome(loop.start(1));
  clock.advance(1);
  loop.stop();
  assert.not.ok(loop.running);
  assert.is(result.value, loop);
  assert.equal(clock.getDelayedCalls(), []);
});

test('fn stopping the loop fires the Deferred after fn returns', () => {
  const clock = new Clock();
  let n = 0;
  const loop = new LoopingCall(
    () => {
      if (++n === 3) loop.stop();
    },
    { clock },
  );
  const result = outcome(loop.start(1));
  clock.advance(5);
  assert.is(n, 3);
  assert.is(result.value, loop);
  assert.equal(clock.getDelayedCalls(), []);
});

test('an exception from fn fails the Deferred and stops the loop', () => {
  const clock = new Clock();
  let n = 0;
  const loop = new LoopingCall(
    () => {
      if (++n === 2) throw new Error('boom');
    },
    { clock },
  );
  const result = outcome(loop.start(1));
  clock.advance(1);
  assert.is(result.failure?.value.message, 'boom');
  assert.not.ok(loop.running);
  assert.equal(clock.getDelayedCalls(), []);
  clock.advance(5);
  assert.is(n, 2);
});

test('fn throwing on the first call fails the Deferred start returns', () => {
  const clock = new Clock();
  const loop = new LoopingCall(
    () => {
      throw new TypeError('bad');
    },
    { clock },
  );
  const result = outcome(loop.start(1));
  assert.instance(result.failure?.value, TypeError);
  assert.not.ok(loop.running);
});

test('the next call waits for the Deferred fn returns; missed intervals are skipped and counted', () => {
  const clock = new Clock();
  const calls: [number, number][] = [];
  let pending: Deferred<void> | undefined;
  const loop = new LoopingCall(
    (count) => {
      calls.push([clock.seconds(), count]);
      if (calls.length === 1) {
        pending = new Deferred<void>();
        return pending;
      }
      return undefined;
    },
    { clock },
  );
  loop.start(1);
  clock.advance(2.5);
  assert.equal(calls, [[0, 1]]);
  assert.equal(clock.getDelayedCalls(), []);
  pending!.callback(undefined);
  assert.is(clock.getDelayedCalls()[0]!.getTime(), 3);
  clock.advance(0.5);
  clock.advance(1);
  assert.equal(calls, [
    [0, 1],
    [3, 3],
    [4, 1],
  ]);
  loop.stop();
});

test('a call that ends exactly on a boundary waits a whole interval', () => {
  const clock = new Clock();
  const times: number[] = [];
  const loop = new LoopingCall(
    () => {
      times.push(clock.seconds());
      if (times.length === 1) clock.advance(1);
    },
    { clock },
  );
  loop.start(1);
  assert.is(clock.getDelayedCalls()[0]!.getTime(), 2);
  clock.advance(1);
  assert.equal(times, [0, 2]);
  loop.stop();
});

test('decimal intervals stay on their boundaries', () => {
  const clock = new Clock();
  const calls: [number, number][] = [];
  const loop = new LoopingCall((count) => calls.push([clock.seconds(), count]), { clock });
  loop.start(0.1, false);
  clock.advance(0.3);
  clock.advance(0.1);
  assert.equal(calls, [
    [0.1, 1],
    [0.2, 1],
    [0.3, 1],
    [0.4, 1],
  ]);
  loop.stop();
});

test("a failing Deferred from fn fails the loop's Deferred", () => {
  const clock = new Clock();
  const inner = new Deferred<void>();
  const loop = new LoopingCall(() => inner, { clock });
  const result = outcome(loop.start(1));
  assert.ok(loop.running);
  inner.errback(new Error('inner failed'));
  assert.is(result.failure?.value.message, 'inner failed');
  assert.not.ok(loop.running);
});

test('a promise from fn is waited for too', async () => {
  const clock = new Clock();
  let n = 0;
  const loop = new LoopingCall(() => (++n === 1 ? Promise.resolve() : Promise.reject(new Error('no'))), {
    clock,
  });
  const result = outcome(loop.start(1));
  await Promise.resolve();
  await Promise.resolve();
  assert.is(clock.getDelayedCalls().length, 1);
  clock.advance(1);
  assert.is(n, 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(result.failure?.value.message, 'no');
});

test("stop while fn's Deferred is pending fires the loop's Deferred when it settles", () => {
  const clock = new Clock();
  const inner = new Deferred<void>();
  const loop = new LoopingCall(() => inner, { clock });
  const result = outcome(loop.start(1));
  loop.stop();
  assert.not.ok(loop.running);
  assert.not.ok('value' in result);
  inner.callback(undefined);
  assert.is(result.value, loop);
  assert.equal(clock.getDelayedCalls(), []);
});

test('restarting while an old call is pending leaves one schedule, and each Deferred its own end', () => {
  const clock = new Clock();
  const inners: Deferred<void>[] = [];
  const loop = new LoopingCall(
    () => {
      const d = new Deferred<void>();
      inners.push(d);
      return d;
    },
    { clock },
  );
  const first = outcome(loop.start(1));
  loop.stop();
  const second = outcome(loop.start(1));
  assert.is(inners.length, 2);
  inners[0]!.callback(undefined);
  assert.is(first.value, loop);
  assert.equal(clock.getDelayedCalls(), []);
  inners[1]!.callback(undefined);
  assert.is(clock.getDelayedCalls().length, 1);
  assert.ok(loop.running);
  loop.stop();
  assert.is(second.value, loop);
});

test("an old call failing after a restart fails only the old loop's Deferred", () => {
  const clock = new Clock();
  const inners: Deferred<void>[] = [];
  const loop = new LoopingCall(
    () => {
      const d = new Deferred<void>();
      inners.push(d);
      return d;
    },
    { clock },
  );
  const first = outcome(loop.start(1));
  loop.stop();
  loop.start(1);
  inners[0]!.errback(new Error('old failed'));
  assert.is(first.failure?.value.message, 'old failed');
  assert.ok(loop.running);
  inners[1]!.callback(undefined);
  loop.stop();
});

test('reset skips the next call and counts intervals from now', () => {
  const clock = new Clock();
  const calls: [number, number][] = [];
  const loop = new LoopingCall((count) => calls.push([clock.seconds(), count]), { clock });
  loop.start(2);
  clock.advance(1);
  loop.reset();
  clock.advance(1.5);
  assert.equal(calls, [[0, 1]]);
  clock.advance(0.5);
  clock.advance(2);
  assert.equal(calls, [
    [0, 1],
    [3, 1],
    [5, 1],
  ]);
  loop.stop();
});

test("reset does nothing while fn's Deferred is pending", () => {
  const clock = new Clock();
  const inner = new Deferred<void>();
  const loop = new LoopingCall(() => inner, { clock });
  loop.start(1);
  loop.reset();
  assert.equal(clock.getDelayedCalls(), []);
  inner.callback(undefined);
  assert.is(clock.getDelayedCalls()[0]!.getTime(), 1);
  loop.stop();
});

test('an interval of 0 calls as often as the clock allows', () => {
  const clock = new Clock();
  const counts: number[] = [];
  const loop = new LoopingCall(
    (count) => {
      counts.push(count);
      if (counts.length === 5) loop.stop();
    },
    { clock },
  );
  const result = outcome(loop.start(0, false));
  clock.advance(0);
  assert.equal(counts, [1, 1, 1, 1, 1]);
  assert.is(result.value, loop);
});

test('start while running, a bad interval, and stop or reset while stopped all throw', () => {
  const clock = new Clock();
  const loop = new LoopingCall(() => undefined, { clock });
  assert.throws(() => loop.stop(), /not running/);
  assert.throws(() => loop.reset(), /not running/);
  assert.throws(() => loop.start(-1), RangeError);
  assert.throws(() => loop.start(Number.NaN), RangeError);
  assert.not.ok(loop.running);
  loop.start(1);
  assert.throws(() => loop.start(1), /running already/);
  loop.stop();
});

test('the clock defaults to systemClock', () => {
  assert.is(new LoopingCall(() => undefined).clock, systemClock);
});

test.run();
