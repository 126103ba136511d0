import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sendMail } from '../../protocols/smtp/send-mail.js';
import { SMTPClientError, SMTPError } from '../../protocols/smtp/smtp-error.js';
import { CertificateError } from '../../source/errors.js';
import { reactor } from '../../source/reactor.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { type AiosmtpdPeer, startAiosmtpd } from '../support/aiosmtpd-peer.js';
import { rejectionOf } from '../support/failure-of.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const test = checkClean(suite('interop/smtp-client'), { reactors: [reactor] });
const certificate = throwawayCertificate();

/** Runs `body` with aiosmtpd (plain, or with STARTTLS and AUTH), stopped by its PID after. */
async function withAiosmtpd(
  options: { tls?: boolean; auth?: { user: string; password: string } },
  body: (peer: AiosmtpdPeer) => Promise<void>,
): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'spindle-aiosmtpd-'));
  const peer = await startAiosmtpd({
    ...(options.tls === true && { tls: { certificate, scratch } }),
    ...(options.auth !== undefined && { auth: options.auth }),
  });
  try {
    await body(peer);
  } finally {
    await peer.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

test('aiosmtpd takes a message in the clear: envelope, pipelined recipients, dot-stuffed lines back as they were', async () => {
  await withAiosmtpd({}, async (peer) => {
    const message = 'From: ann@a.test\nSubject: interop\n\n.a line with a dot\n..and two\nend\n';
    const result = await sendMail({
      from: 'ann@a.test',
      to: ['bob@b.test', 'carol@b.test'],
      message,
      host: '127.0.0.1',
      port: peer.port,
      tls: 'none',
    });
    assert.is(result.reply.code, 250);
    assert.equal(
      result.recipients.map((r) => r.accepted),
      [true, true],
    );
    const [taken] = peer.messages();
    assert.is(taken?.from, 'ann@a.test');
    assert.equal(taken?.to, ['bob@b.test', 'carol@b.test']);
    assert.is(taken?.data.toString('utf8'), message.replaceAll('\n', '\r\n'));
  });
});

test('aiosmtpd takes a streamed 8-bit message declared BODY=8BITMIME, and SMTPUTF8 addresses', async () => {
  await withAiosmtpd({}, async (peer) => {
    async function* body() {
      yield 'Subject: caf\u00e9\r\n\r\n';
      for (let n = 0; n < 2000; n++) yield `line ${n}: na\u00efve\r\n`;
    }
    const result = await sendMail({
      from: 'ann@a.test',
      to: 'j\u00f6s\u00e9@b.test',
      message: body(),
      host: '127.0.0.1',
      port: peer.port,
      tls: 'none',
    });
    assert.is(result.reply.code, 250);
    const [taken] = peer.messages();
    assert.equal(taken?.options, ['BODY=8BITMIME', 'SMTPUTF8']);
    assert.equal(taken?.to, ['j\u00f6s\u00e9@b.test']);
    const text = taken!.data.toString('utf8');
    assert.ok(text.startsWith('Subject: caf\u00e9\r\n\r\nline 0: na\u00efve\r\n'));
    assert.ok(text.endsWith('line 1999: na\u00efve\r\n'));
  });
});

test('STARTTLS and AUTH with aiosmtpd: the certificate verified, the credentials checked', async () => {
  const auth = { user: 'ann', password: 's3cret' };
  await withAiosmtpd({ tls: true, auth }, async (peer) => {
    const options = {
      from: 'ann@a.test',
      to: 'bob@b.test',
      message: 'Subject: secure\r\n\r\nover TLS\r\n',
      host: '127.0.0.1',
      port: peer.port,
      tls: 'starttls',
      tlsOptions: { ca: certificate.cert },
    } as const;
    const result = await sendMail({ ...options, auth });
    assert.is(result.reply.code, 250);
    assert.is(peer.messages()[0]?.data.toString(), 'Subject: secure\r\n\r\nover TLS\r\n');

    const wrong = await rejectionOf(sendMail({ ...options, auth: { user: 'ann', password: 'wrong' } }));
    assert.instance(wrong, SMTPError);
    assert.is((wrong as SMTPError).replyCode, 535);
    assert.is((wrong as SMTPError).command, 'AUTH PLAIN');

    const unauthenticated = await rejectionOf(sendMail(options));
    assert.instance(unauthenticated, SMTPError);
    assert.is((unauthenticated as SMTPError).replyCode, 530, 'aiosmtpd wants AUTH first');

    const unverified = await rejectionOf(sendMail({ ...options, tlsOptions: {}, auth }));
    assert.instance(unverified, CertificateError);
    assert.is(peer.messages().length, 1);
  });
});

test('aiosmtpd without STARTTLS: a client that requires it sends nothing', async () => {
  await withAiosmtpd({}, async (peer) => {
    const error = await rejectionOf(
      sendMail({
        from: 'a@a.test',
        to: 'b@b.test',
        message: 'x',
        host: '127.0.0.1',
        port: peer.port,
        tls: 'starttls',
      }),
    );
    assert.instance(error, SMTPClientError);
    assert.is((error as SMTPClientError).reason, 'starttls');
    assert.equal(peer.messages(), []);
  });
});

test.run();
