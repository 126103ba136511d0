import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeUtf8 } from '../../../operators/async/decode-utf8.js';
import { ProtocolError } from '../../../source/errors.js';
import { chunkings } from '../../support/chunkings.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/decode-utf8');

test('yields whole characters of a chunked source, at every split', async () => {
  for (const { label, chunks } of chunkings(Buffer.from('€ ✓ 😀'))) {
    const { values, error } = await collect(decodeUtf8()(manualSource(chunks, { ends: true })));
    assert.is(error, undefined, label);
    assert.is(values.join(''), '€ ✓ 😀', label);
  }
});

test("plugs into ix's pipe", async () => {
  const { values } = await collect(from([new Uint8Array([0xc3]), new Uint8Array([0xa9])]).pipe(decodeUtf8()));
  assert.equal(values, ['é']);
});

test('throws ProtocolError on invalid bytes when fatal, and releases the source', async () => {
  const source = manualSource([new Uint8Array([0x61]), new Uint8Array([0xff])]);
  const { values, error } = await collect(decodeUtf8({ fatal: true })(source));
  assert.equal(values, ['a']);
  assert.instance(error, ProtocolError);
  assert.is(source.returns, 1);
});

test.run();
