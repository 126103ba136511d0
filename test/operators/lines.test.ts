import { from, of, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LineDecoder, lines } from '../../operators/lines.js';
import { LineTooLongError } from '../../source/errors.js';
import { chunkings, feed } from '../support/chunkings.js';
import { record } from './_record.js';

const test = suite('operators/lines');
const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

function allSplits(
  input: string | Uint8Array,
  options: ConstructorParameters<typeof LineDecoder>[0],
  expected: unknown[],
) {
  for (const { label, chunks } of chunkings(typeof input === 'string' ? bytes(input) : input)) {
    const { frames, error } = feed(new LineDecoder<string | Uint8Array>(options), chunks);
    assert.is(error, undefined, label);
    assert.equal(frames, expected, label);
  }
}

test('emits each CRLF-terminated line, at every split', () => {
  allSplits('one\r\ntwo\r\n\r\nthree\r\n', {}, ['one', 'two', '', 'three']);
});

test('keeps multi-byte UTF-8 characters whole, at every split', () => {
  allSplits('héllo wörld ✓\r\n日本語\r\n😀!\r\n', {}, ['héllo wörld ✓', '日本語', '😀!']);
});

test('drops an unterminated fragment at the end of the input, at every split', () => {
  allSplits('a\r\nbc', {}, ['a']);
});

test('keeps a lone CR or LF inside a CRLF-delimited line', () => {
  allSplits('a\rb\nc\r\n\r\r\n', {}, ['a\rb\nc', '\r']);
});

test("splits on '\\n' when told to", () => {
  allSplits('a\nb\r\n\n', { delimiter: '\n' }, ['a', 'b\r', '']);
});

test('finds the earliest match of a repetitive delimiter split across chunks', () => {
  allSplits('a|||b||', { delimiter: '||' }, ['a', '|b']);
  allSplits('xaaab!aab', { delimiter: 'aab' }, ['xa', '!']);
  allSplits('aaaab', { delimiter: new Uint8Array([0x61, 0x61, 0x62]) }, ['aa']);
});

test('decodes latin1 and ascii lines', () => {
  allSplits(new Uint8Array([0xe9, 0x0d, 0x0a]), { encoding: 'latin1' }, ['é']);
  allSplits('GET /\r\n', { encoding: 'ascii' }, ['GET /']);
});

test('replaces invalid UTF-8 with U+FFFD', () => {
  allSplits(new Uint8Array([0x61, 0xff, 0x0d, 0x0a]), {}, ['a\ufffd']);
});

test('emits raw bytes with encoding null, at every split', () => {
  for (const { label, chunks } of chunkings(
    new Uint8Array([0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3, 0x0d, 0x0a]),
  )) {
    const { frames } = feed(new LineDecoder<Uint8Array>({ encoding: null }), chunks);
    assert.equal(
      frames.map((frame) => [...frame]),
      [[0xff, 0x00], [], [0xc3]],
      label,
    );
  }
});

test('emits raw lines that spanned chunks as copies the decoder does not reuse', () => {
  const decoder = new LineDecoder<Uint8Array>({ encoding: null });
  decoder.push(bytes('ab'));
  const [first] = decoder.push(bytes('c\r\nde'));
  const [second] = decoder.push(bytes('f\r\n'));
  assert.is(Buffer.from(first!).toString(), 'abc');
  assert.is(Buffer.from(second!).toString(), 'def');
});

test('accepts a line of exactly maxLength bytes, at every split', () => {
  allSplits('abcde\r\néé\r\n', { maxLength: 5 }, ['abcde', 'éé']);
  allSplits('ab\r\n', { maxLength: 2, delimiter: '\r\n' }, ['ab']);
  allSplits('\r\n', { maxLength: 0 }, ['']);
});

test('errors with LineTooLongError as soon as the bytes prove a line too long, without its delimiter', () => {
  for (const { label, chunks } of chunkings(bytes('ok\r\nabcdef'))) {
    const { frames, error } = feed(new LineDecoder({ maxLength: 5 }), chunks);
    assert.equal(frames, ['ok'], label);
    assert.instance(error, LineTooLongError, label);
    assert.is((error as LineTooLongError).maxLength, 5);
  }
  const decoder = new LineDecoder({ maxLength: 5 });
  decoder.push(bytes('abcde'));
  assert.throws(
    () => decoder.push(bytes('f')),
    (e: unknown) => e instanceof LineTooLongError,
  );
});

test('waits while the bytes past maxLength may still be the start of the delimiter', () => {
  const decoder = new LineDecoder({ maxLength: 3, delimiter: '\r\n' });
  assert.equal(decoder.push(bytes('abc\r')), []);
  assert.equal(decoder.push(bytes('\n')), ['abc']);
  decoder.push(bytes('abc\r'));
  assert.throws(
    () => decoder.push(bytes('x')),
    (e: unknown) => e instanceof LineTooLongError,
  );
  // 'xaa' may be 'x' then the delimiter 'aab'; with 'ab' it turns out to be 'xa' then 'aab'.
  const overlapping = new LineDecoder({ maxLength: 1, delimiter: 'aab' });
  overlapping.push(bytes('xaa'));
  assert.is(overlapping.buffered, 3);
  assert.throws(
    () => overlapping.push(bytes('ab')),
    (e: unknown) => e instanceof LineTooLongError,
  );
});

test('errors on a too-long line whose delimiter is already there, after the lines before it', () => {
  for (const { label, chunks } of chunkings(bytes('ok\r\nabcdefgh\r\nnext\r\n'))) {
    const { frames, error } = feed(new LineDecoder({ maxLength: 5 }), chunks);
    assert.equal(frames, ['ok'], label);
    assert.instance(error, LineTooLongError, label);
  }
});

test('never holds more than maxLength plus the delimiter less one byte', () => {
  const decoder = new LineDecoder({ maxLength: 4, delimiter: '\r\n' });
  let most = 0;
  for (const byte of bytes('abcd\r\nab\r\n\r\nabcd\r\nx')) {
    decoder.push(new Uint8Array([byte]));
    most = Math.max(most, decoder.buffered);
  }
  assert.is(most, 5);
  assert.is(decoder.end().length, 0);
  assert.is(decoder.buffered, 0);
});

test('assembles a long line from many small chunks', () => {
  const line = 'x'.repeat(10000);
  const decoder = new LineDecoder();
  const seen: string[] = [];
  for (let at = 0; at < line.length; at += 7) decoder.push(bytes(line.slice(at, at + 7)), seen);
  decoder.push(bytes('\r\n'), seen);
  assert.equal(seen, [line]);
});

/** The lines and error a whole input gives, found the slow, obvious way. */
function reference(
  input: string,
  delimiter: string,
  maxLength: number,
): { lines: string[]; tooLong: boolean } {
  const found: string[] = [];
  let start = 0;
  for (let at = input.indexOf(delimiter); at >= 0; at = input.indexOf(delimiter, start)) {
    if (at - start > maxLength) return { lines: found, tooLong: true };
    found.push(input.slice(start, at));
    start = at + delimiter.length;
  }
  const rest = input.slice(start);
  let partial = Math.min(delimiter.length - 1, rest.length);
  while (partial > 0 && !rest.endsWith(delimiter.slice(0, partial))) partial--;
  return { lines: found, tooLong: rest.length - partial > maxLength };
}

test('agrees with a reference splitter on random input split at random', () => {
  let seed = 42;
  const random = (below: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  for (let round = 0; round < 3000; round++) {
    const delimiter = ['\r\n', '\n', 'ab', 'aab', 'abab', 'aaa'][random(6)]!;
    const input = Array.from({ length: random(40) }, () => 'ab\r\nx'[random(5)]).join('');
    const maxLength = random(8);
    const expected = reference(input, delimiter, maxLength);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < input.length; ) {
      const size = random(6);
      chunks.push(bytes(input.slice(at, at + size)));
      at += size;
    }
    const { frames, error } = feed(new LineDecoder({ delimiter, maxLength }), chunks);
    const label = `${JSON.stringify(input)} on ${JSON.stringify(delimiter)}, maxLength ${maxLength}`;
    assert.equal(frames, expected.lines, label);
    assert.is(error instanceof LineTooLongError, expected.tooLong, label);
  }
});

test('starts afresh after end()', () => {
  const decoder = new LineDecoder();
  decoder.push(bytes('half'));
  assert.equal(decoder.end(), []);
  assert.equal(decoder.push(bytes('whole\r\n')), ['whole']);
});

test('refuses an empty delimiter, a bad maxLength and an unknown encoding', () => {
  assert.throws(
    () => new LineDecoder({ delimiter: '' }),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => new LineDecoder({ maxLength: -1 }),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => new LineDecoder({ maxLength: Number.POSITIVE_INFINITY }),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => new LineDecoder({ encoding: 'utf16le' as 'utf8' }),
    (e: unknown) => e instanceof RangeError,
  );
  assert.throws(
    () => lines({ maxLength: 1.5 }),
    (e: unknown) => e instanceof RangeError,
  );
});

test('lines() emits the lines of a chunked stream, at every split', () => {
  for (const { label, chunks } of chunkings(bytes('a\r\nbé\r\n\r\nc'))) {
    const seen = record(from(chunks).pipe(lines()));
    assert.equal(seen.values, ['a', 'bé', ''], label);
    assert.ok(seen.completed, label);
  }
});

test('lines({ encoding: null }) emits Uint8Arrays', () => {
  const seen = record(of(bytes('a\r\n')).pipe(lines({ encoding: null })));
  const first: Uint8Array = seen.values[0]!;
  assert.equal([...first], [0x61]);
});

test('lines() errors with LineTooLongError after the lines before it, and unsubscribes the upstream', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(lines({ maxLength: 3 })));
  source.next(bytes('ab\r\nabcd'));
  assert.equal(seen.values, ['ab']);
  assert.instance(seen.error, LineTooLongError);
  assert.not.ok(source.observed);
});

test('lines() stops decoding a synchronous source after an error', () => {
  const seen = record(from([bytes('toolong'), bytes('\r\nok\r\n')]).pipe(lines({ maxLength: 3 })));
  assert.equal(seen.values, []);
  assert.instance(seen.error, LineTooLongError);
});

test('lines() releases the upstream when unsubscribed', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(lines()));
  assert.ok(source.observed);
  seen.subscription.unsubscribe();
  assert.not.ok(source.observed);
});

test('lines() passes an upstream error through', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(lines()));
  const failure = new Error('connection lost');
  source.error(failure);
  assert.is(seen.error, failure);
});

test('lines() gives each subscription its own decoder', () => {
  const source = new Subject<Uint8Array>();
  const operator = lines();
  const first = record(source.pipe(operator));
  source.next(bytes('a'));
  const second = record(source.pipe(operator));
  source.next(bytes('b\r\n'));
  assert.equal(first.values, ['ab']);
  assert.equal(second.values, ['b']);
});

test.run();
