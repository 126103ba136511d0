import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BackgroundSync } from '../../../protocols/ftp/_background-sync.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/ftp/_background-sync'));

/** A sync that finishes when the test says: each call noted, with its resolve and reject. */
function controlledSync() {
  const calls: { finish: () => void; fail: (error: Error) => void }[] = [];
  const sync = () =>
    new Promise<void>((resolve, reject) => {
      calls.push({ finish: resolve, fail: reject });
    });
  return { sync, calls };
}

test('starts a sync once `every` bytes were written since the start, not before', () => {
  const { sync, calls } = controlledSync();
  const background = new BackgroundSync(sync, 100, 1000);
  background.written(1050);
  background.written(1099);
  assert.is(calls.length, 0);
  background.written(1100);
  assert.is(calls.length, 1);
  calls[0]!.finish();
});

test('runs one sync at a time: writes go on, and the next one counts from where the last began', async () => {
  const { sync, calls } = controlledSync();
  const background = new BackgroundSync(sync, 100);
  background.written(150);
  background.written(400); // due, but one is running
  assert.is(calls.length, 1);
  calls[0]!.finish();
  await background.settled();
  background.written(240); // 90 bytes past where the first began
  assert.is(calls.length, 1);
  background.written(250);
  assert.is(calls.length, 2);
  calls[1]!.finish();
  await background.settled();
});

test('settled() waits for the running sync, and fires even when it failed', async () => {
  const { sync, calls } = controlledSync();
  const background = new BackgroundSync(sync, 10);
  await background.settled(); // none running
  background.written(10);
  let settled = false;
  const waiting = background.settled().then(() => {
    settled = true;
  });
  await Promise.resolve();
  assert.not.ok(settled);
  calls[0]!.fail(new Error('EIO'));
  await waiting;
  assert.ok(settled);
  background.written(20); // a failed sync does not stop the next
  assert.is(calls.length, 2);
  calls[1]!.finish();
  await background.settled();
});

test.run();
