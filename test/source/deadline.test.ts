import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReactorTime } from '../../source/clock.js';
import { Deadline } from '../../source/deadline.js';
import { checkClean, trackedClock } from '../../source/testing/dirty-reactor.js';

const test = checkClean(suite('source/deadline'));

/** A deadline on a fresh virtual clock, recording the times it expired at. */
function deadline() {
  const clock = trackedClock();
  const expired: number[] = [];
  const d = new Deadline(clock, () => expired.push(clock.seconds()));
  const due = () => clock.getDelayedCalls().map((call) => call.getTime());
  return { clock, deadline: d, expired, due };
}

test('expires at the time set, once', () => {
  const { clock, deadline: d, expired, due } = deadline();
  d.set(5);
  assert.equal(due(), [5]);
  clock.advance(4.9);
  assert.equal(expired, []);
  clock.advance(0.1);
  assert.equal(expired, [5]);
  clock.advance(10);
  assert.equal(expired, [5]);
  assert.equal(due(), []);
});

test('clear() keeps it from expiring; the pending call stays and finds nothing to do', () => {
  const { clock, deadline: d, expired, due } = deadline();
  d.set(5);
  d.clear();
  assert.equal(due(), [5], 'clearing costs no timer work');
  clock.advance(5);
  assert.equal(expired, []);
  assert.equal(due(), []);
});

test('cancel() leaves no pending call, and no expiry', () => {
  const { clock, deadline: d, expired, due } = deadline();
  d.set(5);
  d.cancel();
  assert.equal(due(), []);
  clock.advance(10);
  assert.equal(expired, []);
  d.cancel(); // twice is fine
});

test('a later deadline keeps the one delayed call, which re-arms for the rest and expires at the later time', () => {
  const { clock, deadline: d, expired, due } = deadline();
  d.set(5);
  d.set(8);
  d.set(9);
  assert.equal(due(), [5], 'one call, not moved');
  clock.advance(5);
  assert.equal(expired, [], 'the call fired early and found the deadline later');
  assert.equal(due(), [9]);
  clock.advance(3.9);
  assert.equal(expired, []);
  clock.advance(0.1);
  assert.equal(expired, [9]);
  assert.equal(due(), []);
});

test('an earlier deadline moves the call', () => {
  const { clock, deadline: d, expired, due } = deadline();
  d.set(5);
  const call = clock.getDelayedCalls()[0];
  d.set(2);
  assert.equal(due(), [2]);
  assert.is(clock.getDelayedCalls()[0], call, 'the same call, moved');
  clock.advance(2);
  assert.equal(expired, [2]);
});

test('a deadline set after a clear() that is later than the pending call waits for it, then expires on time', () => {
  const { clock, deadline: d, expired, due } = deadline();
  d.set(5);
  clock.advance(1);
  d.clear(); // a request came
  d.set(11); // it was answered: idle again, for 10 s
  assert.equal(due(), [5]);
  clock.advance(4);
  assert.equal(due(), [11]);
  clock.advance(6);
  assert.equal(expired, [11]);
});

test('set() after an expiry, or from within it, arms it again', () => {
  const { clock, deadline: d, expired, due } = deadline();
  d.set(1);
  clock.advance(1);
  d.set(3);
  assert.equal(due(), [3]);
  clock.advance(2);
  assert.equal(expired, [1, 3]);
  const again = deadline();
  let times = 0;
  const repeating = new Deadline(again.clock, () => {
    times++;
    if (times < 3) repeating.set(again.clock.seconds() + 1);
  });
  repeating.set(1);
  again.clock.advance(5);
  assert.is(times, 3);
  assert.equal(again.due(), []);
});

test('a deadline in the past expires on the next advance; `now` given by the caller is the base of the delay', () => {
  const { clock, deadline: d, expired, due } = deadline();
  clock.advance(10);
  d.set(4);
  assert.equal(due(), [10]);
  clock.advance(0);
  assert.equal(expired, [10]);
  d.set(15, 12); // the caller read the time as 12: the call is due 3 s from the clock's now
  assert.equal(due(), [13]);
  d.cancel();
});

test('a deadline that is a float sum (0.1 + 0.2) expires when the clock reaches it, without re-arming forever', () => {
  const clock = trackedClock();
  let scheduled = 0;
  const counting: ReactorTime = {
    seconds: () => clock.seconds(),
    getDelayedCalls: () => clock.getDelayedCalls(),
    callLater: (delay, fn, ...args) => {
      if (++scheduled > 10) throw new Error('the deadline keeps re-arming');
      return clock.callLater(delay, fn, ...args);
    },
  };
  const expired: number[] = [];
  const d = new Deadline(counting, () => expired.push(clock.seconds()));
  d.set(0.1 + 0.2); // 0.30000000000000004; the clock keeps nanoseconds: its call is due at 0.3
  clock.advance(0.3);
  assert.equal(expired, [0.3]);
  assert.is(scheduled, 1);
});

test.run();
