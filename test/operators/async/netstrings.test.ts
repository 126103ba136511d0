import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { netstrings } from '../../../operators/async/netstrings.js';
import { LineTooLongError, ProtocolError } from '../../../source/errors.js';
import { chunkings } from '../../support/chunkings.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/netstrings');
const text = (frames: readonly Uint8Array[]): string[] =>
  frames.map((frame) => Buffer.from(frame).toString());

test('yields the data of a chunked source, at every split', async () => {
  for (const { label, chunks } of chunkings(Buffer.from('5:hello,0:,'))) {
    const { values, error } = await collect(netstrings()(manualSource(chunks, { ends: true })));
    assert.is(error, undefined, label);
    assert.equal(text(values), ['hello', ''], label);
  }
});

test("plugs into ix's pipe", async () => {
  const { values } = await collect(from([Buffer.from('2:hi,')]).pipe(netstrings()));
  assert.equal(text(values), ['hi']);
});

test('throws ProtocolError when the source ends inside a netstring', async () => {
  const source = manualSource([Buffer.from('2:ok,5:abc')], { ends: true });
  const { values, error } = await collect(netstrings()(source));
  assert.equal(text(values), ['ok']);
  assert.instance(error, ProtocolError);
  assert.is(source.returns, 0);
});

test('throws LineTooLongError past maxLength and releases the source', async () => {
  const source = manualSource([Buffer.from('100:')]);
  const { error } = await collect(netstrings({ maxLength: 99 })(source));
  assert.instance(error, LineTooLongError);
  assert.is(source.returns, 1);
});

test.run();
