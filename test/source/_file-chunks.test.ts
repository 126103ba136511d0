import { setImmediate as nextTurn } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool } from '../../source/_buffer-pool.js';
import { type ChunkFile, FileChunks } from '../../source/_file-chunks.js';
import { BodyWriter, chunkWritten } from '../../source/body-writer.js';
import { CorkedOutput } from '../../source/corked-output.js';
import { connectedPair } from '../../source/testing/connected-pair.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import type { StreamConnection } from '../../source/transports/stream-connection.js';

const test = checkClean(suite('source/_file-chunks'));

/** `size` bytes, each a function of its position (so a chunk read into the wrong place shows). */
function pattern(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 7 + (i >> 8)) % 251);
}

/** A file over `bytes` whose reads the test completes one by one, and a log of what was done to it. */
function heldFile(bytes: Uint8Array) {
  const reads: { position: number; finish: () => void; fail: (error: Error) => void }[] = [];
  const log: string[] = [];
  const file: ChunkFile = {
    read: (buffer, length, position) =>
      new Promise<number>((resolve, reject) => {
        log.push(`read ${position}`);
        reads.push({
          position,
          finish: () => {
            const read = bytes.subarray(position, position + length);
            buffer.set(read);
            resolve(read.byteLength);
          },
          fail: reject,
        });
      }),
    close: async () => {
      log.push('close');
    },
  };
  return { file, reads, log };
}

/** A file over `bytes` that reads at once, noting the buffers read into and how often it closed. */
function quickFile(bytes: Uint8Array) {
  const readInto: Uint8Array[] = [];
  const state = { closes: 0 };
  const file: ChunkFile = {
    read: async (buffer, length, position) => {
      readInto.push(buffer);
      const read = bytes.subarray(position, position + length);
      buffer.set(read);
      return read.byteLength;
    },
    close: async () => {
      state.closes++;
    },
  };
  return { file, readInto, state };
}

const text = (chunk: Uint8Array) => Buffer.from(chunk).toString('latin1');

test('gives each span after its head, in chunks of the pool size, then closes the file', async () => {
  const bytes = new TextEncoder().encode('abcdefghij');
  const { file, state } = quickFile(bytes);
  const spans = [
    { head: Buffer.from('<'), start: 1, end: 6 },
    { start: 8, end: 10 },
    { head: Buffer.from('|'), start: 0, end: 0 },
  ];
  const chunks: string[] = [];
  for await (const chunk of new FileChunks(file, spans, { pool: new BufferPool(2, 2) }))
    chunks.push(text(chunk));
  assert.equal(chunks, ['<', 'bc', 'de', 'f', 'ij', '|']);
  assert.is(state.closes, 1);
});

test('a span without an end is read to the end of the file; a short read ends it without reading ahead', async () => {
  const { file, reads, log } = heldFile(pattern(10));
  const iterator = new FileChunks(file, [{ start: 0 }], { pool: new BufferPool(4, 2) });
  const first = iterator.next();
  await nextTurn();
  assert.equal(log, ['read 0']);
  reads[0]!.finish();
  assert.equal([...((await first).value as Uint8Array)], [...pattern(4)]);
  assert.equal(log, ['read 0', 'read 4'], 'the second chunk is being read before it is asked for');
  await nextTurn();
  assert.is(reads.length, 2, 'and no third');
  reads[1]!.finish();
  await iterator.next();
  reads[2]!.finish();
  assert.is(((await iterator.next()).value as Uint8Array).byteLength, 2);
  assert.equal(log, ['read 0', 'read 4', 'read 8'], 'a short chunk is the end: nothing read ahead');
  const end = iterator.next();
  await nextTurn();
  reads[3]!.finish();
  assert.ok((await end).done);
  assert.equal(log, ['read 0', 'read 4', 'read 8', 'read 10', 'close']);
  assert.ok((await iterator.next()).done, 'and it stays done');
});

test('a file that ends inside a span fails the reading with the `cut` error, and closes the file', async () => {
  const { file, state } = quickFile(pattern(5));
  const chunks = new FileChunks(file, [{ start: 0, end: 8 }], {
    pool: new BufferPool(4, 2),
    cut: (position, end) => new Error(`cut at ${position} of ${end}`),
  });
  assert.is(((await chunks.next()).value as Uint8Array).byteLength, 4);
  assert.is(((await chunks.next()).value as Uint8Array).byteLength, 1);
  await chunks.next().then(
    () => assert.unreachable('the reading fails'),
    (error: Error) => assert.is(error.message, 'cut at 5 of 8'),
  );
  assert.is(state.closes, 1);
  assert.ok((await chunks.next()).done);
});

test('a read that fails fails the reading, closes the file, and puts its buffer back', async () => {
  const { file, reads, log } = heldFile(pattern(16));
  const pool = new BufferPool(4, 2);
  const chunks = new FileChunks(file, [{ start: 0 }], { pool });
  const first = chunks.next();
  await nextTurn();
  reads[0]!.fail(new Error('EIO'));
  await first.then(
    () => assert.unreachable('the failure is reported'),
    (error: Error) => assert.is(error.message, 'EIO'),
  );
  assert.equal(log, ['read 0', 'close']);
  assert.is(pool.spareCount, 1);
});

test('left before the first `next()`, it closes the file without reading', async () => {
  const { file, log } = heldFile(pattern(16));
  const chunks = new FileChunks(file, [{ start: 0 }]);
  assert.ok((await chunks.return()).done);
  assert.ok((await chunks.next()).done);
  await chunks.close();
  assert.equal(log, ['close'], 'closed once, never read');
});

test('left early, it closes the file only once the read ahead is over, and puts that buffer back', async () => {
  const { file, reads, log } = heldFile(pattern(16));
  const pool = new BufferPool(4, 2);
  const chunks = new FileChunks(file, [{ start: 4 }], { pool });
  const first = chunks.next();
  await nextTurn();
  reads[0]!.finish();
  await first;
  const closed = chunks.return();
  await nextTurn();
  assert.equal(log, ['read 4', 'read 8'], 'not closed under the read in flight');
  reads[1]!.finish();
  await closed;
  assert.equal(log, ['read 4', 'read 8', 'close']);
  assert.is(pool.spareCount, 1, 'the chunk read ahead, never given, is back');
  assert.ok((await chunks.next()).done);
});

test('closed while `next()` waits for its read: that read is not given, and its failure is no one’s', async () => {
  for (const outcome of ['finish', 'fail'] as const) {
    const { file, reads, log } = heldFile(pattern(16));
    const pool = new BufferPool(4, 2);
    const chunks = new FileChunks(file, [{ start: 0 }], { pool });
    const waiting = chunks.next();
    await nextTurn();
    const closed = chunks.close();
    if (outcome === 'finish') reads[0]!.finish();
    else reads[0]!.fail(new Error('EIO'));
    assert.ok((await waiting).done, outcome);
    await closed;
    assert.equal(log, ['read 0', 'close'], outcome);
    assert.is(pool.spareCount, 1, `${outcome}: the buffer is back`);
  }
});

test('a chunk handed back is read into again; one never handed back never is', async () => {
  const { file, readInto } = quickFile(pattern(64));
  const pool = new BufferPool(8, 2);
  const chunks = new FileChunks(file, [{ start: 0, end: 64 }], { pool });
  const kept: Uint8Array[] = [];
  for await (const chunk of chunks) {
    kept.push(chunk);
    if (kept.length % 2 === 0) chunks[chunkWritten](chunk);
    chunks[chunkWritten](new Uint8Array(8)); // not one of its chunks: ignored
  }
  const buffers = new Set(readInto);
  assert.ok(buffers.size < readInto.length, 'buffers were reused');
  for (const [i, chunk] of kept.entries()) {
    if (i % 2 === 0)
      assert.equal([...chunk], [...pattern(64).subarray(i * 8, i * 8 + 8)], `chunk ${i} kept intact`);
  }
});

for (const via of ['connection', 'corked output'] as const) {
  test(`sent through a ${via}, no buffer is read into while a write of it is still pending`, async () => {
    const size = 64 * 40 + 13;
    const bytes = pattern(size);
    const { file, readInto } = quickFile(bytes);
    const { client, server, flush } = connectedPair({ highWaterMark: 100 });
    // the writes the server's stream has not finished (its callback not called yet), by buffer
    const pending = new Map<ArrayBufferLike, number>();
    const stream = (server as StreamConnection).stream;
    const write = stream.write.bind(stream) as (chunk: Uint8Array, callback: () => void) => boolean;
    stream.write = ((chunk: Uint8Array, callback?: (error?: Error | null) => void) => {
      pending.set(chunk.buffer, (pending.get(chunk.buffer) ?? 0) + 1);
      return write(chunk, (...args: unknown[]) => {
        pending.set(chunk.buffer, pending.get(chunk.buffer)! - 1);
        (callback as ((...a: unknown[]) => void) | undefined)?.(...args);
      });
    }) as typeof stream.write;
    const reuse: boolean[] = [];
    const watched: ChunkFile = {
      read: (buffer, length, position) => {
        reuse.push((pending.get(buffer.buffer) ?? 0) > 0);
        return file.read(buffer, length, position);
      },
      close: () => file.close(),
    };
    const chunks = new FileChunks(watched, [{ start: 0, end: size }], { pool: new BufferPool(64, 3) });
    const output = via === 'connection' ? server : new CorkedOutput(server);
    const writer = new BodyWriter(chunks, output);
    const received: Uint8Array[] = [];
    const reading = (async () => {
      for await (const chunk of client) {
        received.push(chunk);
        await nextTurn(); // a slow reader: the server's writes wait in its buffer
      }
    })();
    writer.start();
    await writer.done;
    server.close();
    await reading;
    await flush();
    assert.ok(!reuse.includes(true), 'a buffer still pending was read into');
    assert.ok(new Set(readInto).size <= 4, `${new Set(readInto).size} buffers for ${readInto.length} reads`);
    assert.ok(Buffer.concat(received).equals(bytes), 'the peer got the file, unchanged');
  });
}

test.run();
