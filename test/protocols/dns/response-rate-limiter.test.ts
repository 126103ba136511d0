import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponseRateLimiter } from '../../../protocols/dns/response-rate-limiter.js';
import { checkClean, trackedClock } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/dns/response-rate-limiter'));

const verdicts = (limiter: ResponseRateLimiter, address: string, count: number) =>
  Array.from({ length: count }, () => limiter.admit(address));

test('a client gets its burst at once, then every second response slips truncated and the rest are dropped', () => {
  const limiter = new ResponseRateLimiter(trackedClock(), { responsesPerSecond: 2, burst: 3 });
  assert.equal(verdicts(limiter, '127.0.0.1', 7), [
    'answer',
    'answer',
    'answer',
    'drop',
    'slip',
    'drop',
    'slip',
  ]);
});

test('tokens come back at the rate, on the clock, up to the burst', () => {
  const clock = trackedClock();
  const limiter = new ResponseRateLimiter(clock, { responsesPerSecond: 2, burst: 2, slip: 0 });
  assert.equal(verdicts(limiter, 'a', 3), ['answer', 'answer', 'drop']);
  clock.advance(0.5);
  assert.equal(verdicts(limiter, 'a', 2), ['answer', 'drop']);
  clock.advance(60);
  assert.equal(
    verdicts(limiter, 'a', 3),
    ['answer', 'answer', 'drop'],
    'a long quiet refills the burst, no more',
  );
});

test('each address has its own bucket', () => {
  const limiter = new ResponseRateLimiter(trackedClock(), { responsesPerSecond: 1, slip: 0 });
  assert.equal([limiter.admit('a'), limiter.admit('a'), limiter.admit('b')], ['answer', 'drop', 'answer']);
});

test('past maxClients the longest-tracked client is forgotten (and starts again with a full bucket)', () => {
  const limiter = new ResponseRateLimiter(trackedClock(), { responsesPerSecond: 1, slip: 0, maxClients: 2 });
  assert.equal([limiter.admit('a'), limiter.admit('a')], ['answer', 'drop']);
  limiter.admit('b');
  limiter.admit('c');
  assert.is(limiter.admit('a'), 'answer', 'a was forgotten when c came');
});

test('a rate of zero is refused', () => {
  assert.throws(() => new ResponseRateLimiter(trackedClock(), { responsesPerSecond: 0 }), /above 0/);
});

test.run();
