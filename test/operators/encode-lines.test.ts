import { from } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeLines, LineEncoder } from '../../operators/encode-lines.js';
import { LineDecoder } from '../../operators/lines.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/encode-lines');
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

test('appends CRLF by default and encodes as UTF-8', () => {
  assert.equal([...new LineEncoder().encode('é')], [0xc3, 0xa9, 0x0d, 0x0a]);
  assert.equal([...new LineEncoder().encode('')], [0x0d, 0x0a]);
});

test('appends a custom delimiter, given as a string or as bytes', () => {
  assert.is(Buffer.from(new LineEncoder({ delimiter: '\n' }).encode('a')).toString(), 'a\n');
  assert.is(Buffer.from(new LineEncoder({ delimiter: new Uint8Array([0]) }).encode('a')).toString(), 'a\0');
});

test('encodes latin1 lines', () => {
  assert.equal([...new LineEncoder({ encoding: 'latin1' }).encode('é')], [0xe9, 0x0d, 0x0a]);
});

test('refuses a line that would not arrive as itself', () => {
  const encoder = new LineEncoder();
  assert.throws(() => encoder.encode('a\r\nb'), isA(RangeError));
  assert.not.throws(() => encoder.encode('a\rb\n'));
  assert.not.throws(() => encoder.encode('ends in CR\r'));
  assert.throws(() => new LineEncoder({ delimiter: 'abab' }).encode('ab'), isA(RangeError));
});

test('refuses an empty delimiter and an unknown encoding', () => {
  assert.throws(() => new LineEncoder({ delimiter: '' }), isA(RangeError));
  assert.throws(() => encodeLines({ encoding: 'hex' as 'utf8' }), isA(RangeError));
});

test('round-trips through lines() at every split', () => {
  const texts = ['HELO mail.example', '', 'dé jà ✓', 'ends in CR\r'];
  const encoder = new LineEncoder();
  const bytes = Buffer.concat(texts.map((text) => encoder.encode(text)));
  for (const { label, chunks } of chunkings(bytes)) {
    assert.equal(feed(new LineDecoder(), chunks).frames, texts, label);
  }
});

test('encodeLines() emits one buffer per line, and errors on a line holding the delimiter', () => {
  const seen = record(from(['a', 'b\r\nc', 'd']).pipe(encodeLines({ delimiter: '\r\n' })));
  assert.equal(
    seen.values.map((bytes) => Buffer.from(bytes).toString()),
    ['a\r\n'],
  );
  assert.instance(seen.error, RangeError);
});

test.run();
