import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeUtf8 } from '../../../operators/async/decode-utf8.js';
import { encodeUtf8 } from '../../../operators/async/encode-utf8.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/encode-utf8');

test('yields the UTF-8 bytes of each string', async () => {
  const { values } = await collect(encodeUtf8()(manualSource(['é', ''], { ends: true })));
  assert.equal(
    values.map((bytes) => [...bytes]),
    [[0xc3, 0xa9], []],
  );
});

test('round-trips through decodeUtf8()', async () => {
  const { values } = await collect(decodeUtf8()(encodeUtf8()(manualSource(['日本', '語'], { ends: true }))));
  assert.is(values.join(''), '日本語');
});

test('throws the reason of an aborted signal, and releases the source', async () => {
  const controller = new AbortController();
  const source = manualSource(['a', 'b'], { ends: true });
  const seen: Uint8Array[] = [];
  let failure: unknown;
  try {
    for await (const bytes of encodeUtf8({ signal: controller.signal })(source)) {
      seen.push(bytes);
      controller.abort();
    }
  } catch (error) {
    failure = error;
  }
  assert.is(seen.length, 1);
  assert.is((failure as DOMException).name, 'AbortError');
  assert.is(source.returns, 1);
});

test.run();
