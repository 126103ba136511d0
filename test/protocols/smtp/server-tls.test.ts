import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { smtpUsers } from '../../../protocols/smtp/smtp-users.js';
import { logRecords$ } from '../../../source/log.js';
import { checkClean } from '../../../source/testing/index.js';
import { closeAll, harness, pairedSession } from './_server-harness.js';

const test = checkClean(suite('protocols/smtp/server-tls'));
test.after.each(closeAll);

const b64 = (text: string): string => Buffer.from(text).toString('base64');

test('STARTTLS without tls is 502; AUTH without a checker 503', async () => {
  const h = harness();
  const s = pairedSession(h);
  await s.send('EHLO a\r\n');
  assert.equal(await s.codes('STARTTLS\r\nAUTH LOGIN\r\n'), [502, 503]);
  await s.close();
});

test('AUTH PLAIN and LOGIN (allowInsecureAuth), failures 535, abort 501, once only; no password in the logs', async () => {
  const h = harness({ checker: smtpUsers({ alice: 'secret' }), allowInsecureAuth: true });
  const logs: string[] = [];
  const subscription = logRecords$.subscribe((record) => logs.push(JSON.stringify(record)));
  const s = pairedSession(h);
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
  const s = pairedSession(h);
  await s.send('EHLO a\r\n');
  assert.equal(await s.codes(`AUTH PLAIN ${b64('\0alice\0secret')}\r\n`), [454]);
  subscription.unsubscribe();
  await s.close();
});

test.run();
