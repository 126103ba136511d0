import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lengthPrefixed } from '../../../operators/async/length-prefixed.js';
import { LineTooLongError, ProtocolError } from '../../../source/errors.js';
import { chunkings } from '../../support/chunkings.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/length-prefixed');
const text = (frames: readonly Uint8Array[]): string[] =>
  frames.map((frame) => Buffer.from(frame).toString());

test('yields the frames of a chunked source, at every split', async () => {
  for (const { label, chunks } of chunkings(new Uint8Array([0, 2, 0x68, 0x69, 0, 0, 0, 1, 0x21]))) {
    const { values, error } = await collect(
      lengthPrefixed({ bytes: 2 })(manualSource(chunks, { ends: true })),
    );
    assert.is(error, undefined, label);
    assert.equal(text(values), ['hi', '', '!'], label);
  }
});

test("plugs into ix's pipe", async () => {
  const { values } = await collect(from([new Uint8Array([1, 0x61])]).pipe(lengthPrefixed({ bytes: 1 })));
  assert.equal(text(values), ['a']);
});

test('throws ProtocolError when the source ends inside a frame', async () => {
  const { values, error } = await collect(
    lengthPrefixed({ bytes: 1 })(manualSource([new Uint8Array([1, 0x61, 2, 0x62])], { ends: true })),
  );
  assert.equal(text(values), ['a']);
  assert.instance(error, ProtocolError);
});

test('throws LineTooLongError past maxLength and releases the source', async () => {
  const source = manualSource([new Uint8Array([0, 0, 1, 0])]);
  const { error } = await collect(lengthPrefixed({ maxLength: 255 })(source));
  assert.instance(error, LineTooLongError);
  assert.is(source.returns, 1);
});

test.run();
