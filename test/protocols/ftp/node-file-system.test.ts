import { execFileSync } from 'node:child_process';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FtpPathError } from '../../../protocols/ftp/file-system-error.js';
import { resolveFtpPath } from '../../../protocols/ftp/ftp-path.js';
import { NodeFileSystem } from '../../../protocols/ftp/node-file-system.js';
import { checkClean } from '../../../source/testing/index.js';
import { fileSystemConformance, kindOf, names, put, text } from './_file-system-conformance.js';

const test = checkClean(suite('protocols/ftp/node-file-system'));

/** A temporary folder holding `root` (served) and `outside` (not). */
async function scratch(): Promise<{ base: string; root: string; outside: string; fs: NodeFileSystem }> {
  const base = await mkdtemp(join(tmpdir(), 'spindle-ftp-'));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'secret');
  return { base, root, outside, fs: new NodeFileSystem(root) };
}

/** Runs `body` on a fresh scratch folder, removed after. */
function on(name: string, body: (s: Awaited<ReturnType<typeof scratch>>) => Promise<void>): void {
  test(name, async () => {
    const s = await scratch();
    try {
      await body(s);
    } finally {
      await rm(s.base, { recursive: true, force: true });
    }
  });
}

/** The number of file descriptors this process has open. */
async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

fileSystemConformance(test, async () => {
  const s = await scratch();
  return { fs: s.fs, cleanup: () => rm(s.base, { recursive: true, force: true }) };
});

on('traversal corpus: climbing above the root is refused before the disk is touched', async ({ fs }) => {
  for (const argument of ['..', '../..', '/../etc/passwd', '../../../../../../etc/passwd', 'a/../../etc']) {
    assert.throws(
      () => resolveFtpPath('/', argument),
      (error: unknown) => error instanceof FtpPathError && error.refusal === 'outside-root',
      argument,
    );
  }
  assert.is(await kindOf(fs.stat(resolveFtpPath('/', '/etc/passwd'))), 'not-found'); // the virtual /etc
});

on(
  'traversal corpus: %2e%2e and backslashes are literal names inside the root',
  async ({ fs, root, base }) => {
    for (const argument of ['%2e%2e', '..\\..', '..\\..\\outside\\secret.txt', '%2e%2e%2f%2e%2e']) {
      const path = resolveFtpPath('/', argument);
      assert.is(await kindOf(fs.stat(path)), 'not-found', argument);
      await put(fs, path, argument);
    }
    assert.equal((await readdir(root)).sort(), [
      '%2e%2e',
      '%2e%2e%2f%2e%2e',
      '..\\..',
      '..\\..\\outside\\secret.txt',
    ]);
    assert.equal((await readdir(base)).sort(), ['outside', 'root']);
    assert.is(await readFile(join(base, 'outside', 'secret.txt'), 'utf8'), 'secret');
  },
);

on('traversal corpus: NUL and invalid UTF-8 never reach the disk', async ({ fs }) => {
  assert.throws(
    () => resolveFtpPath('/', 'a\0/../../x'),
    (error: unknown) => error instanceof FtpPathError,
  );
  assert.throws(
    () => resolveFtpPath('/', new Uint8Array([0x2e, 0x2e, 0xc0, 0xaf, 0x2e, 0x2e])),
    (error: unknown) => error instanceof FtpPathError,
  );
  assert.instance(await fs.stat('/x\0').then(undefined, (error: unknown) => error), FtpPathError);
});

on('a symlink to /etc inside the root leads nowhere', async ({ fs, root }) => {
  await symlink('/etc', join(root, 'etc-link'));
  await put(fs, '/f', 'x');
  assert.is(await kindOf(fs.stat('/etc-link')), 'outside-root');
  assert.is(await kindOf(fs.list('/etc-link')), 'outside-root');
  assert.is(await kindOf(fs.read('/etc-link/passwd')), 'outside-root');
  assert.is(await kindOf(fs.stat('/etc-link/passwd')), 'outside-root');
  assert.is(await kindOf(fs.write('/etc-link/spindle-test')), 'outside-root');
  assert.is(await kindOf(fs.mkdir('/etc-link/spindle-test')), 'outside-root');
  assert.is(await kindOf(fs.rename('/f', '/etc-link/spindle-test')), 'outside-root');
  assert.is(await kindOf(fs.delete('/etc-link/hostname')), 'outside-root');
  const [link] = (await fs.list('/')).filter((entry) => entry.name === 'etc-link');
  assert.is(link?.kind, 'symlink');
  assert.is(link?.linkTarget, undefined, 'the host path is not shown');
  await fs.delete('/etc-link'); // the link only
  assert.ok((await stat('/etc')).isDirectory());
  assert.equal(await names(fs), ['f']);
});

on('a symlink to a file outside can be neither read nor written through', async ({ fs, root, outside }) => {
  await symlink(join(outside, 'secret.txt'), join(root, 'secret'));
  await symlink('../outside', join(root, 'up'));
  assert.is(await kindOf(fs.read('/secret')), 'outside-root');
  assert.is(await kindOf(fs.write('/secret')), 'outside-root');
  assert.is(await kindOf(fs.write('/secret', { mode: 'append' })), 'outside-root');
  assert.is(await kindOf(fs.read('/up/secret.txt')), 'outside-root');
  assert.is(await kindOf(fs.write('/up/new.txt')), 'outside-root');
  assert.is(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret');
  assert.equal(await readdir(outside), ['secret.txt']);
});

on('a dangling symlink to outside is replaced by the upload, not followed', async ({ fs, root, outside }) => {
  await symlink(join(outside, 'planted.txt'), join(root, 'dangle'));
  await put(fs, '/dangle', 'inside');
  assert.ok((await lstat(join(root, 'dangle'))).isFile());
  assert.equal(await readdir(outside), ['secret.txt']);
});

on('a symlink loop is refused, not followed forever', async ({ fs, root }) => {
  await symlink('b', join(root, 'a'));
  await symlink('a', join(root, 'b'));
  assert.is(await kindOf(fs.stat('/a')), 'invalid');
  assert.is(await kindOf(fs.read('/a')), 'invalid');
  assert.is(await kindOf(fs.list('/a')), 'invalid');
  assert.is(await kindOf(fs.write('/a')), 'invalid');
  const entries = await fs.list('/');
  assert.equal(
    entries.map((entry) => [entry.name, entry.kind, entry.linkTarget]),
    [
      ['a', 'symlink', undefined],
      ['b', 'symlink', undefined],
    ],
  );
});

on('a symlink inside the root is followed, and listed with its virtual target', async ({ fs, root }) => {
  await mkdir(join(root, 'data'));
  await writeFile(join(root, 'data', 'real.txt'), 'real');
  await symlink('data/real.txt', join(root, 'alias'));
  await symlink(join(root, 'data'), join(root, 'dir-alias'));
  assert.is(await text(fs, '/alias'), 'real');
  assert.equal(await names(fs, '/dir-alias'), ['real.txt']);
  const entries = await fs.list('/');
  assert.equal(
    entries.map((entry) => [entry.name, entry.kind, entry.linkTarget]),
    [
      ['alias', 'symlink', '/data/real.txt'],
      ['data', 'directory', undefined],
      ['dir-alias', 'symlink', '/data'],
    ],
  );
  await put(fs, '/alias', 'written through'); // as vsftpd: the upload lands on the link's target
  assert.is(await readFile(join(root, 'data', 'real.txt'), 'utf8'), 'written through');
  assert.ok((await lstat(join(root, 'alias'))).isSymbolicLink());
});

on('a root given through a symlink is served', async ({ base, root }) => {
  await writeFile(join(root, 'f'), 'x');
  await symlink(root, join(base, 'root-link'));
  const fs = new NodeFileSystem(join(base, 'root-link'));
  assert.is(await text(fs, '/f'), 'x');
  assert.equal(await names(fs), ['f']);
});

on(
  'an upload writes to a hidden temporary file in the target folder, gone after commit or abort',
  async ({ fs, root }) => {
    await mkdir(join(root, 'd'));
    const upload = await fs.write('/d/f.bin');
    upload.write('data');
    await upload.drained();
    const [temp, ...others] = await readdir(join(root, 'd'));
    assert.equal(others, []);
    assert.match(temp!, /^\.spindle-upload\.[0-9a-f]{24}$/);
    assert.equal(await names(fs, '/d'), [], 'hidden from the listing');
    assert.is(await kindOf(fs.stat(`/d/${temp}`)), 'not-found');
    assert.is(await kindOf(fs.read(`/d/${temp}`)), 'not-found');
    assert.is(await kindOf(fs.delete(`/d/${temp}`)), 'not-found');
    await upload.commit();
    assert.equal(await readdir(join(root, 'd')), ['f.bin']);
    const aborted = await fs.write('/d/g.bin', { mode: 'append' });
    aborted.write('x');
    await aborted.abort();
    assert.equal(await readdir(join(root, 'd')), ['f.bin']);
  },
);

on('a replaced file keeps its permission bits', async ({ fs, root }) => {
  await writeFile(join(root, 'f'), 'old');
  await chmod(join(root, 'f'), 0o640);
  await put(fs, '/f', 'new');
  assert.is((await stat(join(root, 'f'))).mode & 0o777, 0o640);
  assert.is((await fs.stat('/f')).mode, 0o640);
});

on('a FIFO in the tree is listed as other and never opened', async ({ fs, root }) => {
  execFileSync('mkfifo', [join(root, 'pipe')]);
  assert.is(await kindOf(fs.read('/pipe')), 'not-a-file');
  assert.is(await kindOf(fs.write('/pipe')), 'not-a-file');
  assert.equal(
    (await fs.list('/')).map((entry) => entry.kind),
    ['other'],
  );
});

on(
  'every handle is closed: a read left early, a reader closed unread, uploads committed and aborted',
  async ({ fs }) => {
    await put(fs, '/f', 'x'.repeat(3 * 1024 * 1024));
    await fs.mkdir('/d');
    const before = await openFds();
    for await (const chunk of await fs.read('/f')) {
      assert.is(chunk.byteLength, 1024 * 1024, 'chunks of 1 MiB by default');
      break;
    }
    assert.is(await openFds(), before, 'a read left after one chunk');
    const unread = await fs.read('/f');
    assert.is(await openFds(), before + 1);
    await unread.close();
    assert.is(await openFds(), before, 'a reader closed unread');
    const reader = await fs.read('/f');
    const iterator = reader[Symbol.asyncIterator]();
    await iterator.return?.();
    assert.is(await openFds(), before, 'an iterator returned before its first chunk');
    await kindOf(fs.read('/d'));
    assert.is(await openFds(), before, 'a read refused after the open');
    const aborted = await fs.write('/g');
    aborted.write('x');
    await aborted.abort();
    await put(fs, '/h', 'x');
    assert.is(await openFds(), before, 'uploads committed and aborted');
  },
);

on('a 64 MiB file streams in chunks of 1 MiB', async ({ fs, root }) => {
  await writeFile(join(root, 'big'), '');
  await truncate(join(root, 'big'), 64 * 1024 * 1024); // sparse: no 64 MiB written to the disk
  const reader = await fs.read('/big');
  assert.is(reader.size, 64 * 1024 * 1024);
  let total = 0;
  let largest = 0;
  for await (const chunk of reader) {
    total += chunk.byteLength;
    largest = Math.max(largest, chunk.byteLength);
  }
  assert.is(total, 64 * 1024 * 1024);
  assert.is(largest, 1024 * 1024);
});

on(
  'an upload bigger than the background flush interval commits every byte, in order',
  async ({ fs, root }) => {
    const upload = await fs.write('/big');
    for (let i = 0; i < 20; i++) {
      if (!upload.write(new Uint8Array(512 * 1024).fill(i))) await upload.drained();
    }
    await upload.commit();
    const written = await readFile(join(root, 'big'));
    assert.is(written.byteLength, 20 * 512 * 1024);
    for (let i = 0; i < 20; i++) assert.is(written[i * 512 * 1024 + 7], i);
    assert.equal(await names(fs, '/'), ['big']);
  },
);

on('the read chunk size is an option', async ({ root }) => {
  await writeFile(join(root, 'f'), 'abcdefghij');
  const fs = new NodeFileSystem(root, { readChunkSize: 4 });
  const chunks: number[] = [];
  for await (const chunk of await fs.read('/f')) chunks.push(chunk.byteLength);
  assert.equal(chunks, [4, 4, 2]);
});

on('a listing bigger than maxListEntries is refused', async ({ root }) => {
  for (const name of ['a', 'b', 'c']) await writeFile(join(root, name), '');
  assert.is(await kindOf(new NodeFileSystem(root, { maxListEntries: 2 }).list('/')), 'invalid');
  assert.equal(await names(new NodeFileSystem(root, { maxListEntries: 3 })), ['a', 'b', 'c']);
});

on(
  'a unique upload whose name was taken before its commit fails with exists, the other file kept',
  async ({ fs, root }) => {
    const upload = await fs.write('/u', { mode: 'unique' });
    await writeFile(join(root, 'u'), 'first');
    upload.write('second');
    assert.is(await kindOf(upload.commit()), 'exists');
    assert.is(await readFile(join(root, 'u'), 'utf8'), 'first');
    assert.equal(await readdir(root), ['u']);
  },
);

on('a missing root fails every operation with not-found', async ({ base }) => {
  const fs = new NodeFileSystem(join(base, 'nope'));
  assert.is(await kindOf(fs.stat('/')), 'not-found');
});

test.run();
