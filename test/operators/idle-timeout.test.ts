import { Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { idleTimeout } from '../../operators/idle-timeout.js';
import { Clock } from '../../source/clock.js';
import { TimeoutError } from '../../source/errors.js';
import { record } from './_record.js';

const test = suite('operators/idle-timeout');
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

test('errors with TimeoutError when nothing arrives for the given seconds after subscribing', () => {
  const clock = new Clock();
  const source = new Subject<string>();
  const seen = record(source.pipe(idleTimeout(5, clock)));
  clock.advance(4.999);
  assert.is(seen.error, undefined);
  clock.advance(0.001);
  assert.instance(seen.error, TimeoutError);
  assert.is((seen.error as TimeoutError).seconds, 5);
  assert.not.ok(source.observed);
});

test('restarts the timer on every value', () => {
  const clock = new Clock();
  const source = new Subject<string>();
  const seen = record(source.pipe(idleTimeout(2, clock)));
  clock.advance(1.5);
  source.next('a');
  clock.advance(1.5);
  source.next('b');
  clock.advance(1.999);
  assert.equal(seen.values, ['a', 'b']);
  assert.is(seen.error, undefined);
  clock.advance(0.001);
  assert.instance(seen.error, TimeoutError);
  assert.equal(clock.getDelayedCalls(), []);
});

test('cancels the timer when the source completes', () => {
  const clock = new Clock();
  const source = new Subject<string>();
  const seen = record(source.pipe(idleTimeout(1, clock)));
  source.next('a');
  source.complete();
  assert.ok(seen.completed);
  assert.equal(clock.getDelayedCalls(), []);
  clock.advance(10);
  assert.is(seen.error, undefined);
});

test('cancels the timer and passes the error on when the source errors', () => {
  const clock = new Clock();
  const source = new Subject<string>();
  const seen = record(source.pipe(idleTimeout(1, clock)));
  const failure = new Error('lost');
  source.error(failure);
  assert.is(seen.error, failure);
  assert.equal(clock.getDelayedCalls(), []);
});

test('cancels the timer and releases the upstream when unsubscribed', () => {
  const clock = new Clock();
  const source = new Subject<string>();
  const seen = record(source.pipe(idleTimeout(1, clock)));
  seen.subscription.unsubscribe();
  assert.not.ok(source.observed);
  assert.equal(clock.getDelayedCalls(), []);
});

test('times each subscription on its own', () => {
  const clock = new Clock();
  const source = new Subject<string>();
  const timed = source.pipe(idleTimeout(3, clock));
  const first = record(timed);
  clock.advance(2);
  const second = record(timed);
  clock.advance(1);
  assert.instance(first.error, TimeoutError);
  assert.is(second.error, undefined);
  clock.advance(2);
  assert.instance(second.error, TimeoutError);
});

test('refuses a timeout that is not a positive finite number of seconds', () => {
  const clock = new Clock();
  assert.throws(() => idleTimeout(0, clock), isA(RangeError));
  assert.throws(() => idleTimeout(-1, clock), isA(RangeError));
  assert.throws(() => idleTimeout(Number.NaN, clock), isA(RangeError));
  assert.throws(() => idleTimeout(Number.POSITIVE_INFINITY, clock), isA(RangeError));
});

test.run();
