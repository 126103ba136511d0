import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomHex } from '../../source/_random-hex.js';

const test = suite('source/_random-hex');

test('gives 2 × count hex digits, across pool refills, without repeating', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const hex = randomHex(8); // 2000 × 8 bytes: four refills of the 4 KiB pool
    assert.match(hex, /^[0-9a-f]{16}$/);
    seen.add(hex);
  }
  assert.is(seen.size, 2000);
  assert.match(randomHex(6), /^[0-9a-f]{12}$/);
});

test('a count larger than the pool is drawn on its own', () => {
  assert.match(randomHex(5000), /^[0-9a-f]{10000}$/);
});

test.run();
