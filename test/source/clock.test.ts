import {
  debounceTime,
  delay,
  interval,
  TimeoutError as RxTimeoutError,
  type SchedulerAction,
  Subject,
  take,
  timeout,
  timer,
} from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../source/clock.js';
import { AlreadyCalledError, AlreadyCancelledError } from '../../source/errors.js';

const test = suite('source/clock');

test('starts at 0 and advance moves time forward', () => {
  const clock = new Clock();
  assert.is(clock.seconds(), 0);
  clock.advance(1.5);
  assert.is(clock.seconds(), 1.5);
  assert.is(clock.now(), 1500);
});

test('runs a call only once its time is reached, with its arguments', () => {
  const clock = new Clock();
  const seen: string[] = [];
  const call = clock.callLater(2, (a: string, b: number) => seen.push(`${a}${b}`), 'x', 1);
  assert.is(call.getTime(), 2);
  clock.advance(1.999);
  assert.equal(seen, []);
  assert.ok(call.active());
  clock.advance(0.001);
  assert.equal(seen, ['x1']);
  assert.ok(call.called);
  assert.not.ok(call.active());
  assert.equal(clock.getDelayedCalls(), []);
});

test('runs due calls in time order, ties in scheduling order', () => {
  const clock = new Clock();
  const seen: string[] = [];
  clock.callLater(3, () => seen.push('c'));
  clock.callLater(1, () => seen.push('a1'));
  clock.callLater(2, () => seen.push('b'));
  clock.callLater(1, () => seen.push('a2'));
  clock.advance(10);
  assert.equal(seen, ['a1', 'a2', 'b', 'c']);
});

test('a call sees the time it was due, and the clock ends at the target', () => {
  const clock = new Clock();
  const times: number[] = [];
  clock.callLater(1, () => times.push(clock.seconds()));
  clock.callLater(2.5, () => times.push(clock.seconds()));
  clock.advance(4);
  assert.equal(times, [1, 2.5]);
  assert.is(clock.seconds(), 4);
});

test('calls scheduled during advance for no later than the target run too', () => {
  const clock = new Clock();
  const seen: number[] = [];
  clock.callLater(1, () => {
    seen.push(clock.seconds());
    clock.callLater(0, () => seen.push(clock.seconds()));
    clock.callLater(1, () => seen.push(clock.seconds()));
    clock.callLater(5, () => seen.push(clock.seconds()));
  });
  clock.advance(2);
  assert.equal(seen, [1, 1, 2]);
  assert.is(clock.getDelayedCalls().length, 1);
});

test('getDelayedCalls lists the active calls soonest first, as a copy', () => {
  const clock = new Clock();
  const late = clock.callLater(5, () => undefined);
  const soon = clock.callLater(1, () => undefined);
  const cancelled = clock.callLater(3, () => undefined);
  cancelled.cancel();
  const calls = clock.getDelayedCalls();
  assert.equal(calls, [soon, late]);
  late.cancel();
  assert.is(calls.length, 2);
  assert.equal(clock.getDelayedCalls(), [soon]);
});

test('cancel unschedules a call', () => {
  const clock = new Clock();
  let ran = false;
  const call = clock.callLater(1, () => {
    ran = true;
  });
  call.cancel();
  assert.ok(call.cancelled);
  assert.not.ok(call.called);
  assert.not.ok(call.active());
  clock.advance(2);
  assert.not.ok(ran);
});

test('cancel, reset and delay throw AlreadyCancelledError on a cancelled call', () => {
  const clock = new Clock();
  const call = clock.callLater(1, () => undefined);
  call.cancel();
  assert.throws(
    () => call.cancel(),
    (e: unknown) => e instanceof AlreadyCancelledError,
  );
  assert.throws(
    () => call.reset(1),
    (e: unknown) => e instanceof AlreadyCancelledError,
  );
  assert.throws(
    () => call.delay(1),
    (e: unknown) => e instanceof AlreadyCancelledError,
  );
});

test('cancel, reset and delay throw AlreadyCalledError on a call that ran', () => {
  const clock = new Clock();
  const call = clock.callLater(1, () => undefined);
  clock.advance(1);
  assert.throws(
    () => call.cancel(),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
  assert.throws(
    () => call.reset(1),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
  assert.throws(
    () => call.delay(1),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
});

test('a call cannot cancel itself while it runs', () => {
  const clock = new Clock();
  let error: unknown;
  const call = clock.callLater(1, () => {
    try {
      call.cancel();
    } catch (e) {
      error = e;
    }
  });
  clock.advance(1);
  assert.instance(error, AlreadyCalledError);
});

test('reset reschedules a call from now', () => {
  const clock = new Clock();
  const seen: number[] = [];
  const call = clock.callLater(5, () => seen.push(clock.seconds()));
  clock.advance(2);
  call.reset(1);
  assert.is(call.getTime(), 3);
  clock.advance(1);
  assert.equal(seen, [3]);
});

test('delay moves a call later, or earlier with a negative amount', () => {
  const clock = new Clock();
  const seen: string[] = [];
  const a = clock.callLater(1, () => seen.push('a'));
  clock.callLater(2, () => seen.push('b'));
  a.delay(2);
  assert.is(a.getTime(), 3);
  clock.advance(2);
  assert.equal(seen, ['b']);
  a.delay(-0.5);
  assert.is(a.getTime(), 2.5);
  clock.advance(0.5);
  assert.equal(seen, ['b', 'a']);
});

test('a reset call keeps its scheduling order among ties', () => {
  const clock = new Clock();
  const seen: string[] = [];
  const a = clock.callLater(1, () => seen.push('a'));
  clock.callLater(2, () => seen.push('b'));
  a.reset(2);
  clock.advance(2);
  assert.equal(seen, ['a', 'b']);
});

test('decimal steps add up: three 0.1 s hops are due at 0.3', () => {
  const clock = new Clock();
  let hops = 0;
  const hop = () => {
    hops++;
    clock.callLater(0.1, hop);
  };
  clock.callLater(0.1, hop);
  clock.advance(0.3);
  assert.is(hops, 3);
  assert.is(clock.seconds(), 0.3);
  assert.is(clock.now(), 300);
});

test('an exception from a call propagates out of advance; the rest runs on the next advance', () => {
  const clock = new Clock();
  const seen: string[] = [];
  clock.callLater(1, () => {
    throw new Error('boom');
  });
  clock.callLater(2, () => seen.push('later'));
  assert.throws(() => clock.advance(3), /boom/);
  assert.is(clock.seconds(), 3);
  assert.equal(seen, []);
  clock.advance(0);
  assert.equal(seen, ['later']);
});

test('a call that advances the clock itself never makes time go back', () => {
  const clock = new Clock();
  const seen: number[] = [];
  clock.callLater(1, () => clock.advance(5));
  clock.callLater(3, () => seen.push(clock.seconds()));
  clock.advance(2);
  assert.equal(seen, [3]);
  assert.is(clock.seconds(), 6);
});

test('pump advances by each amount in turn', () => {
  const clock = new Clock();
  const times: number[] = [];
  clock.callLater(1, () => times.push(clock.seconds()));
  clock.callLater(2.5, () => times.push(clock.seconds()));
  clock.pump([0.5, 0.5, 1, 1]);
  assert.equal(times, [1, 2.5]);
  assert.is(clock.seconds(), 3);
});

test('rejects a negative or NaN delay and a backward advance', () => {
  const clock = new Clock();
  assert.throws(() => clock.callLater(-1, () => undefined), RangeError);
  assert.throws(() => clock.callLater(Number.NaN, () => undefined), RangeError);
  assert.throws(() => clock.advance(-1), RangeError);
  assert.equal(clock.getDelayedCalls(), []);
});

test('a call due at Infinity waits forever', () => {
  const clock = new Clock();
  const call = clock.callLater(Number.POSITIVE_INFINITY, () => undefined);
  clock.advance(1e12);
  assert.ok(call.active());
  call.cancel();
});

// rxjs scheduler

test('schedule runs work with its state after a delay in milliseconds', () => {
  const clock = new Clock();
  const seen: string[] = [];
  clock.schedule((state) => seen.push(`${state}@${clock.now()}`), 250, 'x');
  clock.advance(0.249);
  assert.equal(seen, []);
  clock.advance(0.001);
  assert.equal(seen, ['x@250']);
});

test('an action reschedules itself with this.schedule', () => {
  const clock = new Clock();
  const seen: number[] = [];
  clock.schedule(
    function (this: SchedulerAction<number>, n?: number) {
      seen.push(n!);
      if (n! < 3) this.schedule(n! + 1, 100);
    },
    100,
    0,
  );
  clock.advance(1);
  assert.equal(seen, [0, 1, 2, 3]);
  assert.equal(clock.getDelayedCalls(), []);
});

test('rescheduling replaces the pending run; a negative delay counts as 0', () => {
  const clock = new Clock();
  const seen: string[] = [];
  const action = clock.schedule((s) => seen.push(String(s)), 1000, 'first') as SchedulerAction<string>;
  action.schedule('second', -5);
  assert.is(clock.getDelayedCalls().length, 1);
  clock.advance(0);
  assert.equal(seen, ['second']);
  clock.advance(2);
  assert.equal(seen, ['second']);
});

test('unsubscribing an action cancels it, and a closed action does not reschedule', () => {
  const clock = new Clock();
  let ran = false;
  const action = clock.schedule(() => {
    ran = true;
  }, 10) as SchedulerAction<undefined>;
  action.unsubscribe();
  assert.equal(clock.getDelayedCalls(), []);
  action.schedule(undefined, 10);
  clock.advance(1);
  assert.not.ok(ran);
});

test('an action whose work throws unsubscribes and the error leaves advance', () => {
  const clock = new Clock();
  const action = clock.schedule(() => {
    throw new Error('work failed');
  });
  assert.throws(() => clock.advance(0), /work failed/);
  assert.ok(action.closed);
});

test('interval(1000, clock) emits 0, 1, 2 after advance(3)', () => {
  const clock = new Clock();
  const seen: number[] = [];
  const subscription = interval(1000, clock).subscribe((n) => seen.push(n));
  clock.advance(3);
  assert.equal(seen, [0, 1, 2]);
  subscription.unsubscribe();
  assert.equal(clock.getDelayedCalls(), []);
});

test('timer and delay run in virtual time', () => {
  const clock = new Clock();
  const seen: string[] = [];
  timer(500, clock).subscribe(() => seen.push(`timer@${clock.now()}`));
  const input = new Subject<string>();
  input.pipe(delay(2000, clock)).subscribe((v) => seen.push(`${v}@${clock.now()}`));
  input.next('a');
  clock.advance(1);
  input.next('b');
  assert.equal(seen, ['timer@500']);
  clock.advance(1);
  assert.equal(seen, ['timer@500', 'a@2000']);
  clock.advance(1);
  assert.equal(seen, ['timer@500', 'a@2000', 'b@3000']);
});

test('debounceTime emits after the quiet period in virtual time', () => {
  const clock = new Clock();
  const input = new Subject<number>();
  const seen: string[] = [];
  input.pipe(debounceTime(100, clock)).subscribe((v) => seen.push(`${v}@${clock.now()}`));
  input.next(1);
  clock.advance(0.05);
  input.next(2);
  clock.advance(0.05);
  input.next(3);
  clock.advance(0.099);
  assert.equal(seen, []);
  clock.advance(0.001);
  assert.equal(seen, ['3@200']);
});

test('timeout errors in virtual time when nothing comes', () => {
  const clock = new Clock();
  const input = new Subject<number>();
  const seen: unknown[] = [];
  input.pipe(timeout({ each: 1000, scheduler: clock })).subscribe({
    next: (v) => seen.push(v),
    error: (e: unknown) => seen.push(e instanceof RxTimeoutError ? `timeout@${clock.now()}` : e),
  });
  clock.advance(0.5);
  input.next(1);
  clock.advance(0.9);
  assert.equal(seen, [1]);
  clock.advance(0.1);
  assert.equal(seen, [1, 'timeout@1500']);
  assert.equal(clock.getDelayedCalls(), []);
});

test('take(2) of an interval releases its timer', () => {
  const clock = new Clock();
  const seen: number[] = [];
  interval(10, clock)
    .pipe(take(2))
    .subscribe({ next: (n) => seen.push(n), complete: () => seen.push(-1) });
  clock.advance(1);
  assert.equal(seen, [0, 1, -1]);
  assert.equal(clock.getDelayedCalls(), []);
});

test.run();
