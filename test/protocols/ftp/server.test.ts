import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandDecoder } from '../../../protocols/ftp/command-line.js';
import { FtpFileSystemError } from '../../../protocols/ftp/file-system-error.js';
import { MemoryFileSystem } from '../../../protocols/ftp/memory-file-system.js';
import type { FtpReply } from '../../../protocols/ftp/reply.js';
import { ftpServer } from '../../../protocols/ftp/server.js';
import { checkClean, MemoryReactor, StringTransport, trackedClock } from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';
import { steppedTurns } from '../../support/stepped-turns.js';
import { type Control, clientAddress, harness, serverAddress } from './_server-harness.js';

const test = checkClean(suite('protocols/ftp/server'));

/** `code text` of each reply, for comparing whole conversations. */
function lines(replies: readonly FtpReply[]): string[] {
  return replies.map((reply) => `${reply.code} ${reply.text}`);
}

/** A control connection, logged in as alice, with a little tree. */
async function loggedIn(): Promise<{ h: ReturnType<typeof harness>; c: Control }> {
  const h = harness();
  h.fs.addFile('/pub/a.txt', 'hello\n', { modified: new Date(Date.UTC(2024, 0, 2, 15, 4, 5)) });
  h.fs.addDirectory('/incoming');
  const c = h.connect();
  await c.login();
  return { h, c };
}

const script = [
  'USER alice',
  'PASS secret',
  'SYST',
  'FEAT',
  'OPTS UTF8 ON',
  'PWD',
  'TYPE I',
  'TYPE A',
  'MODE S',
  'STRU F',
  'MKD new "dir"',
  'CWD new "dir"',
  'PWD',
  'CDUP',
  'SIZE /pub/a.txt',
  'MDTM /pub/a.txt',
  'RNFR /pub/a.txt',
  'RNTO /pub/b.txt',
  'DELE /pub/b.txt',
  'RMD new "dir"',
  'REST 10',
  'NOOP',
  'QUIT',
]
  .map((line) => `${line}\r\n`)
  .join('');

test('a whole login-and-commands script gets the same replies however its bytes are split', async () => {
  const run = async (chunks: readonly Uint8Array[]): Promise<string[]> => {
    const h = harness();
    h.fs.addFile('/pub/a.txt', 'hello\n', { modified: new Date(Date.UTC(2024, 0, 2, 15, 4, 5)) });
    const c = h.connect();
    for (const chunk of chunks) {
      if (c.transport.closedByProtocol) break; // QUIT ended at a bare CR: its LF is never read
      c.transport.receive(chunk);
      await null; // let each command's microtasks run between some of the chunks
    }
    await h.reactor.flush();
    assert.ok(c.transport.closedByProtocol, 'QUIT closes the connection');
    return lines(c.replies());
  };
  const expected = await run([Buffer.from(script)]);
  assert.equal(expected, [
    '220 Spindle FTP server ready.',
    '331 Please specify the password.',
    '230 Login successful.',
    '215 UNIX Type: L8',
    `211 Features:\n EPRT\n EPSV\n MDTM\n MLST type*;size*;modify*;perm*;unix.mode*;\n PASV\n REST STREAM\n SIZE\n TVFS\n UTF8\nEnd`,
    '200 Always in UTF8 mode.',
    '257 "/" is the current directory',
    '200 Switching to Binary mode.',
    '200 Switching to ASCII mode.',
    '200 Mode set to S.',
    '200 Structure set to F.',
    '257 "/new ""dir""" created',
    '250 Directory successfully changed.',
    '257 "/new ""dir""" is the current directory',
    '250 Directory successfully changed.',
    '213 6',
    '213 20240102150405',
    '350 Ready for RNTO.',
    '250 Rename successful.',
    '250 Delete operation successful.',
    '250 Remove directory operation successful.',
    '350 Restart position accepted (10).',
    '200 NOOP ok.',
    '221 Goodbye.',
  ]);
  for (const { label, chunks } of chunkings(Buffer.from(script))) {
    assert.equal(await run(chunks), expected, label);
  }
});

test('regression (issue 13): a NOOP flood in one read is answered commandsPerTurn a turn, unread meanwhile', async () => {
  const turns = steppedTurns();
  const h = harness({ commandsPerTurn: 4, scheduler: turns.scheduler });
  const c = h.connect();
  c.replies();
  c.transport.receive('NOOP\r\n'.repeat(40));
  const answered = [c.replies().length];
  assert.not.ok(c.transport.reading, 'commands wait: the connection is not read');
  while (turns.turn()) {
    answered.push(c.replies().length);
    if (answered.length < 10) assert.not.ok(c.transport.reading, `turn ${answered.length}`);
  }
  assert.equal(answered, [4, 4, 4, 4, 4, 4, 4, 4, 4, 4], 'ten turns of four replies');
  assert.ok(c.transport.reading, 'read again once all are answered');
  c.transport.loseConnection();
  await h.reactor.flush();
});

test('a budgeted script fed at every split gets the replies it gets without a budget', async () => {
  const input = Buffer.from(`USER alice\r\nPASS secret\r\n${'NOOP\r\n'.repeat(5)}PWD\r\nSYST\r\nQUIT\r\n`);
  const run = async (chunks: readonly Uint8Array[], perTurn: number): Promise<string[]> => {
    const turns = steppedTurns();
    const h = harness({ commandsPerTurn: perTurn, scheduler: turns.scheduler });
    const c = h.connect();
    for (const chunk of chunks) c.transport.receive(chunk);
    do await h.reactor.flush();
    while (turns.settle() > 0);
    assert.ok(c.transport.closedByProtocol, 'QUIT closes the connection');
    return lines(c.replies());
  };
  const expected = await run([input], Number.POSITIVE_INFINITY);
  assert.is(expected.length, 11);
  for (const { label, chunks } of chunkings(input)) assert.equal(await run(chunks, 2), expected, label);
});

test('anonymous logs in read-only; writes get 550', async () => {
  const h = harness();
  h.fs.addFile('/a.txt', 'x');
  const c = h.connect();
  await c.login('anonymous', 'guest@example.com');
  assert.equal(await c.codes('DELE /a.txt'), [550]);
  assert.equal(await c.codes('MKD /d'), [550]);
  assert.equal(await c.codes('RNFR /a.txt'), [550]);
  assert.equal(await c.codes('STOR /b.txt'), [550]);
  assert.equal(await c.codes('SIZE /a.txt'), [213]);
  assert.equal(await c.codes('STAT'), [211]);
  assert.ok(h.fs.contents('/a.txt'));
  await c.command('QUIT');
});

test('a wrong password gets 530; the last allowed failure is followed by 421 and the connection closes', async () => {
  const h = harness({ maxLoginFailures: 2 });
  const c = h.connect();
  c.replies();
  await c.command('USER alice');
  assert.equal(await c.codes('PASS wrong'), [530]);
  assert.equal(await c.codes('USER alice'), [331]);
  assert.equal(await c.codes('PASS also-wrong'), [530, 421]);
  assert.ok(c.transport.closedByProtocol);
});

test('USER after login is refused; PASS again says logged in already', async () => {
  const { c } = await loggedIn();
  assert.equal(await c.codes('USER bob'), [530]);
  assert.equal(await c.codes('PASS x'), [230]);
  await c.command('QUIT');
});

test('a checker that throws or rejects refuses the login', async () => {
  for (const checker of [
    () => {
      throw new Error('database down');
    },
    () => Promise.reject(new Error('database down')),
    async () => undefined,
  ]) {
    const h = harness({ checker });
    const c = h.connect();
    c.replies();
    await c.command('USER alice');
    assert.equal(await c.codes('PASS secret'), [530]);
    await c.command('QUIT');
  }
});

test('the checker sees the credentials, the peer and whether the connection is secure', async () => {
  const seen: unknown[] = [];
  const h = harness({
    checker: (credentials) => {
      seen.push(credentials);
      return { user: credentials.user, writable: true };
    },
  });
  const c = h.connect();
  await c.login('carol', 'pw');
  assert.equal(seen, [{ user: 'carol', password: 'pw', peer: clientAddress, secure: false }]);
  await c.command('QUIT');
});

test('path replies: PWD and MKD quote the path with doubled quotes; CWD to a file or nowhere is 550', async () => {
  const { c } = await loggedIn();
  assert.equal(lines(await c.command('MKD a"b')), ['257 "/a""b" created']);
  assert.equal(await c.codes('CWD /pub/a.txt'), [550]);
  assert.equal(await c.codes('CWD /nowhere'), [550]);
  assert.equal(await c.codes('CWD /pub'), [250]);
  assert.equal(lines(await c.command('XPWD')), ['257 "/pub" is the current directory']);
  assert.equal(await c.codes('CDUP'), [250]);
  assert.equal(await c.codes('CDUP'), [250], 'CDUP at the root stays there');
  assert.equal(lines(await c.command('PWD')), ['257 "/" is the current directory']);
  assert.equal(await c.codes('MKD /incoming'), [550], 'exists');
  assert.equal(await c.codes('RMD /pub'), [550], 'not empty');
  assert.equal(await c.codes('DELE /pub'), [550], 'a folder');
  assert.equal(await c.codes('SIZE /pub'), [550]);
  assert.equal(await c.codes('MDTM /pub'), [550]);
  assert.equal(await c.codes('SIZE /missing'), [550]);
  await c.command('QUIT');
});

test('RNTO without RNFR, or after another command, is 503', async () => {
  const { c } = await loggedIn();
  assert.equal(await c.codes('RNTO /x'), [503]);
  assert.equal(await c.codes('RNFR /pub/a.txt'), [350]);
  assert.equal(await c.codes('NOOP'), [200]);
  assert.equal(await c.codes('RNTO /x'), [503]);
  assert.equal(await c.codes('RNFR /missing'), [550]);
  await c.command('QUIT');
});

test('unknown commands get 500, known ones not implemented 502, bad lines 500', async () => {
  const { c } = await loggedIn();
  assert.equal(await c.codes('XYZZ'), [500]);
  assert.equal(await c.codes('SITE CHMOD 777 a'), [502]);
  assert.equal(await c.codes('ACCT x'), [502]);
  assert.equal(await c.codes('HELLO WORLD'), [500]);
  assert.equal(await c.codes(''), [500]);
  assert.equal(await c.codes(`NOOP ${'x'.repeat(5000)}`), [500]);
  assert.equal(await c.codes('NOOP'), [200], 'the session goes on');
  await c.command('QUIT');
});

test('TYPE, MODE, STRU, OPTS, REST, EPSV arguments: taken, refused (504) or bad (501)', async () => {
  const { c } = await loggedIn();
  assert.equal(await c.codes('TYPE L 8'), [200]);
  assert.equal(await c.codes('TYPE a n'), [200]);
  assert.equal(await c.codes('TYPE E'), [504]);
  assert.equal(await c.codes('TYPE Q'), [501]);
  assert.equal(await c.codes('MODE B'), [504]);
  assert.equal(await c.codes('MODE X'), [501]);
  assert.equal(await c.codes('STRU R'), [504]);
  assert.equal(await c.codes('OPTS UTF8 OFF'), [501]);
  assert.equal(await c.codes('REST -1'), [501]);
  assert.equal(await c.codes('REST abc'), [501]);
  assert.equal(await c.codes('EPSV 3'), [501]);
  assert.equal(await c.codes('EPSV 2'), [522]);
  assert.equal(await c.codes('ALLO 100'), [202]);
  assert.equal(await c.codes('HELP'), [214]);
  assert.equal(await c.codes('ABOR'), [225]);
  await c.command('QUIT');
});

test('HELP lists every verb the command table carries out, in order', async () => {
  const { c } = await loggedIn();
  const [help] = await c.command('HELP');
  assert.equal(help!.lines, [
    'The following commands are recognized.',
    ' ABOR ALLO APPE AUTH CDUP CWD DELE EPRT EPSV FEAT HELP LIST MDTM MKD MLSD MLST MODE NLST NOOP OPTS PASS PASV PBSZ PORT PROT PWD QUIT REST RETR RMD RNFR RNTO SIZE STAT STOR STOU STRU SYST TYPE USER',
    'Help OK.',
  ]);
  await c.command('QUIT');
});

test('MLST shows the facts of one path, on the control connection', async () => {
  const { c } = await loggedIn();
  assert.equal(lines(await c.command('MLST /pub/a.txt')), [
    '250 Listing /pub/a.txt\n type=file;size=6;modify=20240102150405;perm=radfw;unix.mode=0644; /pub/a.txt\nEnd',
  ]);
  const [stat] = await c.command('STAT /pub');
  assert.is(stat?.code, 213);
  assert.equal(stat!.lines, [
    'Status follows:',
    ' -rw-r--r--   1 ftp      ftp             6 Jan 02  2024 a.txt',
    'End of status',
  ]);
  await c.command('QUIT');
});

test('OPTS MLST selects the facts MLST and MLSD give, unknown ones ignored, and FEAT stars the selection', async () => {
  const { c } = await loggedIn();
  assert.equal(lines(await c.command('OPTS MLST Modify;size;colour;')), ['200 MLST OPTS size;modify;']);
  assert.equal(lines(await c.command('MLST /pub/a.txt')), [
    '250 Listing /pub/a.txt\n size=6;modify=20240102150405; /pub/a.txt\nEnd',
  ]);
  assert.match(lines(await c.command('FEAT'))[0]!, /\n MLST type;size\*;modify\*;perm;unix\.mode;\n/);
  assert.equal(lines(await c.command('OPTS MLST')), ['200 MLST OPTS ']);
  assert.equal(lines(await c.command('MLST /pub/a.txt')), ['250 Listing /pub/a.txt\n  /pub/a.txt\nEnd']);
  await c.command('QUIT');
});

test('an idle session is told 421 and closed after idleTimeout; commands move the deadline on', async () => {
  const h = harness({ idleTimeout: 60 });
  const c = h.connect();
  c.replies();
  h.clock.advance(50);
  await c.command('NOOP');
  h.clock.advance(50);
  assert.equal(c.replies(), []);
  assert.not.ok(c.transport.closedByProtocol);
  h.clock.advance(10);
  assert.equal(
    c.replies().map((reply) => reply.code),
    [421],
  );
  assert.ok(c.transport.closedByProtocol);
});

test('the client closing its end closes the session once the commands before are answered', async () => {
  const h = harness();
  const c = h.connect();
  c.replies();
  c.transport.receive('USER alice\r\nPASS secret\r\nPWD\r\n');
  c.transport.receiveEnd();
  await h.reactor.flush();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [331, 230, 257],
  );
  assert.ok(c.transport.closedByProtocol);
});

test('connections past maxConnections, or past maxConnectionsPerPeer from one address, get 421, are closed and counted in refused', async () => {
  const h = harness({ maxConnections: 3, maxConnectionsPerPeer: 2 });
  const a = h.connect();
  const b = h.connect();
  const c = h.connect();
  assert.equal(
    c.replies().map((reply) => reply.code),
    [421],
  );
  assert.ok(c.transport.closedByProtocol);
  const other = h.connect({ ...clientAddress, host: '127.0.0.2' });
  assert.equal(
    other.replies().map((reply) => reply.code),
    [220],
  );
  const full = h.connect({ ...clientAddress, host: '127.0.0.3' });
  assert.equal(
    full.replies().map((reply) => reply.code),
    [421],
  );
  assert.is(h.app.sessions, 3);
  assert.is(h.app.refused, 2);
  await a.command('QUIT');
  const again = h.connect({ ...clientAddress, host: '127.0.0.3' });
  assert.equal(
    again.replies().map((reply) => reply.code),
    [220],
  );
  for (const control of [b, other, again]) await control.command('QUIT');
  assert.is(h.app.sessions, 0);
});

test('requireTls refuses USER before AUTH TLS', async () => {
  const { throwawayCertificate } = await import('../../support/throwaway-certificate.js');
  const h = harness({ tls: throwawayCertificate(), requireTls: true });
  const c = h.connect();
  c.replies();
  assert.equal(await c.codes('USER alice'), [530]);
  assert.equal(await c.codes('FEAT').then((codes) => codes), [211]);
  await c.command('QUIT');
});

test('a file system that fails answers 451 (io) or 452 (no space), and the session goes on', async () => {
  const { h, c } = await loggedIn();
  h.fs.failNext('mkdir', new FtpFileSystemError('io', '/d'));
  assert.equal(await c.codes('MKD /d'), [451]);
  h.fs.failNext('mkdir', new FtpFileSystemError('no-space', '/d'));
  assert.equal(await c.codes('MKD /d'), [452]);
  h.fs.failNext('delete', new Error('a bug'));
  assert.equal(await c.codes('DELE /pub/a.txt'), [451]);
  assert.equal(await c.codes('MKD /d'), [257]);
  await c.command('QUIT');
});

test('draining: an idle session gets 421 and closes', async () => {
  const clock = trackedClock();
  const reactor = new MemoryReactor({ clock });
  const server = reactor.listenStream(
    { type: 'tcp', port: 21 },
    {},
    ftpServer({ fileSystem: new MemoryFileSystem(), reactor }),
  );
  const transport = new StringTransport({
    allowHalfOpen: true,
    remoteAddress: clientAddress,
    localAddress: serverAddress,
  });
  server.accept(transport);
  await server.close();
  assert.match(transport.text(), /^220 .*\r\n421 Server shutting down\.\r\n$/);
});

test('options out of range are refused', () => {
  const fileSystem = new MemoryFileSystem();
  assert.throws(() => ftpServer({}), RangeError);
  assert.throws(() => ftpServer({ fileSystem, idleTimeout: 0 }), RangeError);
  assert.throws(() => ftpServer({ fileSystem, passivePorts: [2000, 1000] }), RangeError);
  assert.throws(() => ftpServer({ fileSystem, passivePorts: [0, 10] }), RangeError);
  assert.throws(() => ftpServer({ fileSystem, requireTls: true }), TypeError);
  assert.ok(new CommandDecoder());
});

test.run();
