import { from } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DelimitedDecoder } from '../../operators/delimited.js';
import { DelimitedEncoder, encodeDelimited } from '../../operators/encode-delimited.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/encode-delimited');
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

test('appends the delimiter byte to bytes and to UTF-8 strings', () => {
  assert.equal([...new DelimitedEncoder(0).encode(new Uint8Array([1, 2]))], [1, 2, 0]);
  assert.equal([...new DelimitedEncoder(0x0a).encode('é')], [0xc3, 0xa9, 0x0a]);
  assert.equal([...new DelimitedEncoder(0).encode('')], [0]);
});

test('refuses a frame holding the delimiter and a delimiter that is not a byte value', () => {
  assert.throws(() => new DelimitedEncoder(0).encode(new Uint8Array([1, 0, 2])), isA(RangeError));
  assert.throws(() => encodeDelimited(300), isA(RangeError));
  assert.throws(() => new DelimitedEncoder(Number.NaN), isA(RangeError));
});

test('round-trips through delimited() at every split', () => {
  const encoder = new DelimitedEncoder(0);
  const bytes = Buffer.concat(['one', '', 'thrée'].map((frame) => encoder.encode(frame)));
  for (const { label, chunks } of chunkings(bytes)) {
    const { frames } = feed(new DelimitedDecoder(0), chunks);
    assert.equal(
      frames.map((frame) => Buffer.from(frame).toString()),
      ['one', '', 'thrée'],
      label,
    );
  }
});

test('encodeDelimited() emits one buffer per frame', () => {
  const seen = record(from(['a', new Uint8Array([98])]).pipe(encodeDelimited(0x0a)));
  assert.equal(
    seen.values.map((bytes) => Buffer.from(bytes).toString()),
    ['a\n', 'b\n'],
  );
  assert.ok(seen.completed);
});

test.run();
