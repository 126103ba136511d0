import { from, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NetstringDecoder, netstrings } from '../../operators/netstrings.js';
import { LineTooLongError, ProtocolError } from '../../source/errors.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/netstrings');
const text = (frames: readonly Uint8Array[]): string[] =>
  frames.map((frame) => Buffer.from(frame).toString());
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

/** Feeds `input` at every split and checks the netstrings and the error are always the same. */
function allSplits(
  input: string,
  expected: string[],
  error?: abstract new (...args: never[]) => Error,
  maxLength = 99999,
) {
  for (const { label, chunks } of chunkings(Buffer.from(input))) {
    const fed = feed(new NetstringDecoder({ maxLength }), chunks);
    assert.equal(text(fed.frames), expected, label);
    if (error === undefined) assert.is(fed.error, undefined, label);
    else assert.instance(fed.error, error, label);
  }
}

test('decodes netstrings, empty ones included, at every split', () => {
  allSplits('5:hello,0:,12:hello world!,1:,,', ['hello', '', 'hello world!', ',']);
});

test('keeps multi-byte data whole, at every split', () => {
  allSplits(`${Buffer.byteLength('日本語')}:日本語,`, ['日本語']);
});

test('accepts a netstring of exactly maxLength bytes', () => {
  allSplits('3:abc,', ['abc'], undefined, 3);
});

test('errors with LineTooLongError as soon as the length passes maxLength, at every split', () => {
  allSplits('2:ok,1000:', ['ok'], LineTooLongError, 999);
  const decoder = new NetstringDecoder({ maxLength: 99 });
  assert.throws(() => decoder.push(Buffer.from('100')), isA(LineTooLongError));
});

test('errors with ProtocolError on a malformed length, at every split', () => {
  allSplits('2:ok,x:', ['ok'], ProtocolError);
  allSplits('2:ok,-1:a,', ['ok'], ProtocolError);
  allSplits('2:ok,:,', ['ok'], ProtocolError);
  allSplits('2:ok, 1:a,', ['ok'], ProtocolError);
  allSplits('2:ok,\x001:a,', ['ok'], ProtocolError);
});

test('errors with ProtocolError on a leading zero, but accepts 0 itself', () => {
  allSplits('01:a,', [], ProtocolError);
  allSplits('00:,', [], ProtocolError);
  allSplits('0:,10:abcdefghij,', ['', 'abcdefghij']);
});

test('errors with ProtocolError when the comma is missing, without emitting the data', () => {
  allSplits('2:ok,3:abc;', ['ok'], ProtocolError);
  allSplits('3:abcd,', [], ProtocolError);
  allSplits('0:x', [], ProtocolError);
});

test('errors with ProtocolError when the input ends inside a netstring, at every split', () => {
  allSplits('2:ok,1', ['ok'], ProtocolError);
  allSplits('2:ok,3:', ['ok'], ProtocolError);
  allSplits('2:ok,3:ab', ['ok'], ProtocolError);
  allSplits('2:ok,3:abc', ['ok'], ProtocolError);
});

test('names the offending byte in its error', () => {
  assert.throws(
    () => new NetstringDecoder().push(Buffer.from('1:a;')),
    (error: unknown) => error instanceof ProtocolError && error.message.includes("';'"),
  );
  assert.throws(
    () => new NetstringDecoder().push(Buffer.from('\n')),
    (error: unknown) => error instanceof ProtocolError && error.message.includes('byte 0x0a'),
  );
});

test('emits data that arrived whole in one chunk as a view of it, and holds split data in its own buffer', () => {
  const chunk = Buffer.from('3:abc,4:de');
  const decoder = new NetstringDecoder();
  const [frame] = decoder.push(chunk);
  assert.is(frame!.buffer, chunk.buffer);
  assert.is(decoder.buffered, 2);
  const [split] = decoder.push(Buffer.from('fg,'));
  assert.is(Buffer.from(split!).toString(), 'defg');
  assert.is(decoder.buffered, 0);
});

test('starts afresh after end(), even one that threw', () => {
  const decoder = new NetstringDecoder();
  decoder.push(Buffer.from('3:ab'));
  assert.throws(() => decoder.end(), isA(ProtocolError));
  assert.equal(text(decoder.push(Buffer.from('1:a,'))), ['a']);
  assert.equal(decoder.end(), []);
});

test('refuses a bad maxLength', () => {
  assert.throws(() => new NetstringDecoder({ maxLength: -1 }), isA(RangeError));
  assert.throws(() => netstrings({ maxLength: Number.NaN }), isA(RangeError));
});

test('netstrings() emits the data of a chunked stream, at every split', () => {
  for (const { label, chunks } of chunkings(Buffer.from('5:hello,0:,'))) {
    const seen = record(from(chunks).pipe(netstrings()));
    assert.equal(text(seen.values), ['hello', ''], label);
    assert.ok(seen.completed, label);
  }
});

test('netstrings() errors with ProtocolError on a truncated stream', () => {
  const seen = record(from([Buffer.from('5:hello,3:ab')]).pipe(netstrings()));
  assert.equal(text(seen.values), ['hello']);
  assert.instance(seen.error, ProtocolError);
  assert.not.ok(seen.completed);
});

test('netstrings() errors on malformed input and unsubscribes the upstream', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(netstrings()));
  source.next(Buffer.from('1:a,01:'));
  assert.equal(text(seen.values), ['a']);
  assert.instance(seen.error, ProtocolError);
  assert.not.ok(source.observed);
});

test.run();
