import { from } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeUtf8 } from '../../operators/encode-utf8.js';
import { record } from './_record.js';

const test = suite('operators/encode-utf8');

test('encodes each string as UTF-8', () => {
  const seen = record(from(['h', 'é', '😀', '']).pipe(encodeUtf8()));
  assert.equal(
    seen.values.map((bytes) => [...bytes]),
    [[0x68], [0xc3, 0xa9], [0xf0, 0x9f, 0x98, 0x80], []],
  );
  assert.ok(seen.completed);
});

test('encodes a lone surrogate as U+FFFD', () => {
  const seen = record(from(['\ud800']).pipe(encodeUtf8()));
  assert.equal([...seen.values[0]!], [0xef, 0xbf, 0xbd]);
});

test.run();
