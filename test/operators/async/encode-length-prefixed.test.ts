import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeLengthPrefixed } from '../../../operators/async/encode-length-prefixed.js';
import { lengthPrefixed } from '../../../operators/async/length-prefixed.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/encode-length-prefixed');

test('yields each frame after its length prefix', async () => {
  const { values } = await collect(encodeLengthPrefixed({ bytes: 2 })(manualSource(['hi'], { ends: true })));
  assert.equal(
    values.map((bytes) => [...bytes]),
    [[0, 2, 0x68, 0x69]],
  );
});

test('round-trips through lengthPrefixed()', async () => {
  const frames = manualSource(['a', '', 'bc'], { ends: true });
  const { values } = await collect(lengthPrefixed({ bytes: 1 })(encodeLengthPrefixed({ bytes: 1 })(frames)));
  assert.equal(
    values.map((bytes) => Buffer.from(bytes).toString()),
    ['a', '', 'bc'],
  );
});

test('throws RangeError on a frame too long for its prefix, and releases the source', async () => {
  const source = manualSource([new Uint8Array(256)]);
  const { error } = await collect(encodeLengthPrefixed({ bytes: 1 })(source));
  assert.instance(error, RangeError);
  assert.is(source.returns, 1);
});

test('throws the reason of an aborted signal', async () => {
  const { error } = await collect(encodeLengthPrefixed({ signal: AbortSignal.abort() })(manualSource(['a'])));
  assert.is((error as DOMException).name, 'AbortError');
});

test.run();
