import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileReader, type ReadSource } from '../../../protocols/ftp/_file-reader.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/ftp/_file-reader'));

/** A source over `bytes` whose reads the test completes one by one. */
function source(bytes: Uint8Array) {
  const reads: { position: number; finish: () => void; fail: (error: Error) => void }[] = [];
  const log: string[] = [];
  const readSource: ReadSource = {
    size: bytes.byteLength,
    readAt: (position, length) =>
      new Promise<Uint8Array>((resolve, reject) => {
        log.push(`read ${position}`);
        reads.push({
          position,
          finish: () => resolve(bytes.subarray(position, position + length)),
          fail: reject,
        });
      }),
    release: async () => {
      log.push('release');
    },
  };
  return { readSource, reads, log };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('one read runs ahead: the next chunk is read while the last one given is used, never two', async () => {
  const { readSource, reads, log } = source(new Uint8Array(10).map((_, i) => i));
  const reader = new FileReader('/f', readSource, 0, 4);
  const iterator = reader[Symbol.asyncIterator]();
  const first = iterator.next();
  await tick();
  assert.equal(log, ['read 0']);
  reads[0]!.finish();
  assert.equal([...((await first).value as Uint8Array)], [0, 1, 2, 3]);
  assert.equal(log, ['read 0', 'read 4'], 'the second chunk is being read before it is asked for');
  await tick();
  assert.is(reads.length, 2, 'and no third');
  reads[1]!.finish();
  assert.equal([...((await iterator.next()).value as Uint8Array)], [4, 5, 6, 7]);
  reads[2]!.finish();
  assert.equal([...((await iterator.next()).value as Uint8Array)], [8, 9]);
  assert.equal(log, ['read 0', 'read 4', 'read 8'], 'a short chunk is the end: nothing read ahead');
  const end = iterator.next();
  await tick();
  reads[3]!.finish();
  assert.ok((await end).done);
  assert.equal(log, ['read 0', 'read 4', 'read 8', 'read 10', 'release']);
});

test('left early, it releases the handle only once the read ahead is over', async () => {
  const { readSource, reads, log } = source(new Uint8Array(16));
  const reader = new FileReader('/f', readSource, 4, 4);
  const iterator = reader[Symbol.asyncIterator]();
  const first = iterator.next();
  await tick();
  reads[0]!.finish();
  await first;
  const closed = reader.close();
  await tick();
  assert.equal(log, ['read 4', 'read 8'], 'not released under the read in flight');
  reads[1]!.fail(new Error('EIO'));
  await closed;
  assert.equal(log, ['read 4', 'read 8', 'release']);
  assert.ok((await iterator.next()).done, 'the failed read ahead is not reported: the reader was closed');
});

test('a read ahead that fails fails the next chunk asked for', async () => {
  const { readSource, reads } = source(new Uint8Array(16));
  const iterator = new FileReader('/f', readSource, 0, 4)[Symbol.asyncIterator]();
  const first = iterator.next();
  await tick();
  reads[0]!.finish();
  await first;
  reads[1]!.fail(new Error('EIO'));
  await iterator.next().then(
    () => assert.unreachable('the failure is reported'),
    (error: Error) => assert.is(error.message, 'EIO'),
  );
});

test.run();
