import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lines } from '../../../operators/async/lines.js';
import { LineTooLongError } from '../../../source/errors.js';
import { chunkings } from '../../support/chunkings.js';
import { collect, manualSource, settle } from './_sources.js';

const test = suite('operators/async/lines');
const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

test('yields the lines of a chunked source, at every split', async () => {
  for (const { label, chunks } of chunkings(bytes('a\r\nbé✓\r\n\r\nc'))) {
    const source = manualSource(chunks, { ends: true });
    const { values, error } = await collect(lines()(source));
    assert.is(error, undefined, label);
    assert.equal(values, ['a', 'bé✓', ''], label);
    assert.is(source.returns, 0, label);
  }
});

test("plugs into ix's pipe", async () => {
  const { values } = await collect(from([bytes('one\ntw'), bytes('o\n')]).pipe(lines({ delimiter: '\n' })));
  assert.equal(values, ['one', 'two']);
});

test('yields Uint8Arrays with encoding null', async () => {
  const { values } = await collect(
    lines({ encoding: null })(manualSource([bytes('\xff\r\n')], { ends: true })),
  );
  const first: Uint8Array = values[0]!;
  assert.equal([...first], [0xc3, 0xbf]);
});

test('throws LineTooLongError after the lines before it, and releases the source', async () => {
  const source = manualSource([bytes('ok\r\ntoo long')]);
  const { values, error } = await collect(lines({ maxLength: 4 })(source));
  assert.equal(values, ['ok']);
  assert.instance(error, LineTooLongError);
  assert.is(source.returns, 1);
});

test('releases the source when the consumer stops early', async () => {
  const source = manualSource([bytes('a\r\nb\r\n')]);
  for await (const line of lines()(source)) {
    assert.is(line, 'a');
    break;
  }
  assert.is(source.returns, 1);
});

test("releases the source through ix's pipe when the consumer stops early", async () => {
  const source = manualSource([bytes('a\r\nb\r\n')]);
  for await (const line of from(source).pipe(lines())) {
    assert.is(line, 'a');
    break;
  }
  assert.is(source.returns, 1);
});

test('does not release a source that failed, and passes its error on', async () => {
  const source = manualSource([bytes('a\r\n')]);
  const failure = new Error('lost');
  source.fail(failure);
  const { values, error } = await collect(lines()(source));
  assert.equal(values, ['a']);
  assert.is(error, failure);
  assert.is(source.returns, 0);
});

test('throws the reason of an already aborted signal without touching the source', async () => {
  const source = manualSource([bytes('a\r\n')], { ends: true });
  const { values, error } = await collect(lines({ signal: AbortSignal.abort() })(source));
  assert.equal(values, []);
  assert.instance(error, DOMException);
  assert.is((error as DOMException).name, 'AbortError');
  assert.is(source.nexts, 0);
});

test('throws the signal reason at the next chunk after an abort, and releases the source', async () => {
  const controller = new AbortController();
  const source = manualSource([bytes('a\r\n')]);
  const iterator = lines({ signal: controller.signal })(source)[Symbol.asyncIterator]();
  assert.equal(await iterator.next(), { value: 'a', done: false });
  const next = iterator.next().then(
    () => undefined,
    (error: unknown) => error,
  );
  await settle();
  controller.abort(new Error('stop'));
  source.push(bytes('b\r\n'));
  const error = await next;
  assert.is((error as Error).message, 'stop');
  assert.is(source.returns, 1);
});

test('refuses bad options at once', () => {
  assert.throws(
    () => lines({ maxLength: -1 }),
    (error: unknown) => error instanceof RangeError,
  );
});

test.run();
