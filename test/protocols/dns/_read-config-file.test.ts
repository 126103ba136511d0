import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readConfigFile } from '../../../protocols/dns/_read-config-file.js';

const test = suite('protocols/dns/_read-config-file');

const directory = mkdtempSync(join(tmpdir(), 'spindle-config-'));
test.after(() => rmSync(directory, { recursive: true }));

test('reads a whole file as UTF-8, and gives undefined for a missing one', () => {
  const path = join(directory, 'whole');
  writeFileSync(path, 'nameserver ::1\n# café\n');
  assert.is(readConfigFile(path, 1024), 'nameserver ::1\n# café\n');
  assert.is(readConfigFile(join(directory, 'missing'), 1024), undefined);
});

test('cuts a file over the cap at its last line end within the cap, or at the cap without one', () => {
  const path = join(directory, 'long');
  writeFileSync(path, 'line one\nline two\nline three\n');
  assert.is(readConfigFile(path, 12), 'line one\n');
  writeFileSync(path, 'x'.repeat(40));
  assert.is(readConfigFile(path, 12), 'x'.repeat(12));
});

test('throws the file system error for anything but a missing file', () => {
  assert.throws(() => readConfigFile(directory, 1024), /EISDIR/);
});

test.run();
