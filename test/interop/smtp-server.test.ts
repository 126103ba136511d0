import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { smtpServer } from '../../protocols/smtp/server.js';
import { smtpUsers } from '../../protocols/smtp/smtp-users.js';
import { type InetAddress, listen, type Server } from '../../source/index.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const run = promisify(execFile);
const test = suite('interop/smtp-server');

const root = mkdtempSync(join(tmpdir(), 'spindle-smtp-interop-'));
const { key, cert } = throwawayCertificate();
const ca = join(root, 'ca.pem');
writeFileSync(ca, cert);
let server: Server<InetAddress>;
let port = 0;

test.before(async () => {
  server = listen(
    'tcp:0:interface=127.0.0.1',
    smtpServer({
      domains: ['example.com'],
      maildir: join(root, 'mail'),
      hostname: 'mx.example',
      tls: { key, cert },
      checker: smtpUsers({ alice: 'secret' }),
    }),
  );
  port = (await server.address).port;
});

test.after(async () => {
  await server.close({ gracePeriod: 1 });
  rmSync(root, { recursive: true, force: true });
});

/** The messages in `user`'s Maildir new/, as text. */
function mailbox(user: string): string[] {
  const folder = join(root, 'mail', 'example.com', user, 'new');
  return readdirSync(folder).map((name) => readFileSync(join(folder, name), 'utf8'));
}

const swaks = (args: string[]) =>
  run('swaks', ['--server', '127.0.0.1', '--port', String(port), '--timeout', '20', ...args]);

test('swaks --pipeline delivers into the Maildir, with the trace headers', async () => {
  const { stdout } = await swaks([
    '--pipeline',
    '--from',
    'a@client.example',
    '--to',
    'swaks@example.com',
    '--body',
    'hello from swaks',
  ]);
  assert.match(stdout, /<- +250 2\.0\.0 Ok: queued as/);
  const [message] = mailbox('swaks');
  assert.match(
    message!,
    /^Return-Path: <a@client\.example>\nReceived: from .*\sby mx\.example \(Spindle\) with ESMTP id/s,
  );
  assert.match(message!, /hello from swaks/);
});

test('swaks --tls with --auth PLAIN and LOGIN; a wrong password is refused 535', async () => {
  for (const mechanism of ['PLAIN', 'LOGIN']) {
    const { stdout } = await swaks([
      '--tls',
      '--tls-ca-path',
      ca,
      '--auth',
      mechanism,
      '--auth-user',
      'alice',
      '--auth-password',
      'secret',
      '--from',
      'alice@example.com',
      '--to',
      `tls-${mechanism.toLowerCase()}@example.com`,
    ]);
    assert.match(stdout, /<~ +235 2\.7\.0/);
  }
  assert.match(mailbox('tls-plain')[0]!, /with ESMTPSA id/);
  const refused = await swaks([
    '--tls',
    '--auth',
    'PLAIN',
    '--auth-user',
    'alice',
    '--auth-password',
    'nope',
    '--to',
    'x@example.com',
  ]).catch((error: { stdout: string }) => error);
  assert.match((refused as { stdout: string }).stdout, /535 5\.7\.8/);
});

test('swaks to a foreign domain is refused 550 5.7.1', async () => {
  const refused = await swaks(['--to', 'victim@elsewhere.example']).catch(
    (error: { stdout: string }) => error,
  );
  assert.match(
    (refused as { stdout: string }).stdout,
    /550 5\.7\.1 <victim@elsewhere\.example>: Relay access denied/,
  );
});

test("Python's smtplib: starttls(), login() and send_message()", async () => {
  const script = `
import smtplib, ssl, sys
from email.message import EmailMessage
context = ssl.create_default_context(cafile=sys.argv[2])
context.check_hostname = False
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20) as smtp:
    smtp.starttls(context=context)
    smtp.login('alice', 'secret')
    message = EmailMessage()
    message['From'] = 'alice@example.com'
    message['To'] = 'python@example.com'
    message['Subject'] = 'from smtplib'
    message.set_content('héllo\\n.leading dot\\n')
    smtp.send_message(message)
print('sent')
`;
  const { stdout } = await run('/usr/bin/python3', ['-c', script, String(port), ca]);
  assert.is(stdout.trim(), 'sent');
  const [message] = mailbox('python');
  assert.match(message!, /Subject: from smtplib\n/);
  assert.match(message!, /\n\.leading dot\n/);
});

test('curl smtp:// uploads a file', async () => {
  const file = join(root, 'upload.eml');
  writeFileSync(file, 'From: c@client.example\r\nSubject: from curl\r\n\r\nline one\r\n.dot line\r\n');
  await run('curl', [
    '--silent',
    '--show-error',
    '--max-time',
    '20',
    `smtp://127.0.0.1:${port}`,
    '--mail-from',
    'c@client.example',
    '--mail-rcpt',
    'curl@example.com',
    '-T',
    file,
  ]);
  const [message] = mailbox('curl');
  assert.match(message!, /Subject: from curl\n\nline one\n\.dot line\n$/);
});

test.run();
