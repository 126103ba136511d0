import { from, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DelimitedDecoder, delimited } from '../../operators/delimited.js';
import { LineTooLongError } from '../../source/errors.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/delimited');
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

test('splits on the delimiter byte, at every split', () => {
  const input = new Uint8Array([1, 2, 0, 0, 3, 0xff, 0, 4]);
  for (const { label, chunks } of chunkings(input)) {
    const { frames, error } = feed(new DelimitedDecoder(0), chunks);
    assert.is(error, undefined, label);
    assert.equal(
      frames.map((frame) => [...frame]),
      [[1, 2], [], [3, 0xff]],
      label,
    );
  }
});

test('emits a frame that arrived whole in one chunk as a view of it', () => {
  const chunk = Buffer.from('abc\nde');
  const [frame] = new DelimitedDecoder(0x0a).push(chunk);
  assert.is(frame!.buffer, chunk.buffer);
});

test('emits frames that spanned chunks as copies the decoder does not reuse', () => {
  const decoder = new DelimitedDecoder(0);
  decoder.push(new Uint8Array([1]));
  const [first] = decoder.push(new Uint8Array([2, 0, 3]));
  const [second] = decoder.push(new Uint8Array([4, 0]));
  assert.equal([...first!], [1, 2]);
  assert.equal([...second!], [3, 4]);
});

test('errors with LineTooLongError as soon as a frame is proven too long, at every split', () => {
  for (const { label, chunks } of chunkings(Buffer.from('ok\nabcd\n'))) {
    const { frames, error } = feed(new DelimitedDecoder(0x0a, { maxLength: 3 }), chunks);
    assert.equal(
      frames.map((frame) => Buffer.from(frame).toString()),
      ['ok'],
      label,
    );
    assert.instance(error, LineTooLongError, label);
  }
});

test('holds at most maxLength bytes', () => {
  const decoder = new DelimitedDecoder(0x0a, { maxLength: 3 });
  decoder.push(Buffer.from('abc'));
  assert.is(decoder.buffered, 3);
  assert.throws(() => decoder.push(Buffer.from('d')), isA(LineTooLongError));
});

test('drops an unterminated fragment at the end and starts afresh', () => {
  const decoder = new DelimitedDecoder(0);
  decoder.push(new Uint8Array([7, 7]));
  assert.equal(decoder.end(), []);
  assert.is(decoder.buffered, 0);
  assert.equal(
    decoder.push(new Uint8Array([8, 0])).map((frame) => [...frame]),
    [[8]],
  );
});

test('refuses a delimiter that is not a byte value and a bad maxLength', () => {
  assert.throws(() => new DelimitedDecoder(256), isA(RangeError));
  assert.throws(() => new DelimitedDecoder(-1), isA(RangeError));
  assert.throws(() => new DelimitedDecoder(0.5), isA(RangeError));
  assert.throws(() => delimited(0, { maxLength: -1 }), isA(RangeError));
});

test('delimited() emits the frames of a chunked stream, at every split', () => {
  for (const { label, chunks } of chunkings(Buffer.from('a\0bc\0\0d'))) {
    const seen = record(from(chunks).pipe(delimited(0)));
    assert.equal(
      seen.values.map((frame) => Buffer.from(frame).toString()),
      ['a', 'bc', ''],
      label,
    );
    assert.ok(seen.completed, label);
  }
});

test('delimited() errors with LineTooLongError and unsubscribes the upstream', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(delimited(0, { maxLength: 1 })));
  source.next(Buffer.from('a\0bb'));
  assert.equal(seen.values.length, 1);
  assert.instance(seen.error, LineTooLongError);
  assert.not.ok(source.observed);
});

test.run();
