/**
 * Attacks on the static file handler (`staticFiles`), each with the refusal it must meet: the
 * traversal corpus (fixtures/static-files-traversal.txt: `..`, `%2e%2e`, `%2f`, `%5c` and
 * backslashes, double encoding, overlong UTF-8, `%u`, NUL, absolute-form targets, dotfiles), raw
 * NUL and backslashes, symlinks that resolve outside the root: 404 (400 where the HTTP parser
 * refuses the target), and never a byte from outside; dotfiles hidden unless asked for.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { staticFiles } from '../../protocols/web/static-files.js';
import { checkClean } from '../../source/testing/index.js';
import { ask } from '../protocols/web/_ask.js';

const test = checkClean(suite('attacks/static-files'));

/** `<top>/secret.txt` outside the root `<top>/root`, links out of it, dotfiles and a FIFO in it. */
const top = mkdtempSync(join(tmpdir(), 'spindle-static-attack-'));
const root = join(top, 'root');
mkdirSync(join(root, 'docs'), { recursive: true });
mkdirSync(join(root, '.well-known'));
writeFileSync(join(top, 'secret.txt'), 'TOP SECRET\n');
writeFileSync(join(root, 'hello.txt'), 'hello world\n');
writeFileSync(join(root, '.env'), 'SECRET_ENV\n');
writeFileSync(join(root, '.well-known', 'security.txt'), 'contact\n');
writeFileSync(join(root, 'docs', '.hidden'), 'hidden\n');
symlinkSync('hello.txt', join(root, 'link-in.txt'));
symlinkSync('../hello.txt', join(root, 'docs', 'hello-link.txt'));
symlinkSync('../secret.txt', join(root, 'link-out.txt'));
symlinkSync(join(top, 'secret.txt'), join(root, 'abs-out.txt'));
symlinkSync('..', join(root, 'dir-out'));
symlinkSync('../../secret.txt', join(root, 'docs', 'escape.txt'));
execFileSync('mkfifo', [join(root, 'fifo.txt')]);
test.after(() => rmSync(top, { recursive: true, force: true }));

const files = staticFiles(root);
const secret = /SECRET|hidden|contact/;

test('every target of the traversal corpus gets its refusal, GET and HEAD, never a byte from outside', async () => {
  const corpus = readFileSync(new URL('fixtures/static-files-traversal.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  assert.ok(corpus.length >= 60, `${corpus.length} targets`);
  for (const line of corpus) {
    const [expected, target] = line.split(' ') as [string, string];
    for (const method of ['GET', 'HEAD']) {
      const answer = await ask(files, target, method);
      assert.is(String(answer.status), expected, `${method} ${target}`);
      assert.not.match(answer.body, secret, `${method} ${target}`);
    }
  }
});

test('a raw NUL in the target is refused by the parser (400); raw backslashes are no separators (404)', async () => {
  const nul = await ask(files, '/hello.txt\0.png');
  assert.is(nul.status, 400);
  for (const [target, status] of [
    ['/..\\secret.txt', 404],
    ['/docs\\..\\..\\secret.txt', 404],
    ['\\..\\secret.txt', 400], // no origin-form target at all
  ] as const) {
    const answer = await ask(files, target);
    assert.is(answer.status, status, target);
    assert.not.match(answer.body, secret, target);
  }
});

test('symlinks: followed while they resolve inside the root, 404 once they lead outside it', async () => {
  assert.is((await ask(files, '/link-in.txt')).body, 'hello world\n');
  assert.is((await ask(files, '/docs/hello-link.txt')).body, 'hello world\n');
  for (const target of [
    '/link-out.txt',
    '/abs-out.txt',
    '/dir-out/secret.txt',
    '/docs/escape.txt',
    '/dir-out/',
  ]) {
    const answer = await ask(files, target);
    assert.is(answer.status, 404, target);
    assert.not.match(answer.body, secret, target);
  }
  const through = await ask(files, '/dir-out/root/hello.txt');
  assert.is(through.status, 200, 'a path out and back in resolves inside the root');
});

test('dotfiles are hidden (404) unless enabled, and .. stays refused when they are', async () => {
  for (const target of ['/.env', '/.well-known/security.txt', '/docs/.hidden', '/%2eenv', '/.%65nv']) {
    assert.is((await ask(files, target)).status, 404, target);
  }
  const shown = staticFiles(root, { dotfiles: true });
  assert.is((await ask(shown, '/.env')).body, 'SECRET_ENV\n');
  assert.is((await ask(shown, '/.well-known/security.txt')).status, 200);
  for (const target of ['/../secret.txt', '/%2e%2e/secret.txt', '/.%2e/secret.txt']) {
    assert.is((await ask(shown, target)).status, 404, target);
  }
});

test.run();
