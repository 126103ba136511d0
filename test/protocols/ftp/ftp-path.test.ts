import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FtpPathError, type FtpPathRefusal } from '../../../protocols/ftp/file-system-error.js';
import { ftpPathNames, joinFtpPath, resolveFtpPath } from '../../../protocols/ftp/ftp-path.js';
import { ProtocolError } from '../../../source/errors.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/ftp/ftp-path'));

function refusal(run: () => unknown): FtpPathRefusal {
  try {
    run();
  } catch (error) {
    assert.instance(error, FtpPathError);
    return (error as FtpPathError).refusal;
  }
  assert.unreachable('expected an FtpPathError');
  return 'not-canonical';
}

test('resolves relative arguments against the working folder, . and .. by name', () => {
  assert.is(resolveFtpPath('/pub', 'a.txt'), '/pub/a.txt');
  assert.is(resolveFtpPath('/pub', 'a/./b/../c'), '/pub/a/c');
  assert.is(resolveFtpPath('/pub/x', '..'), '/pub');
  assert.is(resolveFtpPath('/pub', '..'), '/');
  assert.is(resolveFtpPath('/pub', 'a//b/'), '/pub/a/b');
  assert.is(resolveFtpPath('/', '.'), '/');
});

test('an empty argument names the working folder', () => {
  assert.is(resolveFtpPath('/pub', ''), '/pub');
});

test('an absolute argument starts at the virtual root', () => {
  assert.is(resolveFtpPath('/pub', '/etc/passwd'), '/etc/passwd');
  assert.is(resolveFtpPath('/pub', '/'), '/');
  assert.is(resolveFtpPath('/pub', '//x'), '/x');
});

test('.. beyond the root is refused, not clamped (traversal corpus)', () => {
  for (const [cwd, argument] of [
    ['/', '..'],
    ['/', '../..'],
    ['/pub', '../..'],
    ['/pub', '/../etc/passwd'],
    ['/', '/..'],
    ['/pub', 'a/../../../etc'],
    ['/a/b', '../../../x'],
  ] as const) {
    assert.is(
      refusal(() => resolveFtpPath(cwd, argument)),
      'outside-root',
      `${cwd} ${argument}`,
    );
  }
});

test('.. that comes back inside the root is allowed', () => {
  assert.is(resolveFtpPath('/a/b', '../../c'), '/c');
  assert.is(resolveFtpPath('/', 'a/../b'), '/b');
});

test('%2e%2e is a literal name: nothing is URL-decoded', () => {
  assert.is(resolveFtpPath('/', '%2e%2e'), '/%2e%2e');
  assert.is(resolveFtpPath('/pub', '%2e%2e/%2e%2e/etc'), '/pub/%2e%2e/%2e%2e/etc');
  assert.is(resolveFtpPath('/', '..%2f..'), '/..%2f..');
});

test('a backslash is an ordinary character, not a separator', () => {
  assert.is(resolveFtpPath('/', '..\\..'), '/..\\..');
  assert.is(resolveFtpPath('/pub', '..\\..\\etc\\passwd'), '/pub/..\\..\\etc\\passwd');
  assert.equal(ftpPathNames(resolveFtpPath('/', 'a\\b')), ['a\\b']);
});

test('other odd names stay literal: dots, tilde, wildcards, spaces', () => {
  assert.is(resolveFtpPath('/', '...'), '/...');
  assert.is(resolveFtpPath('/', '~'), '/~');
  assert.is(resolveFtpPath('/', '*.txt'), '/*.txt');
  assert.is(resolveFtpPath('/', ' a b '), '/ a b ');
});

test('NUL, CR and LF are refused, as a string or as bytes', () => {
  for (const argument of ['a\0b', '\0', 'a\r\nb', 'x\n', '../\0']) {
    assert.is(
      refusal(() => resolveFtpPath('/', argument)),
      'forbidden-character',
      JSON.stringify(argument),
    );
    const bytes = new TextEncoder().encode(argument);
    assert.is(
      refusal(() => resolveFtpPath('/', bytes)),
      'forbidden-character',
      JSON.stringify(argument),
    );
  }
});

test('bytes are decoded as strict UTF-8; invalid UTF-8 is refused', () => {
  assert.is(resolveFtpPath('/', new Uint8Array([0xc3, 0xa9, 0x2e, 0x74])), '/é.t');
  for (const bytes of [
    [0xff],
    [0xc3],
    [0xc0, 0xaf], // overlong '/'
    [0xe0, 0x80, 0xae], // overlong '.'
    [0x2e, 0x2e, 0xc0, 0xaf, 0x2e, 0x2e], // '..' + overlong '/' + '..'
    [0xed, 0xa0, 0x80], // a UTF-16 surrogate
    [0xe9, 0x74, 0xe9], // Latin-1 'été'
  ]) {
    assert.is(
      refusal(() => resolveFtpPath('/', new Uint8Array(bytes))),
      'invalid-utf8',
      String(bytes),
    );
  }
});

test('a string with a lone surrogate is refused as invalid UTF-8', () => {
  assert.is(
    refusal(() => resolveFtpPath('/', 'a\ud800')),
    'invalid-utf8',
  );
  assert.is(resolveFtpPath('/', '\u{1f600}'), '/\u{1f600}');
});

test('a byte-order mark is kept as part of the name', () => {
  assert.is(resolveFtpPath('/', new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), '/\ufeffa');
});

test('overlong names and paths are refused, counted in UTF-8 bytes', () => {
  assert.is(resolveFtpPath('/', 'a'.repeat(255)), `/${'a'.repeat(255)}`);
  assert.is(
    refusal(() => resolveFtpPath('/', 'a'.repeat(256))),
    'too-long',
  );
  assert.is(
    refusal(() => resolveFtpPath('/', 'é'.repeat(128))),
    'too-long',
  );
  const deep = Array.from({ length: 41 }, () => 'x'.repeat(100)).join('/');
  assert.is(
    refusal(() => resolveFtpPath('/', deep)),
    'too-long',
  );
  assert.is(
    refusal(() => resolveFtpPath('/', 'abcd', { maxPathBytes: 4 })),
    'too-long',
  );
  assert.is(resolveFtpPath('/', 'abc', { maxPathBytes: 4 }), '/abc');
  assert.is(
    refusal(() => resolveFtpPath('/', 'abc', { maxNameBytes: 2 })),
    'too-long',
  );
});

test('a long argument that resolves short is judged by its result', () => {
  assert.is(resolveFtpPath('/', `${'a/'.repeat(3000)}${'../'.repeat(3000)}b`), '/b');
});

test('the refusal is a ProtocolError answered with 550', () => {
  try {
    resolveFtpPath('/', '..');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ProtocolError);
    assert.is((error as FtpPathError).protocolCode, 550);
    assert.is((error as FtpPathError).code, 'SPINDLE_FTP_PATH');
  }
});

test('ftpPathNames splits a canonical path and refuses any other', () => {
  assert.equal(ftpPathNames('/'), []);
  assert.equal(ftpPathNames('/a/b'), ['a', 'b']);
  for (const path of ['', 'a', '/a/', '//a', '/a/../b', '/./a', '/..']) {
    assert.is(
      refusal(() => ftpPathNames(path)),
      'not-canonical',
      path,
    );
  }
  assert.is(
    refusal(() => ftpPathNames('/a\0')),
    'forbidden-character',
  );
});

test('joinFtpPath is the inverse of ftpPathNames', () => {
  for (const path of ['/', '/a', '/a/b c/d']) assert.is(joinFtpPath(ftpPathNames(path)), path);
});

test.run();
