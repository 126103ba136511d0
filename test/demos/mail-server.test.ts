import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, runScript, startDemo } from '../support/demo-process.js';

const run = promisify(execFile);
const test = suite('demos/mail-server');
const maildir = mkdtempSync(join(tmpdir(), 'spindle-mail-demo-'));
let demo: RunningDemo;

test.before(async () => {
  demo = await startDemo('demos/mail-server.ts', [
    '--maildir',
    maildir,
    '--domain',
    'example.com',
    '--listen',
    'tcp:0:interface=127.0.0.1',
  ]);
});

test.after(async () => {
  await demo.stop();
  rmSync(maildir, { recursive: true, force: true });
});

test('prints where it listens', () => {
  assert.match(demo.output.at(-1)!, /^listening on tcp:\d+:interface=127\.0\.0\.1$/);
});

test('swaks delivers into the recipient Maildir; mail for another domain is refused as relaying', async () => {
  const swaks = (to: string) =>
    run('swaks', [
      '--server',
      '127.0.0.1',
      '--port',
      String(demo.port),
      '--from',
      'a@x.test',
      '--to',
      to,
      '--body',
      'hi there',
    ]);
  const { stdout } = await swaks('ann@example.com');
  assert.match(stdout, /<- +250 2\.0\.0 Ok: queued/);
  const folder = join(maildir, 'example.com', 'ann', 'new');
  const [name] = readdirSync(folder);
  assert.match(readFileSync(join(folder, name!), 'utf8'), /^Return-Path: <a@x\.test>\n[\s\S]*hi there/);
  const refused = await swaks('bob@elsewhere.test').then(
    () => '',
    (error: { stdout: string }) => error.stdout,
  );
  assert.match(refused, /<\*\* +550 5\.7\.1 /);
});

test('a missing option or a bad --auth: one line naming it, exit 2; an unreadable certificate: exit 1', async () => {
  const noDomain = await runScript('demos/mail-server.ts', ['--maildir', maildir]);
  assert.equal(
    [noDomain.code, noDomain.stderr],
    [2, 'mail-server: at least one --domain NAME is required\n'],
  );
  const badAuth = await runScript('demos/mail-server.ts', [
    '--maildir',
    maildir,
    '--domain',
    'a.test',
    '--auth',
    'nopassword',
  ]);
  assert.equal(
    [badAuth.code, badAuth.stderr],
    [2, 'mail-server: --auth nopassword: expected name:password\n'],
  );
  const badCert = await runScript('demos/mail-server.ts', [
    ...['--maildir', maildir, '--domain', 'a.test'],
    ...['--tls-cert', '/nonexistent/cert.pem', '--listen', 'tcp:0:interface=127.0.0.1'],
  ]);
  assert.is(badCert.code, 1);
  assert.match(
    badCert.stderr,
    /^mail-server: cannot read the certificate or key: ENOENT[^\n]*\/nonexistent\/cert\.pem'\n$/,
  );
});

test.run();
