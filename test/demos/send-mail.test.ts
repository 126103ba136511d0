import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AiosmtpdPeer, startAiosmtpd } from '../support/aiosmtpd-peer.js';
import { runScript } from '../support/demo-process.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const test = suite('demos/send-mail');
const certificate = throwawayCertificate();
const scratch = mkdtempSync(join(tmpdir(), 'spindle-send-mail-'));
const caFile = join(scratch, 'ca.pem');
writeFileSync(caFile, certificate.cert);
let plain: AiosmtpdPeer;
let secure: AiosmtpdPeer;

test.before(async () => {
  plain = await startAiosmtpd();
  secure = await startAiosmtpd({ tls: { certificate, scratch }, auth: { user: 'ann', password: 's3cret' } });
});

test.after(async () => {
  await plain.stop();
  await secure.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs the demo with `args` and `input` on its stdin, to its end. */
const sendMailDemo = (args: readonly string[], input: string) =>
  runScript('demos/send-mail.ts', args, 20, input);

test('sends stdin to the server and prints each recipient, exit 0', async () => {
  const run = await sendMailDemo(
    [
      '--from',
      'ann@a.test',
      '--to',
      'bob@b.test',
      '--to',
      'carol@b.test',
      '--server',
      `127.0.0.1:${plain.port}`,
    ],
    'Subject: demo\n\n.a dotted line\nhello\n',
  );
  assert.is(run.stderr, '');
  assert.is(run.code, 0);
  assert.equal(run.stdout.trim().split('\n'), [
    'accepted bob@b.test: 250 OK',
    'accepted carol@b.test: 250 OK',
    `sent to 127.0.0.1 (127.0.0.1 port ${plain.port}): 250 2.0.0 OK: queued`,
  ]);
  const [taken] = plain.messages();
  assert.equal(taken?.to, ['bob@b.test', 'carol@b.test']);
  assert.is(taken?.data.toString(), 'Subject: demo\r\n\r\n.a dotted line\r\nhello\r\n');
});

test('--starttls --ca --auth: over TLS, logged in', async () => {
  const args = [
    '--from',
    'ann@a.test',
    '--to',
    'bob@b.test',
    '--server',
    `127.0.0.1:${secure.port}`,
    '--starttls',
  ];
  const run = await sendMailDemo([...args, '--ca', caFile, '--auth', 'ann:s3cret'], 'Subject: tls\n\nhi\n');
  assert.is(run.code, 0, run.stderr);
  assert.is(secure.messages().length, 1);
  const refused = await sendMailDemo([...args, '--ca', caFile, '--auth', 'ann:wrong'], 'x\n');
  assert.is(refused.code, 1);
  assert.is(refused.stderr, 'send-mail: AUTH PLAIN: 535 5.7.8 Authentication credentials invalid\n');
});

test('a failure is one line on stderr and exit 1; bad options exit 2', async () => {
  const noTls = await sendMailDemo(
    ['--from', 'a@a.test', '--to', 'b@b.test', '--server', `127.0.0.1:${plain.port}`, '--starttls'],
    'x\n',
  );
  assert.is(noTls.code, 1);
  assert.is(noTls.stderr, 'send-mail: the SMTP server does not offer STARTTLS\n');
  for (const args of [
    ['--to', 'b@b.test'],
    ['--from', 'a@a.test', '--to', 'b@b.test', '--server', 'nowhere'],
    ['--bogus'],
  ]) {
    const run = await sendMailDemo(args, '');
    assert.is(run.code, 2, args.join(' '));
    assert.match(run.stderr, /^send-mail: .*\nusage: send-mail /);
  }
});

test.run();
