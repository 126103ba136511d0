import { setImmediate as nextTurn } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FileUpload, type UploadTarget } from '../../../protocols/ftp/_file-upload.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/ftp/_file-upload'));

/**
 * An upload (high-water mark 8 bytes: batches of 4) to a target whose writes finish when the
 * test says: `log` notes each write (the chunk sizes of its batch), the install and the discard.
 */
function upload8() {
  const log: string[] = [];
  const writes: (() => void)[] = [];
  const upload: UploadTarget = {
    writeChunks: (chunks) => {
      log.push(`write ${chunks.map((chunk) => chunk.byteLength).join('+')}`);
      return new Promise<void>((resolve) => writes.push(resolve));
    },
    install: async () => {
      log.push('install');
    },
    discard: async () => {
      log.push('discard');
    },
  };
  /** Finishes the oldest write still running (if any), and lets the upload go on. */
  const finishWrite = async () => {
    writes.shift()?.();
    await nextTurn();
  };
  return { file: new FileUpload('/f', upload, { highWaterMark: 8 }), log, finishWrite };
}

const bytes = (n: number) => new Uint8Array(n);

test('writes nothing until half the high-water mark waits, then all that waits in one write', async () => {
  const { file, log, finishWrite } = upload8();
  assert.ok(file.write(bytes(3)));
  assert.equal(log, []);
  assert.ok(file.write(bytes(1)));
  assert.equal(log, ['write 3+1']);
  await finishWrite();
  await file.commit();
});

test('what arrives while a batch is written goes in the next one', async () => {
  const { file, log, finishWrite } = upload8();
  file.write(bytes(4));
  file.write(bytes(2));
  file.write(bytes(1));
  file.write(bytes(1));
  assert.equal(log, ['write 4']);
  await finishWrite();
  assert.equal(log, ['write 4', 'write 2+1+1']);
  file.write(bytes(3)); // less than a batch waits after this one: it waits for more
  await finishWrite();
  assert.equal(log, ['write 4', 'write 2+1+1']);
  const committed = file.commit();
  await finishWrite();
  await committed;
  assert.equal(log, ['write 4', 'write 2+1+1', 'write 3', 'install']);
});

test('says false at the high-water mark while a batch is written; drained() fires once it is', async () => {
  const { file, log, finishWrite } = upload8();
  assert.ok(file.write(bytes(4)));
  assert.not.ok(file.write(bytes(4)));
  let drained = false;
  file.drained().addCallback(() => {
    drained = true;
  });
  await nextTurn();
  assert.not.ok(drained);
  await finishWrite();
  assert.ok(drained);
  assert.equal(log, ['write 4', 'write 4']);
  await finishWrite();
  await file.commit();
});

for (const [name, sizes, end, expected] of [
  [
    'the commit writes what is left, however little, then installs',
    [1, 2],
    'commit',
    ['write 1+2', 'install'],
  ],
  [
    'a commit during a write waits for it, then writes the rest',
    [4, 1],
    'commit',
    ['write 4', 'write 1', 'install'],
  ],
  [
    'an abort during a write drops what waits, and discards once the write is done',
    [4, 2],
    'abort',
    ['write 4', 'discard'],
  ],
] as const) {
  test(name, async () => {
    const { file, log, finishWrite } = upload8();
    for (const size of sizes) file.write(bytes(size));
    let over = false;
    file[end]().addCallback(() => {
      over = true;
    });
    while (!over) await finishWrite();
    assert.equal(log, expected);
  });
}

test.run();
