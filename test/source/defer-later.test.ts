import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../source/clock.js';
import { deferLater } from '../../source/defer-later.js';
import { CancelledError } from '../../source/errors.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';

const test = checkClean(suite('source/defer-later'));

test('fires with the function result once the time has passed', () => {
  const clock = new Clock();
  const seen: string[] = [];
  deferLater(clock, 3, () => 'done').addCallback((v) => seen.push(v));
  clock.advance(2.9);
  assert.equal(seen, []);
  clock.advance(0.1);
  assert.equal(seen, ['done']);
});

test('without a function it fires with undefined', () => {
  const clock = new Clock();
  let fired = false;
  deferLater(clock, 1).addCallback((v) => {
    fired = v === undefined;
  });
  clock.advance(1);
  assert.ok(fired);
});

test('a throwing function fails the Deferred', () => {
  const clock = new Clock();
  let message = '';
  deferLater(clock, 1, () => {
    throw new Error('late failure');
  }).addErrback((f) => {
    message = f.value.message;
  });
  clock.advance(1);
  assert.is(message, 'late failure');
});

test('cancelling before then cancels the scheduled call', () => {
  const clock = new Clock();
  let ran = false;
  const d = deferLater(clock, 5, () => {
    ran = true;
  });
  let trapped = false;
  d.addErrback((f) => {
    f.trap(CancelledError);
    trapped = true;
  });
  d.cancel();
  assert.ok(trapped);
  assert.is(clock.getDelayedCalls().length, 0);
  clock.advance(10);
  assert.not.ok(ran);
});

test.run();
