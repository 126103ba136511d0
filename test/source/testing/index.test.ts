import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock as CoreClock } from '../../../source/clock.js';
import * as testing from '../../../source/testing/index.js';

const test = testing.checkClean(suite('source/testing/index'));

test('exports the test doubles by name, and the virtual Clock', () => {
  assert.equal(Object.keys(testing).sort(), [
    'Clock',
    'DirtyReactorError',
    'MemoryReactor',
    'MemoryServer',
    'StringTransport',
    'checkClean',
    'connectedPair',
    'expectWire',
    'findLeftovers',
    'sendWire',
    'trackedClock',
  ]);
  assert.is(testing.Clock, CoreClock);
});

test('the entry example runs: an echo protocol checked with wire marbles', () => {
  const { Clock, StringTransport, sendWire, expectWire } = testing;
  const clock = new Clock();
  const transport = new StringTransport();
  transport.data$.subscribe(transport);
  sendWire(transport, clock, '-a-b', { a: 'hi\r\n', b: 'bye\r\n' });
  expectWire(transport, clock).toBe('-a-b', { a: 'hi\r\n', b: 'bye\r\n' });
  transport.loseConnection();
});

test.run();
