import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isCompressible, mediaTypeOf, mediaTypes } from '../../../protocols/web/_mime-types.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/web/_mime-types'));

const types = mediaTypes();

test('types by the last extension, any case; text gets charset=utf-8; unknown is octet-stream', () => {
  assert.is(mediaTypeOf(types, 'index.html'), 'text/html; charset=utf-8');
  assert.is(mediaTypeOf(types, 'APP.MJS'), 'text/javascript; charset=utf-8');
  assert.is(mediaTypeOf(types, 'archive.tar.gz'), 'application/gzip');
  assert.is(mediaTypeOf(types, 'data.json'), 'application/json', 'JSON defines no charset parameter');
  assert.is(mediaTypeOf(types, 'font.woff2'), 'font/woff2');
  assert.is(mediaTypeOf(types, 'README'), 'application/octet-stream');
  assert.is(mediaTypeOf(types, '.bashrc'), 'application/octet-stream', 'a leading dot is no extension');
  assert.is(mediaTypeOf(types, 'x.unknown'), 'application/octet-stream');
});

test('every entry is a valid media type and every extension is lower case', () => {
  const token = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(; charset=utf-8)?$/;
  assert.ok(types.size > 100, `${types.size} extensions`);
  for (const [extension, type] of types) {
    assert.match(extension, /^[a-z0-9]+$/, extension);
    assert.match(type, token, type);
  }
});

test('extra types are added or replace the table’s, with or without a dot', () => {
  const mine = mediaTypes({ '.mdx': 'text/markdown', json: 'application/problem+json' });
  assert.is(mediaTypeOf(mine, 'a.mdx'), 'text/markdown; charset=utf-8');
  assert.is(mediaTypeOf(mine, 'a.json'), 'application/problem+json');
});

test('compressible: text, JSON, XML, JavaScript, SVG, wasm; not images, archives or video', () => {
  for (const type of [
    'text/plain; charset=utf-8',
    'application/json',
    'application/ld+json',
    'image/svg+xml',
    'application/atom+xml',
    'application/wasm',
    'TEXT/CSS',
  ]) {
    assert.ok(isCompressible(type), type);
  }
  for (const type of [
    'image/png',
    'image/jpeg',
    'application/gzip',
    'application/zip',
    'video/mp4',
    'font/woff2',
    'application/octet-stream',
  ]) {
    assert.not.ok(isCompressible(type), type);
  }
});

test.run();
