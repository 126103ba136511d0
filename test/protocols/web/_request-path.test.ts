import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { requestedPath } from '../../../protocols/web/_request-path.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/web/_request-path'));

test('decodes each segment once, merges slashes, and notes a trailing slash', () => {
  assert.equal(requestedPath('/', false), { names: [], folder: true });
  assert.equal(requestedPath('/a/b.txt', false), { names: ['a', 'b.txt'], folder: false });
  assert.equal(requestedPath('//a///b/', false), { names: ['a', 'b'], folder: true });
  assert.equal(requestedPath('/a%20b/%25.txt', false), { names: ['a b', '%.txt'], folder: false });
  assert.equal(
    requestedPath('/%252e%252e', false),
    { names: ['%2e%2e'], folder: false },
    'decoded once only',
  );
  assert.equal(requestedPath('/caf%C3%A9', false), { names: ['café'], folder: false });
});

test('refuses every way of spelling a way out', () => {
  for (const path of [
    '',
    'a/b',
    '/..',
    '/a/../b',
    '/./a',
    '/%2e%2e/a',
    '/%2E%2e/a',
    '/.%2e/a',
    '/a%2f..%2fb',
    '/a%2F',
    '/..%5ca',
    '/a\\b',
    '/a%00.txt',
    '/%',
    '/%zz',
    '/%c0%ae%c0%ae/a',
    '/%ff',
  ]) {
    assert.is(requestedPath(path, true), undefined, path);
  }
});

test('names starting with a dot are refused unless dotfiles', () => {
  assert.is(requestedPath('/.env', false), undefined);
  assert.is(requestedPath('/a/.git/config', false), undefined);
  assert.is(requestedPath('/%2eenv', false), undefined);
  assert.equal(requestedPath('/a/.well-known/x', true), { names: ['a', '.well-known', 'x'], folder: false });
  assert.is(requestedPath('/..', true), undefined, '.. stays refused with dotfiles');
});

test.run();
