import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidNameError } from '../../../protocols/dns/dns-error.js';
import {
  canonicalName,
  isInDomain,
  labelText,
  nameFromLabels,
  nameKey,
  nameKeys,
  nameLabels,
  namesEqual,
  parentName,
} from '../../../protocols/dns/domain-name.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/dns/domain-name'));

const texts = (name: string) => nameLabels(name).map((label) => Buffer.from(label).toString('latin1'));

test('labels undo escapes; a trailing dot and the root are allowed', () => {
  assert.equal(texts('www.Example.test.'), ['www', 'Example', 'test']);
  assert.equal(texts('a\\.b.c\\\\d'), ['a.b', 'c\\d']);
  assert.equal(texts('\\000\\255x'), ['\u0000\u00ffx']);
  assert.equal(texts(''), []);
  assert.equal(texts('.'), []);
});

test('refuses empty labels, labels over 63 octets, names over 255, bad escapes', () => {
  for (const bad of ['a..b', '.a', 'a\\', `${'x'.repeat(64)}.test`, `${'abcdefg.'.repeat(32)}x`, 'a\\256']) {
    assert.throws(
      () => nameLabels(bad),
      (error: unknown) => error instanceof InvalidNameError,
      bad,
    );
  }
  assert.is(nameLabels(`${'x'.repeat(63)}.test`).length, 2);
  assert.is(
    nameLabels(Array.from({ length: 4 }, () => 'x'.repeat(62)).join('.')).length,
    4,
    '253 characters',
  );
});

test('a label is written in one spelling: printable ASCII as is, dot and backslash escaped, other bytes as \\DDD', () => {
  assert.is(labelText(Buffer.from('a.b\\c')), 'a\\.b\\\\c');
  assert.is(labelText(Uint8Array.of(0, 0x20, 0x7f, 0x41)), '\\000\\032\\127A');
  assert.is(nameFromLabels([Buffer.from('www'), Buffer.from('a.b')]), 'www.a\\.b');
  assert.is(canonicalName('WWW.\\065b.test.'), 'WWW.Ab.test');
});

test('keys compare names without regard to ASCII case, and agree between plain and escaped spellings', () => {
  assert.is(nameKey('WWW.Example.COM.'), 'www.example.com');
  assert.is(nameKey('\\087ww.example.com'), 'www.example.com');
  assert.ok(namesEqual('Example.com', 'example.COM.'));
  assert.not.ok(namesEqual('a\\.b.c', 'a.b.c'));
  assert.is(nameKey(''), '');
  assert.is(nameKey('.'), '');
});

test('nameKeys walks up to the root, escaped dots staying inside their label', () => {
  assert.equal(nameKeys('WWW.Example.test'), ['www.example.test', 'example.test', 'test', '']);
  assert.equal(nameKeys('a\\.b.Test'), ['a\\.b.test', 'test', '']);
  assert.equal(nameKeys('.'), ['']);
  assert.throws(
    () => nameKeys('a..b'),
    (error: unknown) => error instanceof InvalidNameError,
  );
});

test('isInDomain is by whole labels, without regard to case, escaped dots included', () => {
  assert.ok(isInDomain('www.Example.com', 'example.COM'));
  assert.ok(isInDomain('example.com', 'example.com.'));
  assert.ok(isInDomain('anything', ''));
  assert.not.ok(isInDomain('badexample.com', 'example.com'));
  assert.not.ok(isInDomain('a\\.example.com', 'example.com'), 'one label "a.example", then com');
  assert.ok(isInDomain('x.a\\.example.com', 'a\\.example.com'));
});

test('parentName drops the first label', () => {
  assert.is(parentName('www.example.com'), 'example.com');
  assert.is(parentName('a\\.b.c'), 'c');
  assert.is(parentName('com'), '');
  assert.is(parentName(''), '');
});

test.run();
