import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, runScript, startDemo } from '../support/demo-process.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const run = promisify(execFile);
const test = suite('demos/ftp-server');
const dir = mkdtempSync(join(tmpdir(), 'spindle-ftp-demo-'));
const root = join(dir, 'root');
const listenArgs = ['--listen', 'tcp:0:interface=127.0.0.1'];
let demo: RunningDemo;

test.before(async () => {
  mkdirSync(root);
  writeFileSync(join(root, 'hello.txt'), 'hello from the demo\n');
  writeFileSync(join(dir, 'up.txt'), 'an upload\n');
  demo = await startDemo('demos/ftp-server.ts', ['--root', root, '--user', 'alice:s:cret', ...listenArgs]);
});

test.after(async () => {
  await demo.stop();
  rmSync(dir, { recursive: true, force: true });
});

const curl = async (...args: string[]) =>
  (await run('curl', ['--silent', '--show-error', '--max-time', '10', ...args])).stdout;

test('prints where it listens', () => {
  assert.equal(demo.output, [`listening on tcp:${demo.port}:interface=127.0.0.1`]);
});

test('curl downloads anonymously; an anonymous upload is refused', async () => {
  assert.is(await curl(`ftp://127.0.0.1:${demo.port}/hello.txt`), 'hello from the demo\n');
  const refused = await curl('-T', join(dir, 'up.txt'), `ftp://127.0.0.1:${demo.port}/anon.txt`).catch(
    (error: Error) => error,
  );
  assert.instance(refused, Error);
});

test('curl uploads as the --user (a password with a colon in it)', async () => {
  await curl('-T', join(dir, 'up.txt'), `ftp://alice:s%3Acret@127.0.0.1:${demo.port}/up.txt`);
  assert.is(readFileSync(join(root, 'up.txt'), 'utf8'), 'an upload\n');
});

test('--anonymous-write, --passive-ports and --passive-address, and FTPS with --tls-cert and --tls-key', async () => {
  const { key, cert } = throwawayCertificate();
  writeFileSync(join(dir, 'key.pem'), key);
  writeFileSync(join(dir, 'cert.pem'), cert);
  const tls = ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')];
  const passive = ['--passive-ports', '40000-40999', '--passive-address', '127.0.0.1'];
  const other = await startDemo('demos/ftp-server.ts', [
    '--root',
    root,
    '--anonymous-write',
    ...passive,
    ...tls,
    ...listenArgs,
  ]);
  try {
    const base = `ftp://localhost:${other.port}`;
    const secure = [
      '--ssl-reqd',
      '--cacert',
      join(dir, 'cert.pem'),
      '--resolve',
      `localhost:${other.port}:127.0.0.1`,
    ];
    await curl(...secure, '--disable-epsv', '-T', join(dir, 'up.txt'), `${base}/anon.txt`);
    assert.is(readFileSync(join(root, 'anon.txt'), 'utf8'), 'an upload\n');
    const verbose = await run('curl', [
      '-v',
      '--silent',
      '--max-time',
      '10',
      ...secure,
      '--disable-epsv',
      `${base}/hello.txt`,
    ]);
    assert.is(verbose.stdout, 'hello from the demo\n');
    const pasv = /227 Entering Passive Mode \(127,0,0,1,(\d+),(\d+)\)/.exec(verbose.stderr);
    assert.ok(pasv !== null, verbose.stderr);
    const port = Number(pasv![1]) * 256 + Number(pasv![2]);
    assert.ok(port >= 40000 && port <= 40999, `passive port ${port}`);
  } finally {
    await other.stop();
  }
});

test('bad values: one line on stderr, exit 2; a root or certificate that cannot be used: exit 1', async () => {
  const cases: [string[], number, string][] = [
    [[], 2, 'give --root DIR'],
    [['--root', root, '--user', 'nocolon'], 2, '--user takes name:password, not nocolon'],
    [['--root', root, '--passive-ports', '5-'], 2, '--passive-ports takes A-B'],
    [['--root', root, '--passive-address', 'example.test'], 2, '--passive-address takes an IPv4 address'],
    [['--root', root, '--tls-cert', join(dir, 'up.txt')], 2, '--tls-cert and --tls-key go together'],
    [['--root', root, '--bogus'], 2, "Unknown option '--bogus'"],
    [['--root', join(dir, 'missing')], 1, `${join(dir, 'missing')} is not a folder`],
    [['--root', join(dir, 'up.txt')], 1, `${join(dir, 'up.txt')} is not a folder`],
  ];
  for (const [args, code, message] of cases) {
    const result = await runScript('demos/ftp-server.ts', [...args, ...listenArgs]);
    assert.equal([result.code, result.stderr], [code, `ftp-server: ${message}\n`], args.join(' '));
    assert.is(result.stdout, '');
  }
  const ports = await runScript('demos/ftp-server.ts', [
    '--root',
    root,
    '--passive-ports',
    '9-5',
    ...listenArgs,
  ]);
  assert.is(ports.code, 2);
  assert.match(ports.stderr, /^ftp-server: passivePorts must be two ports .*\n$/);
  const certificate = ['--tls-cert', join(dir, 'up.txt'), '--tls-key', join(dir, 'up.txt')];
  const pem = await runScript('demos/ftp-server.ts', ['--root', root, ...certificate, ...listenArgs]);
  assert.is(pem.code, 1);
  assert.match(pem.stderr, /^ftp-server: .*PEM.*\n$/);
});

test('exits with status 0 on SIGTERM', async () => {
  assert.equal(await demo.stop(), { code: 0, signal: null });
});

test.run();
