/**
 * The tests every `FtpFileSystem` passes, run on `MemoryFileSystem` and on `NodeFileSystem` over
 * a temporary folder: the same calls, the same results, the same error kinds.
 */
import * as assert from 'uvu/assert';
import type { FtpFileSystem } from '../../../protocols/ftp/file-system.js';
import {
  FtpFileSystemError,
  type FtpFileSystemErrorKind,
  FtpPathError,
} from '../../../protocols/ftp/file-system-error.js';
import { BodyStream } from '../../../source/body-stream.js';
import { BodyWriter } from '../../../source/body-writer.js';
import { type Pausable, whileProducing } from '../../../source/producer.js';
import { rejectionOf } from '../../support/failure-of.js';

/** A file system to test, made fresh for each test, and how to clean up after it. */
export interface Harness {
  readonly fs: FtpFileSystem;
  cleanup(): Promise<void>;
}

/** A uvu test registration (a `checkClean` suite). */
export type Register = (name: string, handler: () => Promise<void>) => void;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Uploads `content` to `path` and commits it. */
export async function put(fs: FtpFileSystem, path: string, content: string): Promise<void> {
  const upload = await fs.write(path);
  upload.write(content);
  await upload.commit();
}

/** The whole file at `path`, read through `read`. */
export async function text(fs: FtpFileSystem, path: string, offset = 0): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of await fs.read(path, { offset }))
    chunks.push(decoder.decode(chunk, { stream: true }));
  return chunks.join('');
}

/** The kind of the `FtpFileSystemError` that `d` fails with. */
export async function kindOf(d: PromiseLike<unknown>): Promise<FtpFileSystemErrorKind> {
  const error = await rejectionOf(d);
  assert.instance(error, FtpFileSystemError, String(error));
  return (error as FtpFileSystemError).kind;
}

/** The names listed in the folder at `path`. */
export async function names(fs: FtpFileSystem, path = '/'): Promise<string[]> {
  return (await fs.list(path)).map((entry) => entry.name);
}

/** Registers the conformance tests on `test`, each on a fresh `make()`. */
export function fileSystemConformance(test: Register, make: () => Promise<Harness>): void {
  const on = (name: string, body: (fs: FtpFileSystem) => Promise<void>) =>
    test(name, async () => {
      const harness = await make();
      try {
        await body(harness.fs);
      } finally {
        await harness.cleanup();
      }
    });

  on('the root is a folder named /, empty at first', async (fs) => {
    const root = await fs.stat('/');
    assert.is(root.name, '/');
    assert.is(root.kind, 'directory');
    assert.equal(await names(fs), []);
  });

  on('an upload committed can be stat-ed, listed and read back', async (fs) => {
    await put(fs, '/a.txt', 'hello, world');
    const info = await fs.stat('/a.txt');
    assert.is(info.name, 'a.txt');
    assert.is(info.kind, 'file');
    assert.is(info.size, 12);
    assert.instance(info.modified, Date);
    assert.is(info.mode & 0o600, 0o600);
    assert.equal(await names(fs), ['a.txt']);
    assert.is(await text(fs, '/a.txt'), 'hello, world');
  });

  on('an empty upload makes an empty file', async (fs) => {
    const upload = await fs.write('/empty');
    await upload.commit();
    assert.is((await fs.stat('/empty')).size, 0);
    assert.is(await text(fs, '/empty'), '');
  });

  on('a listing is sorted by name and tells files from folders', async (fs) => {
    await fs.mkdir('/b');
    await put(fs, '/c', 'x');
    await put(fs, '/a', 'xy');
    const entries = await fs.list('/');
    assert.equal(
      entries.map((entry) => [entry.name, entry.kind]),
      [
        ['a', 'file'],
        ['b', 'directory'],
        ['c', 'file'],
      ],
    );
    assert.is(entries[0]!.size, 2);
    assert.equal(await names(fs, '/b'), []);
  });

  on('nothing shows under the name (nor in the listing) before the commit', async (fs) => {
    const upload = await fs.write('/new.bin');
    upload.write('some bytes');
    await upload.drained();
    assert.is(await kindOf(fs.stat('/new.bin')), 'not-found');
    assert.equal(await names(fs), []);
    await upload.commit();
    assert.equal(await names(fs), ['new.bin']);
  });

  on('an abort leaves nothing behind, and the old file as it was', async (fs) => {
    await put(fs, '/keep.txt', 'old');
    for (const path of ['/gone.txt', '/keep.txt']) {
      const upload = await fs.write(path);
      upload.write('partial');
      await upload.abort();
    }
    assert.equal(await names(fs), ['keep.txt']);
    assert.is(await text(fs, '/keep.txt'), 'old');
  });

  on('a read of the real name during an upload sees the old content, then the new', async (fs) => {
    await put(fs, '/f', 'old content');
    const upload = await fs.write('/f');
    upload.write('new');
    await upload.drained();
    assert.is(await text(fs, '/f'), 'old content');
    await upload.commit();
    assert.is(await text(fs, '/f'), 'new');
  });

  on('a reader opened before a replacement reads the file it opened', async (fs) => {
    await put(fs, '/f', 'before');
    const reader = await fs.read('/f');
    await put(fs, '/f', 'after!!');
    const chunks: string[] = [];
    for await (const chunk of reader) chunks.push(decoder.decode(chunk));
    assert.is(chunks.join(''), 'before');
  });

  on('append adds to the end of a file, and makes a missing one', async (fs) => {
    await put(fs, '/log', 'one ');
    const upload = await fs.write('/log', { mode: 'append' });
    upload.write('two');
    await upload.commit();
    assert.is(await text(fs, '/log'), 'one two');
    const fresh = await fs.write('/new', { mode: 'append' });
    fresh.write('x');
    await fresh.commit();
    assert.is(await text(fs, '/new'), 'x');
  });

  on('an append aborted leaves the file as it was', async (fs) => {
    await put(fs, '/log', 'one');
    const upload = await fs.write('/log', { mode: 'append' });
    upload.write('two');
    await upload.abort();
    assert.is(await text(fs, '/log'), 'one');
  });

  on('replace from an offset (REST) keeps the bytes before it and drops those after', async (fs) => {
    await put(fs, '/r', '0123456789');
    const upload = await fs.write('/r', { offset: 4 });
    upload.write('ab');
    await upload.commit();
    assert.is(await text(fs, '/r'), '0123ab');
    const whole = await fs.write('/r', { offset: 6 });
    whole.write('XYZ');
    await whole.commit();
    assert.is(await text(fs, '/r'), '0123abXYZ');
  });

  on('an offset past the end is refused, for a write and for a read', async (fs) => {
    await put(fs, '/r', 'abc');
    assert.is(await kindOf(fs.write('/r', { offset: 4 })), 'invalid');
    assert.is(await kindOf(fs.write('/missing', { offset: 1 })), 'invalid');
    assert.is(await kindOf(fs.read('/r', { offset: 4 })), 'invalid');
  });

  on('a read from an offset (REST) starts there', async (fs) => {
    await put(fs, '/r', 'abcdef');
    assert.is(await text(fs, '/r', 2), 'cdef');
    assert.is(await text(fs, '/r', 6), '');
  });

  on('unique picks the name if free, else name.1, name.2, never touching what is there', async (fs) => {
    const first = await fs.write('/u', { mode: 'unique' });
    assert.is(first.path, '/u');
    first.write('1');
    await first.commit();
    const second = await fs.write('/u', { mode: 'unique' });
    assert.is(second.path, '/u.1');
    second.write('2');
    await second.commit();
    await fs.mkdir('/d');
    const third = await fs.write('/d/u', { mode: 'unique' });
    assert.is(third.path, '/d/u');
    await third.abort();
    assert.is(await text(fs, '/u'), '1');
    assert.is(await text(fs, '/u.1'), '2');
  });

  on('mkdir makes a folder; a taken name or a missing parent is refused', async (fs) => {
    await fs.mkdir('/d');
    await fs.mkdir('/d/e');
    assert.is((await fs.stat('/d/e')).kind, 'directory');
    assert.is(await kindOf(fs.mkdir('/d')), 'exists');
    await put(fs, '/f', 'x');
    assert.is(await kindOf(fs.mkdir('/f')), 'exists');
    assert.is(await kindOf(fs.mkdir('/nope/e')), 'not-found');
    assert.is(await kindOf(fs.mkdir('/f/e')), 'not-a-directory');
  });

  on('rmdir removes an empty folder and refuses a non-empty one, a file, the root', async (fs) => {
    await fs.mkdir('/d');
    await put(fs, '/d/f', 'x');
    assert.is(await kindOf(fs.rmdir('/d')), 'not-empty');
    assert.is(await kindOf(fs.rmdir('/d/f')), 'not-a-directory');
    assert.is(await kindOf(fs.rmdir('/')), 'invalid');
    assert.is(await kindOf(fs.rmdir('/missing')), 'not-found');
    await fs.delete('/d/f');
    await fs.rmdir('/d');
    assert.equal(await names(fs), []);
  });

  on('delete removes a file and refuses a folder or a missing name', async (fs) => {
    await put(fs, '/f', 'x');
    await fs.mkdir('/d');
    await fs.delete('/f');
    assert.is(await kindOf(fs.delete('/f')), 'not-found');
    assert.is(await kindOf(fs.delete('/d')), 'is-a-directory');
    assert.is(await kindOf(fs.delete('/')), 'invalid');
    assert.equal(await names(fs), ['d']);
  });

  on('rename moves files and folders, replacing a file at the target', async (fs) => {
    await put(fs, '/a', 'A');
    await put(fs, '/b', 'B');
    await fs.mkdir('/d');
    await fs.rename('/a', '/d/a2');
    assert.is(await text(fs, '/d/a2'), 'A');
    await fs.rename('/b', '/d/a2');
    assert.is(await text(fs, '/d/a2'), 'B');
    await fs.rename('/d', '/e');
    assert.equal(await names(fs), ['e']);
    assert.equal(await names(fs, '/e'), ['a2']);
  });

  on('rename refuses a missing source, a folder into itself, a folder over a non-empty one', async (fs) => {
    await fs.mkdir('/d');
    await fs.mkdir('/full');
    await put(fs, '/full/x', 'x');
    await put(fs, '/f', 'x');
    assert.is(await kindOf(fs.rename('/missing', '/m')), 'not-found');
    assert.is(await kindOf(fs.rename('/d', '/d/inner')), 'invalid');
    assert.is(await kindOf(fs.rename('/d', '/full')), 'not-empty');
    assert.is(await kindOf(fs.rename('/f', '/d')), 'is-a-directory');
    assert.is(await kindOf(fs.rename('/d', '/f')), 'not-a-directory');
    assert.is(await kindOf(fs.rename('/', '/x')), 'invalid');
    assert.is(await kindOf(fs.rename('/f', '/nope/f')), 'not-found');
  });

  on('missing names, files used as folders and folders used as files are refused by kind', async (fs) => {
    await put(fs, '/f', 'x');
    await fs.mkdir('/d');
    assert.is(await kindOf(fs.stat('/missing')), 'not-found');
    assert.is(await kindOf(fs.list('/missing')), 'not-found');
    assert.is(await kindOf(fs.read('/missing')), 'not-found');
    assert.is(await kindOf(fs.list('/f')), 'not-a-directory');
    assert.is(await kindOf(fs.stat('/f/x')), 'not-a-directory');
    assert.is(await kindOf(fs.read('/d')), 'is-a-directory');
    assert.is(await kindOf(fs.write('/d')), 'is-a-directory');
    assert.is(await kindOf(fs.write('/')), 'is-a-directory');
    assert.is(await kindOf(fs.write('/missing/f')), 'not-found');
  });

  on('a path that is not resolved is refused, not trusted', async (fs) => {
    await fs.mkdir('/d');
    for (const path of ['d', '/d/../d', '/./d', '//d', '/d/', '/d\0']) {
      assert.instance(await rejectionOf(fs.stat(path)), FtpPathError, path);
      assert.instance(await rejectionOf(fs.write(path)), FtpPathError, path);
      assert.instance(await rejectionOf(fs.rename('/d', path)), FtpPathError, path);
    }
  });

  on(
    'an upload past its high-water mark (2 MiB) says so, pauses the active producer and resumes it',
    async (fs) => {
      const upload = await fs.write('/big');
      const events: string[] = [];
      const producer: Pausable = {
        pauseProducing: () => events.push('pause'),
        resumeProducing: () => events.push('resume'),
      };
      const big = new Uint8Array(2 * 1024 * 1024 + 300 * 1024);
      assert.is(
        whileProducing(producer, () => upload.write(big)),
        false,
      );
      assert.equal(events, ['pause']);
      await upload.drained();
      assert.equal(events, ['pause', 'resume']);
      assert.ok(upload.write('x'));
      await upload.commit();
      assert.is((await fs.stat('/big')).size, big.byteLength + 1);
    },
  );

  on('an upload refuses a writer that ignores its backpressure', async (fs) => {
    const upload = await fs.write('/big');
    const chunk = new Uint8Array(1024 * 1024);
    const error = await rejectionOf(
      (async () => {
        for (let i = 0; i < 12; i++) upload.write(chunk);
      })(),
    );
    assert.is((error as { code?: string }).code, 'SPINDLE_QUEUE_OVERFLOW');
    await upload.abort();
    assert.equal(await names(fs), []);
  });

  on(
    'a BodyWriter pumps a body stream into an upload, with the stream paused while it is behind',
    async (fs) => {
      const upload = await fs.write('/piped');
      let pauses = 0;
      const body = new BodyStream({ source: { pause: () => pauses++, resume: () => undefined } });
      const writer = new BodyWriter(body, upload);
      writer.start();
      const chunk = new Uint8Array(64 * 1024).fill(7);
      for (let i = 0; i < 48; i++) body.push(chunk);
      body.end();
      assert.ok(pauses > 0, 'the source was paused');
      assert.is(await writer.done, 48 * 64 * 1024);
      await upload.commit();
      const bytes = await fs.stat('/piped');
      assert.is(bytes.size, 48 * 64 * 1024);
    },
  );

  on('a commit or a write after a commit is refused', async (fs) => {
    const upload = await fs.write('/f');
    upload.write('x');
    await upload.commit();
    assert.is(await kindOf(upload.commit()), 'invalid');
    assert.throws(
      () => upload.write('y'),
      (error: unknown) => error instanceof FtpFileSystemError,
    );
    await upload.abort(); // nothing to do once committed
    assert.is(await text(fs, '/f'), 'x');
  });

  on(
    'a reader gives chunks no bigger than its chunk size, can be closed unread, is read once',
    async (fs) => {
      const size = 2 * 1024 * 1024 + 600 * 1024;
      await put(fs, '/f', 'x'.repeat(size));
      const reader = await fs.read('/f');
      assert.is(reader.size, size);
      let total = 0;
      let chunks = 0;
      for await (const chunk of reader) {
        assert.ok(chunk.byteLength <= 1024 * 1024);
        total += chunk.byteLength;
        chunks++;
      }
      assert.is(total, size);
      assert.ok(chunks >= 3, `${chunks} chunks`);
      assert.throws(
        () => reader[Symbol.asyncIterator](),
        (error: unknown) => error instanceof FtpFileSystemError,
      );
      const unread = await fs.read('/f');
      await unread.close();
      await unread.close();
      assert.throws(
        () => unread[Symbol.asyncIterator](),
        (error: unknown) => error instanceof FtpFileSystemError,
      );
    },
  );

  on('strings written to an upload are UTF-8', async (fs) => {
    const upload = await fs.write('/u');
    upload.write('é');
    upload.write(encoder.encode('!'));
    await upload.commit();
    assert.is((await fs.stat('/u')).size, 3);
    assert.is(await text(fs, '/u'), 'é!');
  });
}
