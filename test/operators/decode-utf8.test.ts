import { from, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeUtf8, Utf8Decoder } from '../../operators/decode-utf8.js';
import { ProtocolError } from '../../source/errors.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/decode-utf8');
const isA =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof type;

const sample = 'héllo wörld ✓ 日本語 😀 \ufeff end';

test('keeps characters split across chunks whole, at every split', () => {
  for (const fatal of [false, true]) {
    for (const { label, chunks } of chunkings(Buffer.from(sample))) {
      const { frames, error } = feed(new Utf8Decoder({ fatal }), chunks);
      assert.is(error, undefined, label);
      assert.is(frames.join(''), sample, label);
      assert.ok(
        frames.every((piece) => piece.length > 0 && !/[\ud800-\udbff]$/.test(piece)),
        label,
      );
    }
  }
});

test('emits nothing for a chunk that completes no character', () => {
  const decoder = new Utf8Decoder();
  assert.equal(decoder.push(new Uint8Array([0xf0, 0x9f])), []);
  assert.equal(decoder.push(new Uint8Array([0x98])), []);
  assert.equal(decoder.push(new Uint8Array([0x80])), ['😀']);
});

test('passes a byte-order mark through', () => {
  assert.equal(new Utf8Decoder().push(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), ['\ufeffa']);
});

test('replaces invalid bytes and a character cut short by the end with U+FFFD', () => {
  for (const { label, chunks } of chunkings(new Uint8Array([0x61, 0xff, 0x62, 0xe2, 0x82]))) {
    const { frames, error } = feed(new Utf8Decoder(), chunks);
    assert.is(error, undefined, label);
    assert.is(frames.join(''), 'a\ufffdb\ufffd', label);
  }
});

test('errors with ProtocolError on invalid bytes when fatal, at every split, dropping the text of their chunk', () => {
  for (const { label, chunks } of chunkings(new Uint8Array([0x61, 0xc3, 0x28]))) {
    const { frames, error } = feed(new Utf8Decoder({ fatal: true }), chunks);
    assert.instance(error, ProtocolError, label);
    const chunkOf = (index: number): number => {
      let end = 0;
      return chunks.findIndex((chunk) => {
        end += chunk.length;
        return end > index;
      });
    };
    assert.is(frames.join(''), chunkOf(0) < chunkOf(2) ? 'a' : '', label);
  }
});

test('errors with ProtocolError on a character cut short by the end when fatal', () => {
  const decoder = new Utf8Decoder({ fatal: true });
  assert.equal(decoder.push(new Uint8Array([0x61, 0xe2])), ['a']);
  assert.throws(() => decoder.end(), isA(ProtocolError));
});

test('end() flushes nothing when the input ended between characters', () => {
  const decoder = new Utf8Decoder({ fatal: true });
  decoder.push(Buffer.from('ok'));
  assert.equal(decoder.end(), []);
});

test('decodeUtf8() emits the text of a chunked stream, at every split', () => {
  for (const { label, chunks } of chunkings(Buffer.from('€uro ✓'))) {
    const seen = record(from(chunks).pipe(decodeUtf8()));
    assert.is(seen.values.join(''), '€uro ✓', label);
    assert.ok(seen.completed, label);
  }
});

test('decodeUtf8() emits U+FFFD for a character cut short by the end', () => {
  const seen = record(from([new Uint8Array([0x61, 0xe2, 0x82])]).pipe(decodeUtf8()));
  assert.equal(seen.values, ['a', '\ufffd']);
  assert.ok(seen.completed);
});

test('decodeUtf8({ fatal: true }) errors with ProtocolError and unsubscribes the upstream', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(decodeUtf8({ fatal: true })));
  source.next(new Uint8Array([0x61]));
  source.next(new Uint8Array([0xff]));
  assert.equal(seen.values, ['a']);
  assert.instance(seen.error, ProtocolError);
  assert.not.ok(source.observed);
});

test('decodeUtf8({ fatal: true }) errors with ProtocolError when the stream ends inside a character', () => {
  const seen = record(from([new Uint8Array([0xe2, 0x82])]).pipe(decodeUtf8({ fatal: true })));
  assert.equal(seen.values, []);
  assert.instance(seen.error, ProtocolError);
});

test.run();
