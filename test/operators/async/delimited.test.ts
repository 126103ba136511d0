import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { delimited } from '../../../operators/async/delimited.js';
import { LineTooLongError } from '../../../source/errors.js';
import { chunkings } from '../../support/chunkings.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/delimited');
const text = (frames: readonly Uint8Array[]): string[] =>
  frames.map((frame) => Buffer.from(frame).toString());

test('yields the frames of a chunked source, at every split', async () => {
  for (const { label, chunks } of chunkings(Buffer.from('a\0bc\0\0d'))) {
    const { values, error } = await collect(delimited(0)(manualSource(chunks, { ends: true })));
    assert.is(error, undefined, label);
    assert.equal(text(values), ['a', 'bc', ''], label);
  }
});

test("plugs into ix's pipe", async () => {
  const { values } = await collect(from([Buffer.from('x\ny\n')]).pipe(delimited(0x0a)));
  assert.equal(text(values), ['x', 'y']);
});

test('throws LineTooLongError and releases the source', async () => {
  const source = manualSource([Buffer.from('a\0bcd')]);
  const { values, error } = await collect(delimited(0, { maxLength: 2 })(source));
  assert.equal(text(values), ['a']);
  assert.instance(error, LineTooLongError);
  assert.is(source.returns, 1);
});

test('refuses a delimiter that is not a byte value at once', () => {
  assert.throws(
    () => delimited(256),
    (error: unknown) => error instanceof RangeError,
  );
});

test.run();
