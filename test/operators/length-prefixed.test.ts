import { from, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LengthPrefixedDecoder, lengthPrefixed } from '../../operators/length-prefixed.js';
import { LineTooLongError, ProtocolError } from '../../source/errors.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/length-prefixed');
const text = (frames: readonly Uint8Array[]): string[] =>
  frames.map((frame) => Buffer.from(frame).toString());
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

/** `frames` each prefixed with its big-endian length on `size` bytes. */
function framed(size: 1 | 2 | 4, ...frames: string[]): Buffer {
  return Buffer.concat(
    frames.map((frame) => {
      const data = Buffer.from(frame);
      const prefix = Buffer.alloc(size);
      prefix.writeUIntBE(data.length, 0, size);
      return Buffer.concat([prefix, data]);
    }),
  );
}

for (const size of [1, 2, 4] as const) {
  test(`decodes ${size}-byte length-prefixed frames, empty ones included, at every split`, () => {
    for (const { label, chunks } of chunkings(framed(size, 'hello', '', 'wörld', ''))) {
      const { frames, error } = feed(new LengthPrefixedDecoder({ bytes: size }), chunks);
      assert.is(error, undefined, label);
      assert.equal(text(frames), ['hello', '', 'wörld', ''], label);
    }
  });

  test(`errors with ProtocolError when the input ends inside a ${size}-byte-prefixed frame, at every split`, () => {
    const whole = framed(size, 'ok', 'cut');
    for (let end = whole.length - 1; end > size + 2; end--) {
      for (const { label, chunks } of chunkings(whole.subarray(0, end))) {
        const { frames, error } = feed(new LengthPrefixedDecoder({ bytes: size }), chunks);
        assert.equal(text(frames), ['ok'], label);
        assert.instance(error, ProtocolError, label);
      }
    }
  });
}

test('defaults to a 4-byte prefix', () => {
  assert.equal(text(new LengthPrefixedDecoder().push(framed(4, 'abc'))), ['abc']);
});

test('decodes a frame as long as the prefix allows', () => {
  const data = 'x'.repeat(255);
  for (const { label, chunks } of [...chunkings(framed(1, data))].slice(0, 40)) {
    assert.equal(
      text(feed(new LengthPrefixedDecoder({ bytes: 1, maxLength: 255 }), chunks).frames),
      [data],
      label,
    );
  }
});

test('errors with LineTooLongError as soon as a prefix announces more than maxLength, at every split', () => {
  for (const { label, chunks } of chunkings(Buffer.concat([framed(2, 'ok'), Buffer.from([0x01, 0x00])]))) {
    const { frames, error } = feed(new LengthPrefixedDecoder({ bytes: 2, maxLength: 255 }), chunks);
    assert.equal(text(frames), ['ok'], label);
    assert.instance(error, LineTooLongError, label);
  }
  assert.throws(
    () => new LengthPrefixedDecoder().push(new Uint8Array([0xff, 0xff, 0xff, 0xff])),
    isA(LineTooLongError),
  );
});

test('emits a frame that arrived whole in one chunk as a view of it, and holds a split one in its own buffer', () => {
  const chunk = framed(1, 'abc', 'defg').subarray(0, 7);
  const decoder = new LengthPrefixedDecoder({ bytes: 1 });
  const [frame] = decoder.push(chunk);
  assert.is(frame!.buffer, chunk.buffer);
  assert.is(decoder.buffered, 2);
  assert.equal(text(decoder.push(Buffer.from('fg'))), ['defg']);
  assert.is(decoder.buffered, 0);
});

test('names what was cut short', () => {
  const inPrefix = new LengthPrefixedDecoder({ bytes: 4 });
  inPrefix.push(new Uint8Array([0, 0]));
  assert.throws(
    () => inPrefix.end(),
    (error: unknown) => error instanceof ProtocolError && /prefix/.test(error.message),
  );
  const inData = new LengthPrefixedDecoder({ bytes: 1 });
  inData.push(new Uint8Array([5, 1, 2]));
  assert.throws(
    () => inData.end(),
    (error: unknown) => error instanceof ProtocolError && /3 bytes short/.test(error.message),
  );
  assert.equal(text(inData.push(framed(1, 'again'))), ['again']);
});

test('refuses a prefix size other than 1, 2 or 4 and a bad maxLength', () => {
  assert.throws(() => new LengthPrefixedDecoder({ bytes: 3 as 4 }), isA(RangeError));
  assert.throws(() => new LengthPrefixedDecoder({ maxLength: -1 }), isA(RangeError));
  assert.throws(() => lengthPrefixed({ maxLength: 0.5 }), isA(RangeError));
});

test('lengthPrefixed() emits the frames of a chunked stream, at every split', () => {
  for (const { label, chunks } of chunkings(framed(2, 'a', '', 'bc'))) {
    const seen = record(from(chunks).pipe(lengthPrefixed({ bytes: 2 })));
    assert.equal(text(seen.values), ['a', '', 'bc'], label);
    assert.ok(seen.completed, label);
  }
});

test('lengthPrefixed() errors with LineTooLongError and unsubscribes the upstream', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(lengthPrefixed({ bytes: 1, maxLength: 2 })));
  source.next(Buffer.concat([framed(1, 'ok'), framed(1, 'big')]));
  assert.equal(text(seen.values), ['ok']);
  assert.instance(seen.error, LineTooLongError);
  assert.not.ok(source.observed);
});

test('lengthPrefixed() errors with ProtocolError on a truncated stream', () => {
  const seen = record(from([framed(1, 'ok'), new Uint8Array([9])]).pipe(lengthPrefixed({ bytes: 1 })));
  assert.equal(text(seen.values), ['ok']);
  assert.instance(seen.error, ProtocolError);
});

test.run();
