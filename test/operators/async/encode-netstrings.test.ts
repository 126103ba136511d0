import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeNetstrings } from '../../../operators/async/encode-netstrings.js';
import { netstrings } from '../../../operators/async/netstrings.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/encode-netstrings');

test('yields each frame as a netstring', async () => {
  const { values } = await collect(encodeNetstrings()(manualSource(['hello', ''], { ends: true })));
  assert.equal(
    values.map((bytes) => Buffer.from(bytes).toString()),
    ['5:hello,', '0:,'],
  );
});

test('round-trips through netstrings()', async () => {
  const { values } = await collect(
    netstrings()(encodeNetstrings()(manualSource(['a,b', 'ü'], { ends: true }))),
  );
  assert.equal(
    values.map((bytes) => Buffer.from(bytes).toString()),
    ['a,b', 'ü'],
  );
});

test('throws the reason of an aborted signal', async () => {
  const { error } = await collect(encodeNetstrings({ signal: AbortSignal.abort() })(manualSource(['a'])));
  assert.is((error as DOMException).name, 'AbortError');
});

test.run();
