import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeLines } from '../../../operators/async/encode-lines.js';
import { lines } from '../../../operators/async/lines.js';
import { collect, manualSource } from './_sources.js';

const test = suite('operators/async/encode-lines');
const text = (chunks: readonly Uint8Array[]): string[] =>
  chunks.map((chunk) => Buffer.from(chunk).toString());

test('yields each line with its delimiter', async () => {
  const { values } = await collect(
    encodeLines({ delimiter: '\n' })(manualSource(['a', 'é'], { ends: true })),
  );
  assert.equal(text(values), ['a\n', 'é\n']);
});

test('round-trips through lines() in an ix pipe', async () => {
  const { values } = await collect(from(encodeLines()(from(['x', '', 'y']))).pipe(lines()));
  assert.equal(values, ['x', '', 'y']);
});

test('throws RangeError on a line holding the delimiter, and releases the source', async () => {
  const source = manualSource(['ok', 'a\r\nb']);
  const { values, error } = await collect(encodeLines()(source));
  assert.equal(text(values), ['ok\r\n']);
  assert.instance(error, RangeError);
  assert.is(source.returns, 1);
});

test('throws the reason of an aborted signal', async () => {
  const source = manualSource(['a'], { ends: true });
  const { error } = await collect(encodeLines({ signal: AbortSignal.abort() })(source));
  assert.is((error as DOMException).name, 'AbortError');
  assert.is(source.nexts, 0);
});

test.run();
