import { AssertionError } from 'node:assert';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../../source/clock.js';
import { ConnectionLost } from '../../../source/errors.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../../source/testing/string-transport.js';
import { expectWire, sendWire } from '../../../source/testing/wire-marbles.js';

const test = checkClean(suite('source/testing/wire-marbles'));

/**
 * A toy mail-like server: greets after a second, answers NOOP with 250 and QUIT with 221, then
 * closes a second later. One command per chunk, as sendWire delivers them.
 */
function toyServer(transport: StringTransport, clock: Clock): void {
  clock.callLater(1, () => transport.write('220 hi\r\n'));
  transport.data$.subscribe((chunk) => {
    const command = Buffer.from(chunk).toString().trim();
    if (command === 'QUIT') {
      transport.write('221 bye\r\n');
      clock.callLater(1, () => transport.close());
    } else {
      transport.write('250 ok\r\n');
    }
  });
}

/** The message of what `fn` throws. */
function thrownBy(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

test('sendWire and expectWire run a conversation frame by frame in virtual time', () => {
  const clock = new Clock();
  const transport = new StringTransport();
  toyServer(transport, clock);
  sendWire(transport, clock, '---(nq)', { n: 'NOOP\r\n', q: 'QUIT\r\n' });
  expectWire(transport, clock).toBe('-a-(bc)|', { a: '220 hi\r\n', b: '250 ok\r\n', c: '221 bye\r\n' });
  assert.is(clock.seconds(), 4);
  assert.ok(transport.closedByProtocol);
  assert.is(clock.getDelayedCalls().length, 0);
});

test('how the writes of a frame are split does not matter; white space is ignored', () => {
  const clock = new Clock();
  const transport = new StringTransport();
  transport.data$.subscribe((chunk) => {
    for (const byte of chunk) transport.write(Uint8Array.of(byte)); // one byte at a time
  });
  sendWire(transport, clock, 'x - y', { x: 'hello', y: 'world' });
  expectWire(transport, clock).toBe('h - w', { h: 'hello', w: new TextEncoder().encode('world') });
  transport.loseConnection();
});

test('without values, each character stands for itself; frames may be shorter than a second', () => {
  const clock = new Clock();
  const transport = new StringTransport();
  transport.data$.subscribe((chunk) => transport.write(chunk));
  sendWire(transport, clock, 'a-(bc)', undefined, { frame: 0.1 });
  expectWire(transport, clock, { frame: 0.1 }).toBe('a-(bc)');
  assert.is(clock.seconds(), 0.2);
  transport.loseConnection();
});

test("frame 0 holds what was written before, and a second expectation goes on from the first's end", () => {
  const clock = new Clock();
  const transport = new StringTransport();
  transport.write('early ');
  clock.callLater(0, () => transport.write('now'));
  clock.callLater(2, () => transport.write('later'));
  expectWire(transport, clock).toBe('(en)', { e: 'early ', n: 'now' });
  expectWire(transport, clock).toBe('--l', { l: 'later' });
  transport.loseConnection();
});

test("| in sendWire is the peer's FIN; | in expectWire the protocol closing", () => {
  const clock = new Clock();
  const transport = new StringTransport();
  let completed = false;
  transport.data$.subscribe({ complete: () => (completed = true) });
  sendWire(transport, clock, '-|');
  expectWire(transport, clock).toBe('-|');
  assert.ok(completed);
});

test('# in sendWire resets the connection, with the error given or a ConnectionLost', () => {
  const clock = new Clock();
  const given = new Error('pulled the plug');
  const first = new StringTransport();
  const second = new StringTransport();
  const errors: unknown[] = [];
  first.data$.subscribe({ error: (error: unknown) => errors.push(error) });
  second.data$.subscribe({ error: (error: unknown) => errors.push(error) });
  sendWire(first, clock, '#', undefined, { error: given });
  sendWire(second, clock, '-#');
  clock.advance(1);
  assert.is(errors.length, 2);
  assert.is((errors[0] as Error).message, 'connection lost: pulled the plug');
  assert.instance(errors[1], ConnectionLost);
});

test('# in expectWire is the protocol aborting, and an end in the same frame as bytes is a group', () => {
  const clock = new Clock();
  const aborting = new StringTransport();
  const ending = new StringTransport();
  clock.callLater(1, () => aborting.abort());
  clock.callLater(1, () => {
    ending.write('bye');
    ending.end();
  });
  expectWire(aborting, clock).toBe('-#');
  expectWire(ending, new Clock()).toBe('(b|)', { b: 'bye' });
  ending.loseConnection();
});

test('a wrong expectation throws an AssertionError showing both marbles and the differing bytes', () => {
  const clock = new Clock();
  const transport = new StringTransport();
  toyServer(transport, clock);
  sendWire(transport, clock, '---(nn)', { n: 'NOOP\r\n' });
  const error = thrownBy(() =>
    expectWire(transport, clock).toBe('-a-(bc)|', { a: '220 hi\r\n', b: '250 ok\r\n', c: '221 bye\r\n' }),
  );
  assert.instance(error, AssertionError);
  const failure = error as AssertionError;
  assert.is(failure.expected, '-a-(bc)|');
  assert.is(failure.actual, '-a-(bb)-');
  assert.is(failure.operator, 'expectWire');
  assert.is(
    failure.message,
    [
      'the wire differs from the marble',
      '  frame:    0 1 2 3    4',
      '  expected: - a - (bc) |',
      '  actual:   - a - (bb) -',
      '  frame 3 (3 s): expected "250 ok\\r\\n221 bye\\r\\n", written "250 ok\\r\\n250 ok\\r\\n"',
      '  frame 4 (4 s): expected the connection ended (|), got no end',
      '  where',
      '    a = "220 hi\\r\\n"',
      '    b = "250 ok\\r\\n"',
      '    c = "221 bye\\r\\n"',
    ].join('\n'),
  );
  transport.loseConnection();
});

test('bytes that match no value get a made-up letter; binary and control bytes are escaped', () => {
  const clock = new Clock();
  const transport = new StringTransport();
  clock.callLater(0, () => transport.write(Uint8Array.of(0xff, 0x41, 0x0a)));
  clock.callLater(1, () => transport.write('tab\there\u0001 "q" \\ é'));
  clock.callLater(2, () => transport.write(Uint8Array.of(0xff, 0x41, 0x0a)));
  const error = thrownBy(() => expectWire(transport, clock).toBe('a--', { a: 'A' }));
  assert.is(
    error.message,
    [
      'the wire differs from the marble',
      '  frame:    0 1 2',
      '  expected: a - -',
      '  actual:   A B A',
      '  frame 0 (0 s): expected "A", written "\\xffA\\n"',
      '  frame 1 (1 s): expected "", written "tab\\there\\x01 \\"q\\" \\\\ é"',
      '  frame 2 (2 s): expected "", written "\\xffA\\n"',
      '  where',
      '    a = "A"',
      '    A = "\\xffA\\n" (written, matches no value)',
      '    B = "tab\\there\\x01 \\"q\\" \\\\ é" (written, matches no value)',
    ].join('\n'),
  );
  transport.loseConnection();
});

test('an unexpected end, or a missing abort, is reported', () => {
  const clock = new Clock();
  const transport = new StringTransport();
  clock.callLater(0, () => transport.end());
  const early = thrownBy(() => expectWire(transport, clock).toBe('-'));
  assert.match(early.message, /frame 0 \(0 s\): expected no end, got the connection ended \(\|\)/);
  const other = new StringTransport();
  const missing = thrownBy(() => expectWire(other, clock).toBe('#'));
  assert.match(missing.message, /expected the connection aborted \(#\), got no end/);
  assert.match(missing.message, /actual: {3}-/);
  transport.loseConnection();
  other.loseConnection();
});

test('malformed marbles and characters without a value are rejected', () => {
  const clock = new Clock();
  const transport = new StringTransport();
  const wire = expectWire(transport, clock);
  for (const [marble, problem] of [
    ['(ab', '"(" without ")"'],
    ['ab)', '")" without "("'],
    ['((a))', '"(" inside a group'],
    ['(a-b)', '"-" inside a group'],
    ['(|a)', '"a" after "|" in a group'],
  ] as const) {
    assert.throws(
      () => wire.toBe(marble),
      (error: unknown) =>
        error instanceof SyntaxError && error.message === `bad wire marble "${marble}": ${problem}`,
      marble,
    );
  }
  assert.throws(() => sendWire(transport, clock, 'ab', { a: 'x' }), /uses "b", which has no value/);
  assert.is(clock.getDelayedCalls().length, 0, 'nothing was scheduled for a bad marble');
  transport.loseConnection();
});

test('toBeAsync lets promise-based pipelines answer within their frame', async () => {
  const clock = new Clock();
  const transport = new StringTransport();
  const served = (async () => {
    for await (const chunk of transport) {
      await Promise.resolve();
      transport.write(`got ${Buffer.from(chunk).toString()}`);
    }
  })();
  sendWire(transport, clock, '-a--b', { a: 'one', b: 'two' });
  await expectWire(transport, clock).toBeAsync('-a--b', { a: 'got one', b: 'got two' });
  transport.loseConnection();
  await served;
});

test('toBeAsync reports mismatches as toBe does', async () => {
  const clock = new Clock();
  const transport = new StringTransport();
  try {
    await expectWire(transport, clock).toBeAsync('a', { a: 'x' });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, AssertionError);
  }
  transport.loseConnection();
});

test.run();
