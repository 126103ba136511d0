import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { smtpUsers } from '../../../protocols/smtp/smtp-users.js';
import { logRecords$ } from '../../../source/log.js';
import { checkClean, connectedPair } from '../../../source/testing/index.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';
import { clientAddress, closeAll, harness, parseReplies } from './_server-harness.js';

const test = checkClean(suite('protocols/smtp/server-tls'));
test.after.each(closeAll);

const { key, cert } = throwawayCertificate();
const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A session over a memory pair (so that TLS can run on it), read as reply codes. */
function session(h: ReturnType<typeof harness>) {
  const pair = connectedPair({ clientAddress, server: { allowHalfOpen: true } });
  h.app.serve(pair.server);
  let text = '';
  pair.client.data$.subscribe({
    next: (chunk) => (text += Buffer.from(chunk).toString()),
    error: () => undefined,
  });
  const take = (): string[] => {
    const replies = parseReplies(text);
    text = '';
    return replies;
  };
  return {
    client: pair.client,
    async send(data: string): Promise<string[]> {
      pair.client.write(data);
      await pair.flush();
      return take();
    },
    async codes(data: string): Promise<number[]> {
      return (await this.send(data)).map((reply) => Number(reply.slice(0, 3)));
    },
    async close(): Promise<void> {
      pair.client.abort();
      await pair.flush();
    },
  };
}

test('STARTTLS: 220, what was pipelined after it in the clear is dropped, and a new EHLO is needed', async () => {
  const h = harness({ tls: { key, cert }, checker: smtpUsers({ alice: 'secret' }) });
  const s = session(h);
  const [, hello] = await s.send('EHLO a\r\n');
  assert.ok(hello!.includes('250-STARTTLS'));
  assert.not.ok(hello!.includes('AUTH'), 'no AUTH in the clear');
  assert.equal(await s.codes('AUTH PLAIN\r\n'), [538]);
  assert.equal(
    await s.codes('STARTTLS\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<b@example.com>\r\n'),
    [220],
    'the injected commands get no answer',
  );
  await s.client.startTLS({ ca: cert, servername: 'localhost' });
  assert.ok(s.client.secure);
  assert.equal(
    await s.codes('MAIL FROM:<a@b.example>\r\n'),
    [503],
    'EHLO is needed again; the injected MAIL was not taken',
  );
  const [secured] = await s.send('EHLO a\r\n');
  assert.ok(secured!.includes('250-AUTH PLAIN LOGIN'));
  assert.not.ok(secured!.includes('STARTTLS'));
  assert.equal(await s.codes('STARTTLS\r\n'), [503]);
  assert.equal(await s.codes(`AUTH PLAIN ${b64('\0alice\0secret')}\r\n`), [235]);
  await s.send('MAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhi\r\n.\r\n');
  assert.is(h.stored[0]!.message.protocol, 'ESMTPSA');
  assert.is(h.stored[0]!.message.user, 'alice');
  await s.close();
});

test('STARTTLS without tls is 502; AUTH without a checker 503', async () => {
  const h = harness();
  const s = session(h);
  await s.send('EHLO a\r\n');
  assert.equal(await s.codes('STARTTLS\r\nAUTH LOGIN\r\n'), [502, 503]);
  await s.close();
});

test('AUTH PLAIN and LOGIN (allowInsecureAuth), failures 535, abort 501, once only; no password in the logs', async () => {
  const h = harness({ checker: smtpUsers({ alice: 'secret' }), allowInsecureAuth: true });
  const logs: string[] = [];
  const subscription = logRecords$.subscribe((record) => logs.push(JSON.stringify(record)));
  const s = session(h);
  const [, hello] = await s.send('EHLO a\r\n');
  assert.ok(hello!.includes('250-AUTH PLAIN LOGIN'));
  assert.equal(await s.send(`AUTH PLAIN ${b64('\0alice\0wrong')}\r\n`), [
    '535 5.7.8 Error: authentication failed',
  ]);
  assert.equal(await s.send('AUTH PLAIN\r\n'), ['334 ']);
  assert.equal(await s.codes('*\r\n'), [501]);
  assert.equal(await s.codes('AUTH PLAIN\r\n!!!\r\n'), [334, 501]);
  assert.equal(
    await s.codes(`AUTH PLAIN ${b64('bob\0alice\0secret')}\r\n`),
    [535],
    'another authorization identity',
  );
  assert.equal(await s.codes('AUTH CRAM-MD5\r\n'), [504]);
  assert.equal(await s.send('AUTH LOGIN\r\n'), ['334 VXNlcm5hbWU6']);
  assert.equal(await s.send(`${b64('alice')}\r\n`), ['334 UGFzc3dvcmQ6']);
  assert.equal(await s.send(`${b64('secret')}\r\n`), ['235 2.7.0 Authentication successful']);
  assert.equal(await s.codes(`AUTH LOGIN ${b64('alice')}\r\n`), [503]);
  subscription.unsubscribe();
  assert.ok(logs.some((line) => line.includes('AUTH PLAIN failed for alice')));
  assert.not.ok(logs.some((line) => line.includes('wrong') || line.includes('secret')));
  await s.close();
});

test('a checker that fails answers 454 4.7.0', async () => {
  const h = harness({
    checker: () => Promise.reject(new Error('directory down')),
    allowInsecureAuth: true,
  });
  const subscription = logRecords$.subscribe(() => undefined);
  const s = session(h);
  await s.send('EHLO a\r\n');
  assert.equal(await s.codes(`AUTH PLAIN ${b64('\0alice\0secret')}\r\n`), [454]);
  subscription.unsubscribe();
  await s.close();
});

test.run();
