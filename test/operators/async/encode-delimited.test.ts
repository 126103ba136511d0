import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeDelimited } from '../../../operators/async/encode-delimited.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/encode-delimited');

test('yields each frame followed by the delimiter byte', async () => {
  const { values } = await collect(
    encodeDelimited(0)(manualSource(['a', new Uint8Array([1])], { ends: true })),
  );
  assert.equal(
    values.map((bytes) => [...bytes]),
    [
      [0x61, 0],
      [1, 0],
    ],
  );
});

test('throws RangeError on a frame holding the delimiter, and releases the source', async () => {
  const source = manualSource([new Uint8Array([0])]);
  const { error } = await collect(encodeDelimited(0)(source));
  assert.instance(error, RangeError);
  assert.is(source.returns, 1);
});

test('throws the reason of an aborted signal', async () => {
  const { error } = await collect(encodeDelimited(0, { signal: AbortSignal.abort() })(manualSource(['a'])));
  assert.is((error as DOMException).name, 'AbortError');
});

test.run();
