import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FolderSyncs } from '../../../protocols/smtp/_folder-syncs.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/smtp/_folder-syncs'));

/** fsyncs that the test finishes by hand, in the order they began. */
function manualSyncs() {
  const began: { folder: string; finish(error?: Error): void }[] = [];
  const syncOnce = (folder: string) =>
    new Promise<void>((resolve, reject) => {
      began.push({ folder, finish: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  return { began, syncs: new FolderSyncs(syncOnce) };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('callers that come while an fsync runs share the next one, begun after it ends', async () => {
  const { began, syncs } = manualSyncs();
  const settled: string[] = [];
  syncs.sync('/m/new').then(() => settled.push('first'));
  assert.equal(began.length, 1);
  for (const name of ['second', 'third', 'fourth']) syncs.sync('/m/new').then(() => settled.push(name));
  await turn();
  assert.equal(began.length, 1, 'no second fsync while the first runs');
  began[0]!.finish();
  await turn();
  assert.equal(settled, ['first'], 'the later callers wait for an fsync begun after they asked');
  assert.equal(began.length, 2);
  began[1]!.finish();
  await turn();
  assert.equal(settled, ['first', 'second', 'third', 'fourth']);
  assert.equal(syncs.size, 0, 'a folder no one waits for is forgotten');
});

test('folders are synced apart; a failed fsync fails its sharers, and the folder is synced afresh next time', async () => {
  const { began, syncs } = manualSyncs();
  const a = syncs.sync('/a/new');
  const b = syncs.sync('/b/new');
  assert.equal(
    began.map((sync) => sync.folder),
    ['/a/new', '/b/new'],
  );
  const shared = [syncs.sync('/a/new'), syncs.sync('/a/new')];
  began[0]!.finish();
  began[1]!.finish();
  await Promise.all([a, b]);
  began[2]!.finish(new Error('EIO'));
  for (const waiting of shared) {
    await waiting.then(
      () => assert.unreachable('the fsync failed'),
      (error: Error) => assert.is(error.message, 'EIO'),
    );
  }
  assert.equal(syncs.size, 0);
  const again = syncs.sync('/a/new');
  assert.equal(began.length, 4);
  began[3]!.finish();
  await again;
});

test('by default it fsyncs a real folder, and an absent one fails', async () => {
  const root = mkdtempSync(join(tmpdir(), 'spindle-folder-syncs-'));
  try {
    const syncs = new FolderSyncs();
    await Promise.all([syncs.sync(root), syncs.sync(root), syncs.sync(root)]);
    await syncs.sync(join(root, 'absent')).then(
      () => assert.unreachable('no such folder'),
      (error: NodeJS.ErrnoException) => assert.is(error.code, 'ENOENT'),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
