import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UnixTextFile } from '../../../protocols/smtp/_unix-text-file.js';
import { BufferPool } from '../../../source/_buffer-pool.js';

const test = suite('protocols/smtp/unix-text-file');
let folder = '';
let files = 0;
test.before.each(() => {
  folder = mkdtempSync(join(tmpdir(), 'spindle-unix-text-'));
});
test.after.each(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Writes `chunks` through a UnixTextFile over a pool of `size`-byte buffers; returns the file's text and the pool. */
async function write(chunks: readonly string[], size: number): Promise<{ text: string; pool: BufferPool }> {
  const path = join(folder, `text-${++files}`);
  const handle = await open(path, 'wx');
  const pool = new BufferPool(size, 2);
  try {
    const text = new UnixTextFile(handle, pool);
    for (const chunk of chunks) await text.add(Buffer.from(chunk, 'latin1'));
    await text.finish();
  } finally {
    await handle.close();
  }
  return { text: readFileSync(path, 'latin1'), pool };
}

const sample = 'Subject: a\r\n\r\nline one\r\nbare\rCR and bare\nLF\r\n\r\r\n.last\r\r';
const expected = 'Subject: a\n\nline one\nbare\rCR and bare\nLF\n\r\n.last\r\r';

test('CR LF becomes LF and every other CR or LF stays, the text split at every byte, through buffers of every size', async () => {
  for (const size of [1, 2, 3, 7, 64, 4096]) {
    for (let cut = 0; cut <= sample.length; cut++) {
      const { text, pool } = await write([sample.slice(0, cut), sample.slice(cut)], size);
      assert.is(text, expected, `size ${size}, cut at ${cut}`);
      assert.is(pool.spareCount, 1, 'the one buffer is given back');
    }
  }
});

test('one byte per chunk, and chunks that are only a CR or only an LF', async () => {
  assert.is((await write([...sample], 5)).text, expected);
  assert.is((await write(['a\r', '\r', '\n', '\n', 'b\r'], 4)).text, 'a\r\n\nb\r');
});

test('a text smaller than the buffer is written once, at finish', async () => {
  const path = join(folder, 'once');
  const handle = await open(path, 'wx');
  const writes: number[] = [];
  const counted = new Proxy(handle, {
    get: (target, key) =>
      key === 'write'
        ? (buffer: Buffer, offset: number, length: number) => {
            writes.push(length);
            return target.write(buffer, offset, length);
          }
        : Reflect.get(target, key, target),
  });
  const text = new UnixTextFile(counted, new BufferPool(1024, 1));
  for (let line = 0; line < 20; line++) await text.add(Buffer.from(`line ${line}\r\n`));
  assert.equal(writes, [], 'nothing written before the buffer fills');
  await text.finish();
  await handle.close();
  assert.is(writes.length, 1);
  assert.is(readFileSync(path, 'latin1').split('\n').length, 21);
});

test.run();
