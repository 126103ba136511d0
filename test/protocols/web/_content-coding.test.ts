import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseCoding, encodingQualities } from '../../../protocols/web/_content-coding.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/web/_content-coding'));

const pick = (header: string | undefined) =>
  chooseCoding(encodingQualities(header), ['br', 'gzip', 'identity']);

test('no header: identity only', () => {
  assert.is(pick(undefined), 'identity');
  assert.is(encodingQualities(undefined)('gzip'), 0);
});

test('q-values choose; Brotli, then gzip, then identity win ties', () => {
  assert.is(pick('gzip, deflate, br'), 'br');
  assert.is(pick('gzip, deflate'), 'gzip');
  assert.is(pick('gzip;q=1, br;q=0.5'), 'gzip');
  assert.is(pick('br;q=0.2, identity;q=0.5'), 'identity');
  assert.is(pick('X-GZIP ; Q=1.0'), 'gzip', 'x-gzip is gzip; names and q are case-insensitive');
  assert.is(pick('*'), 'br');
  assert.is(pick('*;q=0.5, br;q=0'), 'gzip');
  assert.is(pick(''), 'identity');
});

test('identity is refused only by identity;q=0, or by *;q=0 without an entry of its own', () => {
  assert.is(pick('identity;q=0'), undefined);
  assert.is(pick('gzip, identity;q=0'), 'gzip');
  assert.is(pick('*;q=0'), undefined);
  assert.is(pick('*;q=0, identity'), 'identity');
  assert.is(pick('br;q=0, gzip;q=0'), 'identity');
});

test('a malformed q ignores its element', () => {
  assert.is(pick('br;q=2, gzip'), 'gzip');
  assert.is(pick('br;q=0.1234, gzip;q=0.5, identity;q=0.1'), 'gzip');
  assert.is(pick('br;q=abc'), 'identity');
  assert.is(encodingQualities('gzip;q=0.5;level=1')('gzip'), 0.5, 'other parameters are ignored');
});

test.run();
