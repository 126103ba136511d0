import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as ftp from '../../../protocols/ftp/index.js';

const test = suite('protocols/ftp/index');

test('exports the codec, the file systems, the server and the checkers by name', () => {
  for (const name of [
    'CommandDecoder',
    'CommandError',
    'formatReply',
    'ReplyDecoder',
    'ReplyError',
    'formatPasv',
    'parsePasvReply',
    'formatEpsv',
    'parseEpsvReply',
    'formatPort',
    'parsePort',
    'formatEprt',
    'parseEprt',
    'formatListLine',
    'formatMlsxFacts',
    'formatMdtm',
    'parseMdtm',
    'parseListLine',
    'parseMlsxLine',
    'resolveFtpPath',
    'ftpPathNames',
    'joinFtpPath',
    'FtpPathError',
    'FtpFileSystemError',
    'NodeFileSystem',
    'MemoryFileSystem',
    'ftpServer',
    'ftpUsers',
  ]) {
    assert.type((ftp as Record<string, unknown>)[name], 'function', name);
  }
});

test('a server made through the entry is a protocol named ftp', () => {
  const server = ftp.ftpServer({ fileSystem: new ftp.MemoryFileSystem() });
  assert.is(server.name, 'ftp');
  assert.is(server.halfClose, true);
  assert.type(server.serve, 'function');
});

test.run();
