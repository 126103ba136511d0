import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpHeaders } from '../../../protocols/http/headers.js';
import {
  entityTag,
  evaluatePreconditions,
  httpDate,
  ifRangeHolds,
  parseHttpDate,
} from '../../../protocols/web/_conditional.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/web/_conditional'));

const validators = { etag: '"abc"', lastModified: 784111777 };
const check = (headers: Record<string, string>, against = validators) =>
  evaluatePreconditions(new HttpHeaders(headers), against);

test('an entity tag from size and mtime changes with either', () => {
  assert.is(entityTag(1000, 1_700_000_000_000), '"3e8-18bcfe56800"');
  assert.is.not(entityTag(1001, 1_700_000_000_000), entityTag(1000, 1_700_000_000_000));
  assert.is.not(entityTag(1000, 1_700_000_000_001), entityTag(1000, 1_700_000_000_000));
});

test('reads the three HTTP-date forms, refuses the rest', () => {
  assert.is(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), 784111777);
  assert.is(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), 784111777);
  assert.is(parseHttpDate('Sun Nov  6 08:49:37 1994'), 784111777);
  assert.is(parseHttpDate('Thursday, 01-Jan-26 00:00:00 GMT'), Date.UTC(2026, 0, 1) / 1000);
  for (const bad of [
    '',
    'yesterday',
    '784111777',
    'Sun, 06 Nov 1994 08:49:37 PST',
    'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:49:37 GMT',
    'Sun, 6 Nov 1994 08:49:37 GMT',
  ]) {
    assert.is(parseHttpDate(bad), undefined, bad);
  }
  assert.is(httpDate(784111777), 'Sun, 06 Nov 1994 08:49:37 GMT');
});

test('If-None-Match: a list, *, weak comparison → not-modified; else proceed', () => {
  assert.is(check({ 'If-None-Match': '"abc"' }), 'not-modified');
  assert.is(check({ 'If-None-Match': '"x", W/"abc"' }), 'not-modified', 'weak comparison');
  assert.is(check({ 'If-None-Match': '"a,b", "abc"' }), 'not-modified', 'a comma inside a tag');
  assert.is(check({ 'If-None-Match': '*' }), 'not-modified');
  assert.is(check({ 'If-None-Match': '"abd"' }), 'proceed');
  assert.is(check({ 'If-None-Match': 'abc' }), 'proceed', 'an unquoted tag is no tag');
  assert.is(check({ 'If-None-Match': '"abc"' }, { etag: 'W/"abc"', lastModified: 0 }), 'not-modified');
});

test('If-Modified-Since: not newer → not-modified; ignored with If-None-Match or an invalid date', () => {
  assert.is(check({ 'If-Modified-Since': 'Sun, 06 Nov 1994 08:49:37 GMT' }), 'not-modified');
  assert.is(check({ 'If-Modified-Since': 'Sun, 06 Nov 1994 08:49:38 GMT' }), 'not-modified');
  assert.is(check({ 'If-Modified-Since': 'Sun, 06 Nov 1994 08:49:36 GMT' }), 'proceed');
  assert.is(check({ 'If-Modified-Since': 'not a date' }), 'proceed');
  assert.is(
    check({ 'If-None-Match': '"other"', 'If-Modified-Since': 'Sun, 06 Nov 2044 08:49:37 GMT' }),
    'proceed',
    'If-None-Match present: If-Modified-Since is not looked at (RFC 9110 §13.2.2)',
  );
});

test('If-Match (strong) and If-Unmodified-Since fail a request first', () => {
  assert.is(check({ 'If-Match': '"abc"' }), 'proceed');
  assert.is(check({ 'If-Match': '*' }), 'proceed');
  assert.is(check({ 'If-Match': '"zzz"' }), 'failed');
  assert.is(check({ 'If-Match': 'W/"abc"' }), 'failed', 'a weak tag never matches strongly');
  assert.is(check({ 'If-Match': '"zzz"', 'If-None-Match': '"abc"' }), 'failed', 'If-Match is checked first');
  assert.is(check({ 'If-Unmodified-Since': 'Sun, 06 Nov 1994 08:49:36 GMT' }), 'failed');
  assert.is(check({ 'If-Unmodified-Since': 'Sun, 06 Nov 1994 08:49:37 GMT' }), 'proceed');
  assert.is(
    check({ 'If-Match': '"abc"', 'If-Unmodified-Since': 'Sun, 06 Nov 1994 08:49:36 GMT' }),
    'proceed',
    'If-Unmodified-Since is ignored when If-Match is present',
  );
});

test('If-Range: a strong tag that matches, or the exact date', () => {
  assert.ok(ifRangeHolds(undefined, validators));
  assert.ok(ifRangeHolds('"abc"', validators));
  assert.not.ok(ifRangeHolds('"abd"', validators));
  assert.not.ok(ifRangeHolds('W/"abc"', validators));
  assert.not.ok(ifRangeHolds('"abc"', { etag: 'W/"abc"', lastModified: 0 }));
  assert.ok(ifRangeHolds('Sun, 06 Nov 1994 08:49:37 GMT', validators));
  assert.not.ok(ifRangeHolds('Sun, 06 Nov 1994 08:49:38 GMT', validators), 'a later date is not the same');
  assert.not.ok(ifRangeHolds('garbage', validators));
});

test.run();
