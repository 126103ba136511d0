/**
 * Attacks on the FTP server (`ftpServer`), each with the refusal it must meet:
 * - path traversal: `..`, percent-encoded dots, absolute paths, backslashes, NUL, invalid UTF-8,
 *   through every command that takes a path (550; a line that is not UTF-8 is refused whole,
 *   501), and symlinks on a real disk that lead out of the root (550, nothing outside read or
 *   written);
 * - the bounce attack: PORT and EPRT to any address but the client's, or to a privileged port
 *   (501; an unknown address family 522), and a passive data connection stolen by another
 *   address (reset);
 * - commands before login (530).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NodeFileSystem } from '../../protocols/ftp/node-file-system.js';
import { checkClean } from '../../source/testing/index.js';
import {
  type Control,
  dataConnection,
  type Harness,
  harness,
  readAll,
} from '../protocols/ftp/_server-harness.js';

const test = checkClean(suite('attacks/ftp'));

/** A control connection logged in as alice, over a little tree. */
async function loggedIn(options = {}): Promise<{ h: Harness; c: Control }> {
  const h = harness(options);
  h.fs.addFile('/pub/a.txt', 'hello\n');
  h.fs.addDirectory('/incoming');
  const c = h.connect();
  await c.login();
  return { h, c };
}

/**
 * The codes of the replies to `line` (after an EPSV for the commands that open a data
 * connection), waiting for the disk (turn by turn, 5 s at most) when there is none yet.
 */
async function codesOf(c: Control, line: string): Promise<number[]> {
  if (/^(RETR|STOR|APPE|LIST|NLST|MLSD) /.test(line)) await c.passive();
  const replies = await c.command(line);
  for (const deadline = Date.now() + 5000; replies.length === 0 && Date.now() < deadline; ) {
    await turn();
    replies.push(...c.replies());
  }
  return replies.map((reply) => reply.code);
}

/** Paths that leave the root, however spelled. */
const climbing = [
  '..',
  '../..',
  '/..',
  '/../etc/passwd',
  '../../../../etc/passwd',
  'a/../../..',
  './../../x',
  '/pub/../../x',
  'pub/../../../etc',
];

test('traversal: .. in every spelling is refused with 550 by every command that takes a path', async () => {
  const { h, c } = await loggedIn();
  await c.command('CWD /pub');
  for (const path of climbing) {
    if (path === '..') continue; // from /pub, .. is the root itself
    for (const verb of ['CWD', 'SIZE', 'MDTM', 'MKD', 'DELE', 'RMD', 'RNFR', 'MLST', 'STAT']) {
      assert.equal(await codesOf(c, `${verb} ${path}`), [550], `${verb} ${JSON.stringify(path)}`);
    }
    for (const verb of ['RETR', 'STOR', 'APPE', 'LIST', 'NLST', 'MLSD']) {
      assert.equal(await codesOf(c, `${verb} ${path}`), [550], `${verb} ${JSON.stringify(path)}`);
    }
  }
  assert.equal(await c.codes('RNFR /pub/a.txt'), [350]);
  assert.equal(await c.codes('RNTO ../../a.txt'), [550], 'RNTO out of the root');
  assert.equal(await c.codes('PWD'), [257]);
  assert.is(Buffer.from(h.fs.contents('/pub/a.txt')!).toString(), 'hello\n', 'nothing moved');
  await c.command('QUIT');
});

test('traversal: absolute paths, %2e%2e, %2f and backslashes are names inside the root, never a way out', async () => {
  const { h, c } = await loggedIn();
  for (const path of [
    '/etc/passwd',
    '%2e%2e/%2e%2e/etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '..\\..\\etc\\passwd',
  ]) {
    for (const verb of ['RETR', 'LIST', 'SIZE', 'CWD', 'DELE']) {
      if (verb === 'RETR' || verb === 'LIST') await c.passive();
      const [reply] = await c.command(`${verb} ${path}`);
      assert.is(reply?.code, 550, `${verb} ${path}`);
      assert.match(reply!.text, 'no such file', `${verb} ${path}: looked for inside the root`);
    }
  }
  assert.equal(await c.codes('MKD ..%2f..'), [257], 'a %2f is an ordinary character');
  assert.equal(await c.codes('MKD ..\\..'), [257], 'a backslash is no separator');
  assert.ok((await h.fs.list('/')).some((entry) => entry.name === '..%2f..'));
  assert.ok((await h.fs.list('/')).some((entry) => entry.name === '..\\..'));
  await c.command('QUIT');
});

test('traversal: a NUL in a path is 550; a command line that is not UTF-8 is refused whole (501)', async () => {
  const { c } = await loggedIn();
  for (const verb of ['CWD', 'RETR', 'STOR', 'DELE', 'MKD']) {
    assert.equal(await codesOf(c, `${verb} pub\0/../../etc`), [550], verb);
  }
  for (const bytes of [
    [0xc3, 0x28], // a lead byte without its continuation
    [0xc0, 0xae, 0xc0, 0xae], // an overlong '..'
    [0xed, 0xa0, 0x80], // a surrogate
    [0xfe], // never in UTF-8 (0xFF is Telnet's IAC, taken out first)
  ]) {
    await c.send(Buffer.concat([Buffer.from('CWD '), Buffer.from(bytes), Buffer.from('\r\n')]));
    assert.equal(
      c.replies().map((reply) => reply.code),
      [501],
      Buffer.from(bytes).toString('hex'),
    );
  }
  assert.equal(await c.codes('PWD'), [257], 'the session goes on');
  await c.command('QUIT');
});

test('traversal: symlinks on disk that lead out of the root can be neither read, listed, entered nor written through', async () => {
  const base = await mkdtemp(join(tmpdir(), 'spindle-ftp-attack-'));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  try {
    await mkdir(root);
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await writeFile(join(root, 'inside.txt'), 'inside');
    await symlink(join(outside, 'secret.txt'), join(root, 'secret-link'));
    await symlink('../outside', join(root, 'up'));
    await symlink('/etc', join(root, 'etc'));
    await symlink('inside.txt', join(root, 'inside-link'));
    const h = harness({ fileSystem: new NodeFileSystem(root) });
    const c = h.connect();
    await c.login();
    for (const line of [
      'RETR secret-link',
      'RETR up/secret.txt',
      'RETR etc/passwd',
      'LIST up',
      'NLST etc',
      'MLSD up',
      'CWD up',
      'CWD etc',
      'SIZE secret-link',
      'MDTM up/secret.txt',
      'STAT up',
      'STOR up/planted.txt',
      'APPE secret-link',
      'STOR secret-link',
      'MKD up/new',
      'DELE up/secret.txt',
      'RNFR up/secret.txt',
    ]) {
      assert.equal(await codesOf(c, line), [550], line);
    }
    const text = readAll(dataConnection(h.reactor, await c.passive()));
    await c.send('RETR inside-link\r\n');
    assert.is(await text, 'inside', 'a link inside the root is followed');
    assert.equal(await readdir(outside), ['secret.txt'], 'nothing written outside');
    assert.is(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret', 'nor changed');
    c.transport.abort();
    await h.reactor.flush();
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('bounce: PORT and EPRT anywhere but the client, or to a privileged port, are refused, and nothing is connected', async () => {
  const { h, c } = await loggedIn();
  const corpus: [string, number][] = [
    ['PORT 10,0,0,1,0,21', 501],
    ['PORT 192,0,2,25,0,25', 501],
    ['PORT 127,0,0,2,200,1', 501],
    ['PORT 0,0,0,0,200,1', 501],
    ['PORT 255,255,255,255,200,1', 501],
    ['PORT 127,0,0,1,0,25', 501],
    ['PORT 127,0,0,1,3,255', 501],
    ['PORT 127,0,0,1,256,1', 501],
    ['PORT 127,0,0,1', 501],
    ['PORT 127,0,0,1,200,1,1', 501],
    ['PORT ', 501],
    ['EPRT |1|10.0.0.1|21|', 501],
    ['EPRT |1|127.0.0.2|50000|', 501],
    ['EPRT |2|::1|50000|', 501],
    ['EPRT |2|::ffff:10.0.0.1|50000|', 501],
    ['EPRT |1|127.0.0.1|80|', 501],
    ['EPRT |3|127.0.0.1|50000|', 522],
    ['EPRT |1|127.0.0.1|0|', 501],
    ['EPRT 127.0.0.1:50000', 501],
  ];
  for (const [line, code] of corpus) assert.equal(await c.codes(line), [code], line);
  assert.equal(h.reactor.connects.length, 0);
  await c.send('LIST\r\n');
  assert.equal(
    c.replies().map((reply) => reply.code),
    [425],
    'no channel was set up',
  );
  await c.command('QUIT');
});

test('bounce: a passive data connection from another address is reset, and the wait goes on for the right one', async () => {
  const { h, c } = await loggedIn();
  h.fs.addFile('/a', 'secret');
  const port = await c.passive();
  await c.send('RETR a\r\n');
  const thief = dataConnection(h.reactor, port, '10.9.9.9');
  const stolen = readAll(thief).catch((error: unknown) => error);
  await h.reactor.flush();
  assert.ok((await stolen) instanceof Error, 'the intruder is reset');
  assert.equal(c.replies(), [], 'the transfer still waits');
  const text = readAll(dataConnection(h.reactor, port));
  assert.is(await text, 'secret');
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [150, 226],
  );
  await c.command('QUIT');
});

test('before login only USER, PASS, AUTH, PBSZ, PROT, FEAT and QUIT are taken: the rest get 530', async () => {
  const h = harness();
  const c = h.connect();
  c.replies();
  for (const verb of [
    'PWD',
    'CWD /',
    'LIST',
    'RETR a',
    'STOR a',
    'APPE a',
    'STOU',
    'PASV',
    'EPSV',
    'PORT 127,0,0,1,200,1',
    'EPRT |1|127.0.0.1|50000|',
    'SYST',
    'NOOP',
    'XYZZ',
    'DELE a',
    'MKD x',
    'RNFR a',
    'SIZE a',
    'MLST /',
    'STAT /',
  ]) {
    assert.equal(await c.codes(verb), [530], verb);
  }
  assert.equal(await c.codes('FEAT'), [211]);
  assert.equal(await c.codes('PASS nothing'), [503], 'PASS before USER');
  assert.equal(await c.codes('PBSZ 0'), [503], 'PBSZ before AUTH TLS');
  assert.equal(await c.codes('AUTH TLS'), [502], 'no TLS configured');
  assert.equal(h.reactor.listens.length + h.reactor.connects.length, 0, 'no data channel opened');
  assert.equal(h.fs.contents('/x'), undefined);
  assert.equal(await c.codes('QUIT'), [221]);
});

test.run();
