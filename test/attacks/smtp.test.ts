/**
 * Attacks on the SMTP server (`smtpServer`), each with the refusal it must meet:
 * - open relay: a recipient in any domain but the server's own, however spelled (source routes,
 *   address literals, look-alike and sub-domains) is refused 550 5.7.1; local parts that once
 *   routed mail on (`%`, `!`, quoted `@`) are mailboxes here, never relayed;
 * - SMTP smuggling (_smuggling-corpus.ts): `<LF>.<CR><LF>`, `<CR><LF>.<LF>` and every bare CR
 *   or LF variant never end DATA; the message is refused after its real end, and the smuggled
 *   transaction never runs;
 * - STARTTLS command injection (CVE-2011-0411): what is pipelined after STARTTLS in the clear is
 *   dropped; AUTH is offered and taken only once the connection is secure.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { smtpUsers } from '../../protocols/smtp/smtp-users.js';
import { checkClean } from '../../source/testing/index.js';
import { closeAll, harness, pairedSession, settle } from '../protocols/smtp/_server-harness.js';
import { smugglingCases, smugglingText } from '../protocols/smtp/_smuggling-corpus.js';
import { chunkings } from '../support/chunkings.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const test = checkClean(suite('attacks/smtp'));
test.after.each(closeAll);

test('open relay: a recipient outside example.com is refused 550 5.7.1, however spelled; the message goes to the local ones only', async () => {
  const h = harness();
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\n');
  c.replies();
  for (const recipient of [
    'x@other.example',
    'x@example.com.evil.example',
    'x@evilexample.com',
    'x@sub.example.com',
    'x@localhost',
    'x@[192.0.2.1]',
    'x@[127.0.0.1]',
    'x@[IPv6:::1]',
    '@example.com:x@evil.example', // a source route through us
    '@example.com,@relay.example:x@evil.example',
  ]) {
    const [reply] = await c.command(`RCPT TO:<${recipient}>`);
    assert.match(reply!, /^550 5\.7\.1 <.*>: Relay access denied$/, recipient);
  }
  assert.equal(await c.codes('RCPT TO:<x@evil.example@example.com>'), [501], 'two @: no address');
  for (const local of [
    'x%evil.example@example.com',
    'evil.example!x@example.com',
    '"x@evil.example"@example.com',
  ]) {
    assert.equal(await c.codes(`RCPT TO:<${local}>`), [250], `${local}: a local mailbox`);
  }
  await c.send('DATA\r\nSubject: hi\r\n\r\nhi\r\n.\r\n');
  assert.match(c.replies().at(-1)!, /^250 2\.0\.0 Ok: queued/);
  assert.equal(h.stored[0]!.message.recipients, [
    'x%evil.example@example.com',
    'evil.example!x@example.com',
    '"x@evil.example"@example.com',
  ]);
});

test('open relay: a transaction with only foreign recipients has nobody to send to: DATA is refused 554', async () => {
  const h = harness();
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@other.example>\r\n');
  c.replies();
  assert.equal(await c.command('DATA'), ['554 5.5.1 Error: no valid recipients']);
  await c.send('Subject: relayed?\r\n\r\nhi\r\n.\r\n');
  assert.is(h.stored.length, 0);
});

for (const { name, separator, refused } of smugglingCases) {
  test(`smuggling: ${name} in DATA: ${refused ? 'refused 550 5.5.2' : 'kept as text'}, the smuggled transaction never runs`, async () => {
    const input = Buffer.from(
      `EHLO a\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n${smugglingText(separator)}QUIT\r\n`,
    );
    for (const { label, chunks } of [...chunkings(input)].filter((_, n) => n % 7 === 0)) {
      const h = harness();
      const c = h.connect();
      for (const chunk of chunks) c.transport.receive(chunk);
      await settle();
      const replies = c.replies().map((reply) => reply.slice(0, 3));
      assert.equal(replies, ['220', '250', '250', '250', '354', refused ? '550' : '250', '221'], label);
      assert.is(h.stored.length, refused ? 0 : 1, label);
      if (!refused) assert.ok(h.stored[0]!.text.includes('MAIL FROM:<admin@example.com>'), 'kept as text');
    }
  });
}

const { key, cert } = throwawayCertificate();
const b64 = (text: string): string => Buffer.from(text).toString('base64');

test('STARTTLS injection: what was pipelined after STARTTLS in the clear is dropped, and a new EHLO is needed', async () => {
  const h = harness({ tls: { key, cert }, checker: smtpUsers({ alice: 'secret' }) });
  const s = pairedSession(h);
  await s.send('EHLO a\r\n');
  assert.equal(
    await s.codes('STARTTLS\r\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n'),
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
  await s.send('EHLO a\r\n');
  assert.equal(await s.codes('RCPT TO:<b@example.com>\r\n'), [503], 'no injected transaction under way');
  assert.equal(await s.codes('STARTTLS\r\n'), [503], 'once only');
  assert.is(h.stored.length, 0);
  await s.close();
});

test('AUTH only after TLS: not offered in the clear, refused 538 there, offered and taken once secure', async () => {
  const h = harness({ tls: { key, cert }, checker: smtpUsers({ alice: 'secret' }) });
  const s = pairedSession(h);
  const [, hello] = await s.send('EHLO a\r\n');
  assert.ok(hello!.includes('250-STARTTLS'));
  assert.not.ok(hello!.includes('AUTH'), 'no AUTH in the clear');
  assert.equal(await s.codes(`AUTH PLAIN ${b64('\0alice\0secret')}\r\n`), [538]);
  assert.equal(await s.codes('AUTH LOGIN\r\n'), [538]);
  await s.codes('STARTTLS\r\n');
  await s.client.startTLS({ ca: cert, servername: 'localhost' });
  const [secured] = await s.send('EHLO a\r\n');
  assert.ok(secured!.includes('250-AUTH PLAIN LOGIN'));
  assert.not.ok(secured!.includes('STARTTLS'));
  assert.equal(await s.codes(`AUTH PLAIN ${b64('\0alice\0secret')}\r\n`), [235]);
  await s.send('MAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhi\r\n.\r\n');
  assert.is(h.stored[0]!.message.protocol, 'ESMTPSA');
  assert.is(h.stored[0]!.message.user, 'alice');
  await s.close();
});

test.run();
