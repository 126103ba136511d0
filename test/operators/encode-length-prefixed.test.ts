import { from } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeLengthPrefixed, LengthPrefixedEncoder } from '../../operators/encode-length-prefixed.js';
import { LengthPrefixedDecoder } from '../../operators/length-prefixed.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/encode-length-prefixed');
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

test('prefixes the big-endian length on 1, 2 or 4 bytes (4 by default)', () => {
  assert.equal([...new LengthPrefixedEncoder({ bytes: 1 }).encode('hi')], [2, 0x68, 0x69]);
  assert.equal(
    [...new LengthPrefixedEncoder({ bytes: 2 }).encode(new Uint8Array(300)).subarray(0, 2)],
    [1, 44],
  );
  assert.equal([...new LengthPrefixedEncoder().encode('é')], [0, 0, 0, 2, 0xc3, 0xa9]);
  assert.equal([...new LengthPrefixedEncoder({ bytes: 2 }).encode('')], [0, 0]);
});

test('throws RangeError for a frame too long for its prefix, and accepts the longest that fits', () => {
  const encoder = new LengthPrefixedEncoder({ bytes: 1 });
  assert.is(encoder.encode(new Uint8Array(255)).length, 256);
  assert.throws(() => encoder.encode(new Uint8Array(256)), isA(RangeError));
  assert.throws(() => new LengthPrefixedEncoder({ bytes: 2 }).encode(new Uint8Array(65536)), isA(RangeError));
});

test('refuses a prefix size other than 1, 2 or 4', () => {
  assert.throws(() => encodeLengthPrefixed({ bytes: 8 as 4 }), isA(RangeError));
});

test('round-trips through lengthPrefixed() at every split', () => {
  for (const size of [1, 2, 4] as const) {
    const encoder = new LengthPrefixedEncoder({ bytes: size });
    const bytes = Buffer.concat(['abc', '', 'dé'].map((frame) => encoder.encode(frame)));
    for (const { label, chunks } of chunkings(bytes)) {
      const { frames } = feed(new LengthPrefixedDecoder({ bytes: size }), chunks);
      assert.equal(
        frames.map((frame) => Buffer.from(frame).toString()),
        ['abc', '', 'dé'],
        label,
      );
    }
  }
});

test('encodeLengthPrefixed() emits one buffer per frame, and errors on one too long', () => {
  const seen = record(from(['a', 'b'.repeat(256)]).pipe(encodeLengthPrefixed({ bytes: 1 })));
  assert.equal(
    seen.values.map((bytes) => [...bytes]),
    [[1, 0x61]],
  );
  assert.instance(seen.error, RangeError);
});

test.run();
