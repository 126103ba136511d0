import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FtpFileSystemError, FtpPathError } from '../../../protocols/ftp/file-system-error.js';
import { ProtocolError, SpindleError } from '../../../source/errors.js';
import { checkClean } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/ftp/file-system-error'));

test('a path refusal is a ProtocolError answered with 550, saying why', () => {
  const error = new FtpPathError('outside-root', '".." climbs above the root');
  assert.is(error.refusal, 'outside-root');
  assert.is(error.protocolCode, 550);
  assert.is(error.code, 'SPINDLE_FTP_PATH');
  assert.is(error.name, 'FtpPathError');
  assert.ok(error instanceof ProtocolError);
});

test('a file system error carries its kind, its path, a default message and the cause', () => {
  const cause = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  const error = new FtpFileSystemError('no-space', '/incoming/a.iso', undefined, { cause });
  assert.is(error.kind, 'no-space');
  assert.is(error.path, '/incoming/a.iso');
  assert.is(error.message, '/incoming/a.iso: no space left');
  assert.is(error.cause, cause);
  assert.is(error.code, 'SPINDLE_FTP_FILE_SYSTEM');
  assert.ok(error instanceof SpindleError);
  assert.not.ok(error instanceof FtpPathError);
  assert.is(new FtpFileSystemError('io', '/x', 'custom').message, 'custom');
});

test.run();
