import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FtpFileSystemError } from '../../../protocols/ftp/file-system-error.js';
import { MemoryFileSystem } from '../../../protocols/ftp/memory-file-system.js';
import { whileProducing } from '../../../source/producer.js';
import { checkClean, trackedClock } from '../../../source/testing/index.js';
import { rejectionOf } from '../../support/failure-of.js';
import { fileSystemConformance, kindOf, names, put, text } from './_file-system-conformance.js';

const test = checkClean(suite('protocols/ftp/memory-file-system'));

fileSystemConformance(test, async () => ({ fs: new MemoryFileSystem(), cleanup: async () => undefined }));

test('addFile and addDirectory seed the tree, making the folders above', async () => {
  const fs = new MemoryFileSystem();
  fs.addFile('/pub/a/b.txt', 'hi', { mode: 0o600, modified: new Date(5000) });
  fs.addDirectory('/incoming');
  assert.equal(await names(fs), ['incoming', 'pub']);
  const info = await fs.stat('/pub/a/b.txt');
  assert.is(info.mode, 0o600);
  assert.is(info.modified.getTime(), 5000);
  assert.is(new TextDecoder().decode(fs.contents('/pub/a/b.txt')), 'hi');
  assert.is(fs.contents('/pub'), undefined);
  assert.throws(
    () => fs.addFile('/pub/a/b.txt/c', 'x'),
    (error: unknown) => error instanceof FtpFileSystemError,
  );
});

test('modification times come from the clock', async () => {
  const clock = trackedClock();
  clock.advance(1000);
  const fs = new MemoryFileSystem({ clock });
  await put(fs, '/f', 'x');
  assert.is((await fs.stat('/f')).modified.getTime(), 1_000_000);
});

test('operations fire synchronously', () => {
  const fs = new MemoryFileSystem();
  fs.addFile('/f', 'x');
  let size: number | undefined;
  fs.stat('/f').addCallback((info) => {
    size = info.size;
  });
  assert.is(size, 1);
});

test('past its capacity an upload fails with no-space after the bytes that fit, and leaves nothing', async () => {
  const fs = new MemoryFileSystem({ capacity: 10 });
  fs.addFile('/old', 'abcd');
  const upload = await fs.write('/new');
  assert.ok(upload.write('12345'));
  await upload.drained();
  upload.write('67');
  assert.is(await kindOf(upload.commit()), 'no-space');
  assert.is(await kindOf(upload.drained()), 'no-space');
  assert.throws(
    () => upload.write('more'),
    (error: unknown) => error instanceof FtpFileSystemError && error.kind === 'no-space',
  );
  assert.equal(await names(fs), ['old']);
  assert.is(fs.used, 4);
});

test('a producer paused by a full upload is resumed when the upload fails, so it hears of the failure', async () => {
  const fs = new MemoryFileSystem({ capacity: 100 * 1024, uploadHighWaterMark: 256 * 1024 });
  const upload = await fs.write('/big');
  const events: string[] = [];
  const producer = {
    pauseProducing: () => events.push('pause'),
    resumeProducing: () => events.push('resume'),
  };
  assert.is(
    whileProducing(producer, () => upload.write(new Uint8Array(300 * 1024))),
    false,
  );
  assert.is(await kindOf(upload.drained()), 'no-space');
  assert.equal(events, ['pause', 'resume']);
  assert.throws(
    () => upload.write('x'),
    (error: unknown) => error instanceof FtpFileSystemError,
  );
  assert.is(fs.used, 0);
});

test('an append counts the copy of the file it appends to against the capacity', async () => {
  const fs = new MemoryFileSystem({ capacity: 10 });
  fs.addFile('/log', 'abcdef');
  assert.is(await kindOf(fs.write('/log', { mode: 'append' })), 'no-space');
  const upload = await fs.write('/log', { offset: 4 });
  assert.is(fs.used, 10);
  await upload.abort();
  assert.is(fs.used, 6);
});

test('failNext makes the next call of an operation fail, once', async () => {
  const fs = new MemoryFileSystem();
  fs.addFile('/f', 'x');
  const denied = new FtpFileSystemError('permission', '/f');
  fs.failNext('stat', denied);
  assert.is(await rejectionOf(fs.stat('/f')), denied);
  assert.is((await fs.stat('/f')).size, 1);
});

test('a failing commit leaves nothing under the name, and the old file as it was', async () => {
  const fs = new MemoryFileSystem();
  fs.addFile('/f', 'old');
  fs.failNext('commit', new FtpFileSystemError('io', '/f'));
  const upload = await fs.write('/f');
  upload.write('new');
  assert.is(await kindOf(upload.commit()), 'io');
  assert.is(await text(fs, '/f'), 'old');
  assert.is(fs.used, 3);
});

test('a failing chunk write fails the upload with that error', async () => {
  const fs = new MemoryFileSystem();
  fs.failNext('upload-write', new FtpFileSystemError('io', '/f'));
  const upload = await fs.write('/f');
  upload.write('x');
  assert.is(await kindOf(upload.commit()), 'io');
  assert.equal(await names(fs), []);
});

test('a unique upload whose name was taken before its commit fails with exists', async () => {
  const fs = new MemoryFileSystem();
  const upload = await fs.write('/u', { mode: 'unique' });
  fs.addFile('/u', 'first');
  upload.write('second');
  assert.is(await kindOf(upload.commit()), 'exists');
  assert.is(await text(fs, '/u'), 'first');
});

test.run();
