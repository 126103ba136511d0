import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileBody, FileChangedError } from '../../../protocols/web/_file-body.js';
import { sharedBufferPool } from '../../../source/_buffer-pool.js';
import { fileChunkSize } from '../../../source/_file-chunks.js';
import { BodyConsumedError } from '../../../source/errors.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/web/_file-body'));

const folder = mkdtempSync(join(tmpdir(), 'spindle-file-body-'));
test.after(() => rmSync(folder, { recursive: true, force: true }));

/** A file of `size` bytes, each a function of its position, and its handle opened for reading. */
async function opened(name: string, size: number) {
  const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 9)) % 251));
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return { bytes, path, handle: await open(path, 'r') };
}

test('a file that shrinks while it is read fails the body with FileChangedError, and closes the file', async () => {
  const { path, handle } = await opened('shrinks.bin', 3 * fileChunkSize);
  const iterator = new FileBody(handle, [{ head: '', start: 0, end: 3 * fileChunkSize - 1 }])[
    Symbol.asyncIterator
  ]();
  assert.is(((await iterator.next()).value as Uint8Array).byteLength, fileChunkSize);
  truncateSync(path, 1000);
  let error: unknown;
  try {
    for (;;) if ((await iterator.next()).done) break;
  } catch (caught) {
    error = caught;
  }
  assert.instance(error, FileChangedError);
  assert.is(handle.fd, -1, 'closed');
});

test('parts come after their heads, then the tail', async () => {
  const { bytes, handle } = await opened('parts.bin', 100);
  const body = new FileBody(
    handle,
    [
      { head: '[', start: 10, end: 19 },
      { head: '][', start: 90, end: 99 },
    ],
    ']',
  );
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  const expected = Buffer.concat([
    Buffer.from('['),
    bytes.subarray(10, 20),
    Buffer.from(']['),
    bytes.subarray(90, 100),
    Buffer.from(']'),
  ]);
  assert.ok(Buffer.concat(chunks).equals(expected));
  assert.is(handle.fd, -1, 'closed at its end');
});

test('compressed, the bytes come out whole, and each chunk read goes back to the pool once zlib took it', async () => {
  const size = 3 * fileChunkSize + 17;
  const { bytes, handle } = await opened('compressed.bin', size);
  const pool = sharedBufferPool(fileChunkSize);
  const taken = Array.from({ length: pool.spareCount }, () => pool.take()); // start from an empty pool
  const out: Uint8Array[] = [];
  for await (const chunk of new FileBody(handle, [{ head: '', start: 0, end: size - 1 }], '', () =>
    createGzip(),
  )) {
    out.push(chunk);
  }
  assert.ok(gunzipSync(Buffer.concat(out)).equals(bytes));
  assert.ok(pool.spareCount > 0, 'input buffers are back');
  assert.is(handle.fd, -1, 'closed');
  for (const buffer of taken) pool.give(buffer);
});

test('destroyed before it is read, it closes the file and cannot be read', async () => {
  const { handle } = await opened('unread.bin', 10);
  const body = new FileBody(handle, [{ head: '', start: 0, end: 9 }]);
  body.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(handle.fd, -1);
  assert.throws(
    () => body[Symbol.asyncIterator](),
    (error: unknown) => error instanceof BodyConsumedError,
  );
});

test.run();
