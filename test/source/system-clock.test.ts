import { firstValueFrom, interval, type SchedulerAction, take, timer, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DelayedCall } from '../../source/clock.js';
import { AlreadyCalledError, AlreadyCancelledError } from '../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../source/log.js';
import { SystemClock, systemClock } from '../../source/system-clock.js';

const test = suite('source/system-clock');

/** A promise of the next run of a call scheduled with `schedule(resolve)`. */
function ran<T>(schedule: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve) => schedule(resolve));
}

/** Waits `ms` real milliseconds (kept tiny). */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `body` with `setTimeout` replaced by a recorder, so a test can see the delays the clock
 * asks for and fire the timers by hand.
 */
function withFakeTimers(body: (timers: { callback: () => void; ms: number }[]) => void): void {
  const realSetTimeout = globalThis.setTimeout;
  const timers: { callback: () => void; ms: number }[] = [];
  globalThis.setTimeout = ((callback: () => void, ms: number) => {
    timers.push({ callback, ms });
    return realSetTimeout(() => undefined, 0);
  }) as typeof setTimeout;
  try {
    body(timers);
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
}

test('seconds() is wall-clock time in seconds, now() the same in milliseconds', () => {
  const clock = new SystemClock();
  const before = Date.now() / 1000;
  const seconds = clock.seconds();
  const ms = clock.now();
  assert.ok(Math.abs(seconds - before) < 1, `${seconds} vs ${before}`);
  assert.ok(ms >= seconds * 1000 && ms - seconds * 1000 < 1000);
  assert.ok(clock.seconds() >= seconds);
});

test('runs a call with its arguments, not before its time', async () => {
  const clock = new SystemClock();
  const start = clock.seconds();
  let call: DelayedCall | undefined;
  const [value, at] = await ran<[string, number]>((resolve) => {
    call = clock.callLater(0.002, (v: string) => resolve([v, clock.seconds()]), 'x');
  });
  assert.is(value, 'x');
  assert.ok(at >= start + 0.002, `ran at +${at - start}`);
  assert.ok(call!.called);
  assert.not.ok(call!.active());
  assert.equal(clock.getDelayedCalls(), []);
  assert.throws(
    () => call!.cancel(),
    (e: unknown) => e instanceof AlreadyCalledError,
  );
});

test('cancel stops a call from running', async () => {
  const clock = new SystemClock();
  let ran = false;
  const call = clock.callLater(0, () => {
    ran = true;
  });
  call.cancel();
  assert.ok(call.cancelled);
  assert.equal(clock.getDelayedCalls(), []);
  await pause(3);
  assert.not.ok(ran);
  assert.throws(
    () => call.reset(0),
    (e: unknown) => e instanceof AlreadyCancelledError,
  );
});

test('getDelayedCalls lists the active calls soonest first', () => {
  const clock = new SystemClock();
  const late = clock.callLater(60, () => undefined);
  const soon = clock.callLater(30, () => undefined);
  const tie = clock.callLater(30, () => undefined);
  const calls = clock.getDelayedCalls();
  assert.is(calls[0], soon);
  assert.is(calls.length, 3);
  assert.ok(calls.indexOf(late) > calls.indexOf(soon));
  for (const call of calls) call.cancel();
  assert.ok(tie.cancelled);
  assert.equal(clock.getDelayedCalls(), []);
});

test('reset and delay re-arm the timer', async () => {
  const clock = new SystemClock();
  const order: string[] = [];
  const done = ran<void>((resolve) => {
    const a = clock.callLater(60, () => order.push('a'));
    const b = clock.callLater(60, () => {
      order.push('b');
      resolve();
    });
    a.reset(0);
    b.delay(0.001 - 60);
    assert.ok(b.getTime() - a.getTime() < 0.01);
  });
  await done;
  assert.equal(order, ['a', 'b']);
  assert.equal(clock.getDelayedCalls(), []);
});

test('an error thrown by a call is logged, not thrown', async () => {
  const clock = new SystemClock();
  const record = await ran<LogRecord>((resolve) => {
    const subscription = logRecords$.subscribe((r) => {
      subscription.unsubscribe();
      resolve(r);
    });
    clock.callLater(0, () => {
      throw new Error('call failed');
    });
  });
  assert.is(record.namespace, 'spindle.clock');
  assert.is(record.level, 'error');
  assert.is(record.message, 'Unhandled error in delayed call');
  assert.is((record.error as Error).message, 'call failed');
});

test('a delay past what setTimeout can take is re-armed, never fired early', () => {
  const clock = new SystemClock();
  withFakeTimers((timers) => {
    let ran = false;
    const call = clock.callLater(30 * 24 * 3600, () => {
      ran = true;
    });
    assert.is(timers.length, 1);
    assert.is(timers[0]!.ms, 2 ** 31 - 1);
    timers[0]!.callback();
    assert.not.ok(ran);
    assert.ok(call.active());
    assert.is(timers.length, 2);
    assert.is(timers[1]!.ms, 2 ** 31 - 1);
    call.cancel();
  });
});

test('a timer that fires early is re-armed for the rest of the delay', () => {
  const clock = new SystemClock();
  withFakeTimers((timers) => {
    let ran = false;
    const call = clock.callLater(10, () => {
      ran = true;
    });
    timers[0]!.callback();
    assert.not.ok(ran);
    assert.is(timers.length, 2);
    assert.ok(timers[1]!.ms > 9000 && timers[1]!.ms <= 10000, String(timers[1]!.ms));
    call.cancel();
  });
});

test('rejects a negative delay', () => {
  assert.throws(() => systemClock.callLater(-1, () => undefined), RangeError);
});

test('drives rxjs timer and interval in real time', async () => {
  const start = systemClock.now();
  await firstValueFrom(timer(2, systemClock));
  assert.ok(systemClock.now() - start >= 2);
  assert.equal(await firstValueFrom(interval(1, systemClock).pipe(take(3), toArray())), [0, 1, 2]);
  assert.equal(systemClock.getDelayedCalls(), []);
});

test('an rxjs action that throws is logged and unsubscribed', async () => {
  const clock = new SystemClock();
  let action: SchedulerAction<unknown> | undefined;
  const record = await ran<LogRecord>((resolve) => {
    const subscription = logRecords$.subscribe((r) => {
      subscription.unsubscribe();
      resolve(r);
    });
    clock.schedule(function (this: SchedulerAction<unknown>) {
      action = this;
      throw new Error('work failed');
    });
  });
  assert.is((record.error as Error).message, 'work failed');
  assert.ok(action!.closed);
});

test.run();
