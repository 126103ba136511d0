/**
 * Faults: the disk under an upload fails. A Maildir or an FTP upload on a full disk (a small
 * tmpfs: ENOSPC) or a read-only one (EROFS), and a file system or delivery hook that fails in the
 * middle of a message: the documented reply (SMTP 452 4.3.1 / 451 4.3.0; FTP 452, 553, 451), no
 * acknowledgement, nothing left under the real name nor in a temporary file, no descriptor left
 * open, what was acknowledged before still whole, and the session goes on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FtpFileSystemError } from '../../protocols/ftp/file-system-error.js';
import { NodeFileSystem } from '../../protocols/ftp/node-file-system.js';
import { logRecords$ } from '../../source/log.js';
import { checkClean } from '../../source/testing/index.js';
import {
  type Control,
  dataConnection,
  harness as ftpHarness,
  type Harness,
} from '../protocols/ftp/_server-harness.js';
import { closeAll, settle, harness as smtpHarness } from '../protocols/smtp/_server-harness.js';
import { descriptorsUnder } from '../support/descriptors.js';
import { canMountTmpfs, type SmallTmpfs, smallTmpfs } from '../support/small-tmpfs.js';

const test = checkClean(suite('faults/disk-write'));

let disk: SmallTmpfs | undefined;
/**
 * A 16 KiB disk for this test: a tmpfs of its own, so root (as `npm test` runs in CI, where it
 * installs its peers too); where mounting is not allowed the test fails saying so.
 */
function smallDisk(): SmallTmpfs {
  if (!canMountTmpfs())
    throw new Error('these tests mount a 16 KiB tmpfs: run them as root (mount -t tmpfs)');
  disk = smallTmpfs(16 * 1024);
  return disk;
}
test.after.each(() => {
  closeAll();
  disk?.unmount();
  disk = undefined;
});

/** Every file under `folder`, relative to it, folders left out. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort();
}

/** Log records are expected (a failed delivery is logged): keep them off the console. */
function quietly(): { unsubscribe(): void } {
  return logRecords$.subscribe(() => undefined);
}

const transaction = (body: string) =>
  `MAIL FROM:<a@client.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n${body}\r\n.\r\n`;

test('Maildir on a full disk: 452 4.3.1, nothing left in tmp/ or new/, the message before still whole', async () => {
  const { path } = smallDisk();
  const logs = quietly();
  const h = smtpHarness({ maildir: path });
  const c = h.connect();
  await c.send(`EHLO a\r\n${transaction('Subject: first\r\n\r\nkept')}`);
  assert.match((await c.waitFor('250 2.0.0')).pop()!, /^250 2\.0\.0 Ok: queued/);
  const [first] = filesUnder(path);
  await c.send(transaction(`Subject: big\r\n\r\n${'x'.repeat(78)}\r\n`.repeat(1000)));
  const replies = await c.waitFor('452');
  assert.equal(replies.pop(), '452 4.3.1 Error: insufficient system storage');
  assert.not.ok(
    replies.some((reply) => reply.startsWith('250 2.0.0')),
    'no acknowledgement',
  );
  assert.equal(filesUnder(path), [first], 'only the message before');
  assert.match(readFileSync(join(path, first!), 'utf8'), /Subject: first\n\nkept\n$/);
  assert.equal(descriptorsUnder(path), []);
  await c.send(transaction('Subject: small again\r\n\r\nfits'));
  assert.match((await c.waitFor('250 2.0.0')).pop()!, /^250 2\.0\.0 Ok: queued/, 'the session goes on');
  logs.unsubscribe();
});

test('Maildir on a read-only disk: 451 4.3.0, no file, the message before still whole', async () => {
  const { path } = smallDisk();
  const logs = quietly();
  const h = smtpHarness({ maildir: path });
  const c = h.connect();
  await c.send(`EHLO a\r\n${transaction('Subject: first\r\n\r\nkept')}`);
  await c.waitFor('250 2.0.0');
  disk!.readOnly();
  await c.send(transaction('Subject: second\r\n\r\nlost'));
  const replies = await c.waitFor('451');
  assert.equal(replies.pop(), '451 4.3.0 Error: local error in processing');
  const files = filesUnder(path);
  assert.is(files.length, 1);
  assert.match(files[0]!, /^example\.com\/alice\/new\//);
  assert.equal(descriptorsUnder(path), []);
  assert.equal(await c.codes('NOOP'), [250]);
  logs.unsubscribe();
});

test('a delivery hook that fails halfway through the body: 451 4.3.0, nothing kept, the next message taken', async () => {
  const kept: string[] = [];
  let calls = 0;
  const logs = quietly();
  const h = smtpHarness({
    deliver: async (message) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of message.body) {
        chunks.push(chunk);
        if (calls === 0) throw new FtpFileSystemError('io', '/spool'); // the disk fails mid-message
      }
      calls++;
      kept.push(Buffer.concat(chunks).toString());
    },
  });
  const c = h.connect();
  await c.send(`EHLO a\r\n${transaction(`Subject: one\r\n\r\n${'a'.repeat(70)}\r\n`.repeat(200))}`);
  assert.equal(c.replies().pop(), '451 4.3.0 Error: local error in processing');
  calls = 1;
  await c.send(transaction('Subject: two\r\n\r\nhi'));
  assert.match(c.replies().pop()!, /^250 2\.0\.0 Ok: queued/);
  assert.equal(kept, ['Subject: two\r\n\r\nhi\r\n']);
  logs.unsubscribe();
});

/** Logs in as alice on `h`, then uploads `bytes` as `name` over a passive data connection. */
async function upload(h: Harness, c: Control, name: string, bytes: string): Promise<number[]> {
  const data = dataConnection(h.reactor, await c.passive());
  await c.send(`STOR ${name}\r\n`);
  data.write(bytes);
  data.close();
  const codes: number[] = [];
  for (const deadline = Date.now() + 5000; Date.now() < deadline && !codes.some((code) => code >= 226); ) {
    await h.reactor.flush();
    await turn();
    codes.push(...c.replies().map((reply) => reply.code));
  }
  return codes;
}

/** An FTP session as alice over the files on `path`. */
async function ftpOn(path: string): Promise<{ h: Harness; c: Control }> {
  const h = ftpHarness({ fileSystem: new NodeFileSystem(path) });
  const c = h.connect();
  await c.login();
  return { h, c };
}

test('FTP STOR on a full disk: 452, nothing under the name nor a temporary file, the file before still whole', async () => {
  const { path } = smallDisk();
  const { h, c } = await ftpOn(path);
  assert.equal(await upload(h, c, 'first.txt', 'kept\n'), [125, 226]);
  assert.equal(await upload(h, c, 'big.bin', 'x'.repeat(64 * 1024)), [125, 452]);
  assert.equal(filesUnder(path), ['first.txt']);
  assert.is(readFileSync(join(path, 'first.txt'), 'utf8'), 'kept\n');
  assert.equal(descriptorsUnder(path), []);
  assert.equal(await upload(h, c, 'second.txt', 'fits\n'), [125, 226], 'the session goes on');
  await c.command('QUIT');
});

test('FTP STOR on a read-only disk: 553, nothing written', async () => {
  const { path } = smallDisk();
  const { h, c } = await ftpOn(path);
  assert.equal(await upload(h, c, 'first.txt', 'kept\n'), [125, 226]);
  disk!.readOnly();
  const codes: number[] = [];
  await c.passive();
  await c.send('STOR second.txt\r\n');
  for (const deadline = Date.now() + 5000; Date.now() < deadline && codes.length === 0; ) {
    await turn();
    codes.push(...c.replies().map((reply) => reply.code));
  }
  assert.equal(codes, [553]);
  assert.equal(filesUnder(path), ['first.txt']);
  assert.equal(descriptorsUnder(path), []);
  await c.command('QUIT');
  await settle();
});

test('FTP: a file system whose write fails in the middle of an upload: 451, the old file of that name kept whole', async () => {
  const h = ftpHarness();
  h.fs.addFile('/report.txt', 'old report\n');
  const c = h.connect();
  await c.login();
  h.fs.failNext('upload-write', new FtpFileSystemError('io', '/report.txt'));
  const codes = await upload(h, c, 'report.txt', 'new report, cut short\n'.repeat(100));
  assert.equal(codes, [125, 451]);
  assert.is(Buffer.from(h.fs.contents('/report.txt')!).toString(), 'old report\n');
  assert.equal(await c.codes('NOOP'), [200], 'the session goes on');
  await c.command('QUIT');
});

test.run();
