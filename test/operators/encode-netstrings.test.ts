import { from } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeNetstrings, NetstringEncoder } from '../../operators/encode-netstrings.js';
import { NetstringDecoder } from '../../operators/netstrings.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/encode-netstrings');

test('encodes bytes and UTF-8 strings as netstrings', () => {
  const encoder = new NetstringEncoder();
  assert.is(Buffer.from(encoder.encode('hello')).toString(), '5:hello,');
  assert.is(Buffer.from(encoder.encode('')).toString(), '0:,');
  assert.is(Buffer.from(encoder.encode('é')).toString(), '2:é,');
  assert.equal([...encoder.encode(new Uint8Array([0, 255]))], [0x32, 0x3a, 0, 255, 0x2c]);
});

test('round-trips through netstrings() at every split', () => {
  const encoder = new NetstringEncoder();
  const data = ['x'.repeat(12), '', ',:,', 'ünï'];
  const bytes = Buffer.concat(data.map((item) => encoder.encode(item)));
  for (const { label, chunks } of chunkings(bytes)) {
    const { frames, error } = feed(new NetstringDecoder(), chunks);
    assert.is(error, undefined, label);
    assert.equal(
      frames.map((frame) => Buffer.from(frame).toString()),
      data,
      label,
    );
  }
});

test('encodeNetstrings() emits one buffer per frame', () => {
  const seen = record(from(['ab', new Uint8Array([99])]).pipe(encodeNetstrings()));
  assert.equal(
    seen.values.map((bytes) => Buffer.from(bytes).toString()),
    ['2:ab,', '1:c,'],
  );
  assert.ok(seen.completed);
});

test.run();
