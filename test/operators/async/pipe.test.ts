import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AsyncOperator } from '../../../operators/async/async-operator.js';
import { encodeLines } from '../../../operators/async/encode-lines.js';
import { lines } from '../../../operators/async/lines.js';
import { pipe } from '../../../operators/async/pipe.js';
import { timeout } from '../../../operators/async/timeout.js';
import { TimeoutError } from '../../../source/errors.js';
import { connectedPair } from '../../../source/testing/connected-pair.js';
import { checkClean, trackedClock } from '../../../source/testing/dirty-reactor.js';
import { collect, manualSource, settle } from './_sources.js';

const test = checkClean(suite('operators/async/pipe'));
const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** Upper-cases each line: an operator written by hand, as a user would. */
const upper: AsyncOperator<string, string> = async function* (source) {
  for await (const line of source) yield line.toUpperCase();
};

/** An operator that appends `/tag` to each value, to see the order operators run in. */
const tag = (name: string): AsyncOperator<string, string> =>
  async function* (source) {
    for await (const value of source) yield `${value}/${name}`;
  };

test('chains timeout, lines and a map over a source on the virtual clock, until the timeout', async () => {
  const clock = trackedClock();
  const source = manualSource<Uint8Array>();
  const shouted: AsyncIterable<string> = pipe(source, timeout(30, clock), lines(), upper);
  const iterator = shouted[Symbol.asyncIterator]();
  const first = iterator.next();
  source.push(bytes('hello\r\nwor'));
  assert.equal(await first, { value: 'HELLO', done: false });
  const second = iterator.next();
  await settle();
  clock.advance(29);
  source.push(bytes('ld\r\n'));
  assert.equal(await second, { value: 'WORLD', done: false });
  const third = iterator.next().then(
    (result) => result,
    (error: unknown) => error,
  );
  await settle();
  clock.advance(30);
  const error = await third;
  assert.instance(error, TimeoutError);
  assert.is(source.returns, 1);
});

test('chains timeout, lines and a map over an in-memory connection', async () => {
  const clock = trackedClock();
  const { client, server, flush } = connectedPair();
  client.write('hello\r\nwor');
  client.write('ld\r\nbye\r\n');
  client.end();
  const { values, error } = await collect(pipe(server, timeout(30, clock), lines(), upper));
  assert.is(error, undefined);
  assert.equal(values, ['HELLO', 'WORLD', 'BYE']);
  server.close();
  client.close();
  await flush();
});

test('applies the operators left to right, to the output of the one before', async () => {
  const { values } = await collect(pipe(manualSource(['x'], { ends: true }), tag('a'), tag('b'), tag('c')));
  assert.equal(values, ['x/a/b/c']);
});

test('gives back the source itself when there is no operator', () => {
  const source = manualSource<string>();
  assert.is(pipe(source), source);
});

test('chains more than nine operators', async () => {
  const piped: AsyncIterable<unknown> = pipe(
    manualSource(['x'], { ends: true }),
    tag('1'),
    tag('2'),
    tag('3'),
    tag('4'),
    tag('5'),
    tag('6'),
    tag('7'),
    tag('8'),
    tag('9'),
    tag('10'),
  );
  const { values } = await collect(piped);
  assert.equal(values, ['x/1/2/3/4/5/6/7/8/9/10']);
});

test('releases the source through the whole chain when the consumer stops early', async () => {
  const clock = trackedClock();
  const source = manualSource([bytes('a\r\nb\r\n')]);
  for await (const line of pipe(source, timeout(30, clock), lines(), upper)) {
    assert.is(line, 'A');
    break;
  }
  assert.is(source.returns, 1);
});

test('types the chain end to end: an operator must take what the one before it gives', () => {
  const clock = trackedClock();
  const source = manualSource<Uint8Array>();
  // @ts-expect-error upper takes strings, and timeout gives the source's Uint8Arrays
  pipe(source, timeout(30, clock), upper);
  // @ts-expect-error the chain gives strings, not numbers
  pipe(source, timeout(30, clock), lines(), upper) satisfies AsyncIterable<number>;
  pipe(source, timeout(30, clock), lines(), upper, encodeLines()) satisfies AsyncIterable<Uint8Array>;
  assert.is(source.nexts, 0, 'nothing is read before the result is iterated');
});

test("runs our operators inside IxJS's own pipe, one operator at a time", async () => {
  const clock = trackedClock();
  const source = manualSource([bytes('a\r\nb')], { ends: true });
  const { values } = await collect(from(source).pipe(timeout(30, clock)));
  assert.equal(
    values.map((chunk) => Buffer.from(chunk).toString()),
    ['a\r\nb'],
  );
  const shouted = await collect(from(['x', 'y']).pipe(upper));
  assert.equal(shouted.values, ['X', 'Y']);
});

test.run();
