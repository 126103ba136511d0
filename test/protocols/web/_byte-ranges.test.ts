import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { contentRange, multipartByteranges, parseRange } from '../../../protocols/web/_byte-ranges.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/web/_byte-ranges'));

const ranges = (...pairs: [number, number][]) => ({
  kind: 'ranges',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});

test('reads first-last, first- and -suffix ranges against the size', () => {
  assert.equal(parseRange('bytes=0-99', 1000, 16), ranges([0, 99]));
  assert.equal(parseRange('bytes=900-', 1000, 16), ranges([900, 999]));
  assert.equal(parseRange('bytes=-100', 1000, 16), ranges([900, 999]));
  assert.equal(
    parseRange('bytes=-5000', 1000, 16),
    ranges([0, 999]),
    'a suffix longer than the file is all of it',
  );
  assert.equal(parseRange('bytes=990-5000', 1000, 16), ranges([990, 999]), 'the last byte is clamped');
  assert.equal(
    parseRange('BYTES = 1-1 , ,2-2', 1000, 16),
    ranges([1, 1], [2, 2]),
    'unit case, spaces, empty elements',
  );
});

test('keeps several ranges in the order asked, neither merged nor sorted', () => {
  assert.equal(parseRange('bytes=500-599,0-9,-10', 1000, 16), ranges([500, 599], [0, 9], [990, 999]));
});

test('no header, another unit, or any malformed range: the whole representation', () => {
  for (const value of [
    undefined,
    'items=0-1',
    'bytes 0-1',
    'bytes=',
    'bytes=abc',
    'bytes=5-2',
    'bytes=0-1,x',
    'bytes=--1',
    'bytes=1-2-3',
    'bytes=0x1-2',
  ]) {
    assert.equal(parseRange(value, 1000, 16), { kind: 'whole' }, String(value));
  }
});

test('ranges past the end are dropped; none left is unsatisfiable', () => {
  assert.equal(parseRange('bytes=1000-', 1000, 16), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=-0', 1000, 16), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=0-', 0, 16), { kind: 'unsatisfiable' }, 'an empty file has no byte to give');
  assert.equal(parseRange('bytes=-1', 0, 16), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=2000-2100,0-0', 1000, 16), ranges([0, 0]));
  assert.equal(parseRange('bytes=99999999999999999999-', 1000, 16), { kind: 'unsatisfiable' });
});

test('more ranges than maxRanges, or more bytes than the file has, make the header ignored (nginx)', () => {
  assert.equal(parseRange('bytes=0-0,1-1,2-2', 1000, 2), { kind: 'whole' });
  assert.equal(parseRange('bytes=0-0,1-1', 1000, 2), ranges([0, 0], [1, 1]));
  assert.equal(
    parseRange('bytes=0-599,400-999', 1000, 16),
    { kind: 'whole' },
    'overlaps asking for 1200 of 1000 bytes',
  );
  assert.equal(
    parseRange('bytes=0-499,400-899', 1000, 16),
    ranges([0, 499], [400, 899]),
    'overlaps within the size',
  );
  assert.equal(parseRange(`bytes=${'0-,'.repeat(50)}`, 1000, 100), { kind: 'whole' });
});

test('Content-Range and the multipart layout, whose length is exact', () => {
  assert.is(contentRange({ start: 0, end: 99 }, 1000), 'bytes 0-99/1000');
  const layout = multipartByteranges(
    [
      { start: 0, end: 3 },
      { start: 6, end: 8 },
    ],
    12,
    'text/plain',
    'XYZ',
  );
  assert.equal(
    layout.parts.map((part) => part.head),
    [
      '\r\n--XYZ\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-3/12\r\n\r\n',
      '\r\n--XYZ\r\nContent-Type: text/plain\r\nContent-Range: bytes 6-8/12\r\n\r\n',
    ],
  );
  assert.is(layout.tail, '\r\n--XYZ--\r\n');
  const body = 'hello world\n';
  const text =
    layout.parts.map((part) => part.head + body.slice(part.start, part.end + 1)).join('') + layout.tail;
  assert.is(layout.length, text.length);
});

test.run();
