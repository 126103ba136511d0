import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sendMail } from '../../../protocols/smtp/send-mail.js';
import { smtpServer } from '../../../protocols/smtp/server.js';
import { SMTPError } from '../../../protocols/smtp/smtp-error.js';
import { smtpUsers } from '../../../protocols/smtp/smtp-users.js';
import { listen } from '../../../source/endpoints.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { rejectionOf } from '../../support/failure-of.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';

const test = checkClean(suite('protocols/smtp/client-to-server'));
const { key, cert } = throwawayCertificate();

/** Spindle's SMTP server on 127.0.0.1 with STARTTLS and AUTH, delivering into a temporary Maildir. */
async function withServer(body: (port: number, maildir: string) => Promise<void>): Promise<void> {
  const maildir = mkdtempSync(join(tmpdir(), 'spindle-smtp-both-'));
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    smtpServer({
      domains: ['example.com'],
      maildir,
      tls: { key, cert },
      checker: smtpUsers({ ann: 'secret' }),
    }),
  );
  try {
    const { port } = await server.address;
    await body(port, maildir);
  } finally {
    await server.close();
    rmSync(maildir, { recursive: true, force: true });
  }
}

const message = 'Subject: both ends Spindle\r\n\r\n.a line that starts with a dot\r\nbye\r\n';

test('the Spindle client sends to the Spindle server over STARTTLS with AUTH; the message lands whole', async () => {
  await withServer(async (port, maildir) => {
    const result = await sendMail({
      from: 'me@client.test',
      to: ['ann@example.com', 'bob@example.com'],
      message,
      host: '127.0.0.1',
      port,
      tls: 'starttls',
      tlsOptions: { ca: cert, servername: 'localhost' },
      auth: { user: 'ann', password: 'secret' },
    });
    assert.equal(
      result.recipients.map((recipient) => [recipient.address, recipient.accepted]),
      [
        ['ann@example.com', true],
        ['bob@example.com', true],
      ],
    );
    assert.is(result.reply.code, 250);
    for (const user of ['ann', 'bob']) {
      const folder = join(maildir, 'example.com', user, 'new');
      const [name] = readdirSync(folder);
      const stored = readFileSync(join(folder, name!), 'utf8');
      assert.match(stored, /^Return-Path: <me@client\.test>\n/);
      assert.match(stored, /with ESMTPSA id/, 'encrypted and authenticated');
      assert.match(
        stored,
        /\n\n\.a line that starts with a dot\nbye\n$/,
        'dot-stuffed on the way, unstuffed on arrival',
      );
    }
  });
});

test('a wrong password is refused 535; a foreign domain is refused 550 as relaying', async () => {
  await withServer(async (port) => {
    const common = { from: 'me@client.test', message, host: '127.0.0.1', port, tls: 'starttls' as const };
    const tlsOptions = { ca: cert, servername: 'localhost' };
    const wrong = await rejectionOf(
      sendMail({ ...common, to: 'ann@example.com', tlsOptions, auth: { user: 'ann', password: 'nope' } }),
    );
    assert.instance(wrong, SMTPError);
    assert.is((wrong as SMTPError).replyCode, 535);
    const relay = await rejectionOf(sendMail({ ...common, to: 'x@elsewhere.test', tlsOptions }));
    assert.instance(relay, SMTPError);
    assert.is((relay as SMTPError).replyCode, 550);
  });
});

test.run();
