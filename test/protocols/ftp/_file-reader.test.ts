import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileReader, type ReadSource } from '../../../protocols/ftp/_file-reader.js';
import { FtpFileSystemError } from '../../../protocols/ftp/file-system-error.js';
import { chunkWritten } from '../../../source/body-writer.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/ftp/_file-reader'));

/** A source over `bytes` that reads at once, noting the buffers read into and its releases. */
function source(bytes: Uint8Array) {
  const log = { releases: 0, readInto: [] as Uint8Array[] };
  const readSource: ReadSource = {
    size: bytes.byteLength,
    read: async (buffer, length, position) => {
      log.readInto.push(buffer);
      const read = bytes.subarray(position, position + length);
      buffer.set(read);
      return read.byteLength;
    },
    close: async () => {
      log.releases++;
    },
  };
  return { readSource, log };
}

// The reading itself (read ahead, every path that closes the file) is FileChunks', tested with it.

test('reads from the offset to the end in chunks of its size, then releases the handle once', async () => {
  const bytes = new Uint8Array(10).map((_, i) => i);
  const { readSource, log } = source(bytes);
  const reader = new FileReader('/f', readSource, 3, 4);
  assert.is(reader.size, 10);
  const chunks: number[][] = [];
  for await (const chunk of reader) chunks.push([...chunk]);
  assert.equal(chunks, [
    [3, 4, 5, 6],
    [7, 8, 9],
  ]);
  await reader.close();
  assert.is(log.releases, 1);
});

test('is iterated once: again, or after close(), it refuses', async () => {
  const { readSource, log } = source(new Uint8Array(4));
  const reader = new FileReader('/f', readSource, 0, 4);
  reader[Symbol.asyncIterator]();
  assert.throws(
    () => reader[Symbol.asyncIterator](),
    (error: unknown) => error instanceof FtpFileSystemError,
  );
  const unread = new FileReader('/g', readSource, 0, 4);
  await unread.close();
  assert.throws(
    () => unread[Symbol.asyncIterator](),
    (error: unknown) => error instanceof FtpFileSystemError,
  );
  await reader.close();
  assert.is(log.releases, 2);
});

test('a chunk handed back after it was sent is read into again', async () => {
  const { readSource, log } = source(new Uint8Array(64));
  const reader = new FileReader('/f', readSource, 0, 8);
  for await (const chunk of reader) reader[chunkWritten](chunk);
  assert.ok(new Set(log.readInto).size < log.readInto.length, 'buffers were reused');
});

test.run();
