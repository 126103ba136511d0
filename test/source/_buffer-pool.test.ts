import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BufferPool, sharedBufferPool } from '../../source/_buffer-pool.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';

const test = checkClean(suite('source/_buffer-pool'));

test('hands out a new buffer when none is spare, and a buffer given back before a new one', () => {
  const pool = new BufferPool(16, 2);
  const first = pool.take();
  const second = pool.take();
  assert.is(first.byteLength, 16);
  assert.is.not(first.buffer, second.buffer, 'each its own memory');
  pool.give(first);
  assert.is(pool.take(), first);
  assert.is(pool.spareCount, 0);
});

test('keeps at most its spares, a buffer given twice once, and no buffer of another size', () => {
  const pool = new BufferPool(16, 2);
  const [a, b, c] = [pool.take(), pool.take(), pool.take()];
  pool.give(a);
  pool.give(a);
  assert.is(pool.spareCount, 1, 'given twice, kept once: never handed to two takers');
  pool.give(Buffer.alloc(8));
  assert.is(pool.spareCount, 1);
  pool.give(b);
  pool.give(c);
  assert.is(pool.spareCount, 2, 'the third is left to the garbage collector');
  assert.is.not(pool.take(), pool.take());
});

test('the shared pool of a size is one for the process, and keeps 2 MiB of spares, two buffers at least', () => {
  assert.is(sharedBufferPool(4096), sharedBufferPool(4096));
  assert.is(sharedBufferPool(4096).size, 4096);
  assert.is.not(sharedBufferPool(4096), sharedBufferPool(8192));
  assert.is(sharedBufferPool(256 * 1024).spares, 8);
  assert.is(sharedBufferPool(4 * 1024 * 1024).spares, 2);
});

test.run();
