import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Deferred } from '../../source/deferred.js';
import { reactor } from '../../source/reactor.js';
import { checkClean, trackedClock } from '../../source/testing/dirty-reactor.js';
import { timerService } from '../../source/timer-service.js';
import { failureOf } from '../support/failure-of.js';
import { captureLogs } from '../support/recording-services.js';

const test = checkClean(suite('source/timer-service'));

test('calls at the start, then every interval; the stop ends the calls', () => {
  const clock = trackedClock();
  const times: number[] = [];
  const ticker = timerService(5, () => times.push(clock.seconds()), { clock });
  assert.is(ticker.interval, 5);
  ticker.startService();
  assert.equal(times, [0]);
  clock.pump([5, 5]);
  assert.equal(times, [0, 5, 10]);
  assert.ok(ticker.stopService().called);
  clock.advance(20);
  assert.equal(times, [0, 5, 10]);
});

test('now: false: the first call comes an interval after the start; a restart starts afresh', () => {
  const clock = trackedClock();
  const times: number[] = [];
  const ticker = timerService(2, () => times.push(clock.seconds()), { clock, now: false });
  ticker.startService();
  assert.equal(times, []);
  clock.advance(2);
  assert.equal(times, [2]);
  ticker.stopService();
  clock.advance(1);
  ticker.startService();
  clock.advance(2);
  assert.equal(times, [2, 5]);
  ticker.stopService();
});

test('the stop waits for a call in progress; counts say how many intervals passed', () => {
  const clock = trackedClock();
  const counts: number[] = [];
  let pending: Deferred<void> | undefined;
  const ticker = timerService(
    1,
    (count) => {
      counts.push(count);
      pending = new Deferred<void>();
      return pending;
    },
    { clock },
  );
  ticker.startService();
  clock.advance(2.5); // the first call is still pending: the boundaries at 1 and 2 pass
  pending!.callback(undefined);
  clock.advance(0.5);
  assert.equal(counts, [1, 3]);
  const stopped = ticker.stopService();
  assert.not.ok(stopped.called);
  pending!.callback(undefined);
  assert.ok(stopped.called);
  assert.is(ticker.state, 'stopped');
});

test('a function that throws is logged, the calls end, and the service stops at once', () => {
  const clock = trackedClock();
  const logs = captureLogs();
  let calls = 0;
  const ticker = timerService(
    1,
    () => {
      calls++;
      if (calls === 2) throw new TypeError('cache is undefined');
    },
    { clock, name: 'pruner' },
  );
  ticker.startService();
  clock.advance(5);
  logs.stop();
  assert.is(calls, 2);
  assert.ok(ticker.running, 'it runs until stopped');
  assert.equal(logs.lines(), [
    "error [spindle.service] the service 'pruner' failed, and calls its function no more: TypeError: cache is undefined",
  ]);
  assert.ok(ticker.stopService().called);
});

test('a negative interval fails the start with RangeError', () => {
  const ticker = timerService(-1, () => undefined, { clock: trackedClock() });
  assert.instance(failureOf(ticker.startService())?.value, RangeError);
  assert.is(ticker.state, 'stopped');
});

test('runs on the process-wide reactor by default', () => {
  let calls = 0;
  const pending = () => reactor.getDelayedCalls().length;
  const before = pending();
  const ticker = timerService(3600, () => calls++);
  ticker.startService();
  assert.equal([calls, pending()], [1, before + 1]);
  ticker.stopService();
  assert.is(pending(), before);
});

test.run();
