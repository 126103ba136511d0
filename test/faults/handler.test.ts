/**
 * Faults: user code that throws or never answers.
 * - HTTP: a handler that throws, rejects, fails its Deferred or returns no response gets the
 *   client a 500 with no detail, logged once as an error, and the keep-alive connection serves
 *   the next request; one that never answers has no deadline (the handler's time is its own):
 *   the client going away aborts its `request.signal`, and closing the server gives it the grace
 *   period, then drops the connection.
 * - SMTP: a delivery hook that throws, fails or refuses gets 451 4.3.0, 452 4.3.1 or its own
 *   reply, one that takes longer than `deliveryTimeout` 451 4.3.0; never a 250, and the session
 *   goes on.
 * - FTP: a file system that throws rather than rejects gets 451, and the session goes on.
 * Elsewhere: a DNS forwarder that throws gives SERVFAIL (protocols/dns/server.test.ts); an FTP or
 * SMTP checker that throws refuses the login (protocols/ftp/server.test.ts, smtp/server-tls.test.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MaildirError } from '../../protocols/smtp/maildir-error.js';
import { Deferred, fail } from '../../source/deferred.js';
import { logRecords$ } from '../../source/log.js';
import { checkClean } from '../../source/testing/index.js';
import { harness as ftpHarness } from '../protocols/ftp/_server-harness.js';
import { closeAll, settle, harness as smtpHarness } from '../protocols/smtp/_server-harness.js';
import { loudRecords } from '../support/loud-records.js';
import { memoryHttp } from '../support/memory-http.js';

const test = checkClean(suite('faults/handler'));
test.after.each(closeAll);

test('HTTP: a handler that throws, rejects, fails its Deferred or answers nothing usable: 500, no detail, logged, and the connection serves the next request', async () => {
  const failures: (() => unknown)[] = [
    () => {
      throw new Error('secret detail: the database password is hunter2');
    },
    () => Promise.reject(new Error('rejected')),
    () => fail(new Error('failed Deferred')),
    () => undefined,
    () => ({ status: 99 }),
  ];
  let n = 0;
  const h = memoryHttp(() => (n < failures.length ? failures[n++]!() : { body: 'fine\n' }) as never);
  const logged = await loudRecords(async () => {
    for (let i = 0; i < failures.length; i++) {
      const response = await h.agent.request('GET', `http://example.test/${i}`);
      assert.is(response.status, 500, `failure ${i}`);
      assert.not.match(await response.text(), 'hunter2');
    }
  });
  const last = await h.agent.request('GET', 'http://example.test/ok');
  assert.is(await last.text(), 'fine\n');
  assert.is(h.reactor.connects.length, 1, 'one keep-alive connection served them all');
  assert.is(logged.length, failures.length, 'each logged once');
  assert.ok(logged.every((record) => record.level === 'error' && record.namespace === 'spindle.http.server'));
  await h.agent.closeCachedConnections();
  await h.server.close({ gracePeriod: 0 });
  await h.reactor.flush();
});

test('HTTP: a handler that never answers has no deadline; the client leaving aborts its signal, and the exchange is logged not completed', async () => {
  const signals: AbortSignal[] = [];
  const h = memoryHttp((request) => {
    signals.push(request.signal);
    return new Deferred(); // never fires
  });
  const abort = new AbortController();
  const asked = h.agent
    .request('GET', 'http://example.test/slow', { signal: abort.signal, headTimeout: 7200 })
    .then(() => 'answered')
    .catch((error: unknown) => (error as Error).name);
  await h.reactor.flush();
  h.clock.advance(3600);
  await h.reactor.flush();
  assert.is(signals.length, 1);
  assert.not.ok(signals[0]!.aborted, 'an hour on, still its own time');
  abort.abort();
  assert.is(await asked, 'CancelledError');
  await h.reactor.flush();
  assert.ok(signals[0]!.aborted, 'the handler hears the client left');
  assert.equal(
    h.records.map((record) => record.completed),
    [false],
  );
  await h.server.close({ gracePeriod: 0 });
});

test('HTTP: closing the server gives a handler that never answers the grace period, then drops its connection', async () => {
  const signals: AbortSignal[] = [];
  const h = memoryHttp((request) => {
    signals.push(request.signal);
    return new Deferred();
  });
  const asked = h.agent
    .request('GET', 'http://example.test/slow')
    .then(() => 'answered')
    .catch((error: unknown) => (error as Error).name);
  await h.reactor.flush();
  const closed = h.server.close({ gracePeriod: 10 });
  h.clock.advance(9.9);
  await h.reactor.flush();
  assert.is(h.server.connections.size, 1, 'in its grace period');
  h.clock.advance(0.1);
  await h.reactor.flush();
  await closed;
  assert.is(h.server.connections.size, 0);
  assert.ok(signals[0]!.aborted);
  assert.is(await asked, 'ConnectionLost');
});

test('SMTP: a delivery hook that throws, reports a full disk or refuses: 451 4.3.0, 452 4.3.1 or its reply; the session goes on', async () => {
  const outcomes = [
    () => Promise.reject(new Error('disk on fire')),
    () => Promise.reject(new MaildirError('no-space', 'full')),
    () => ({ code: 554, enhanced: '5.7.1', text: 'Rejected by policy' }),
    () => {
      throw new Error('a synchronous bug');
    },
  ];
  let n = 0;
  const h = smtpHarness({
    deliver: async (message) => {
      await message.body.readAll();
      return outcomes[n++]!();
    },
  });
  const logs: string[] = [];
  const subscription = logRecords$.subscribe((record) => logs.push(record.message));
  const c = h.connect();
  await c.send('EHLO a\r\n');
  c.replies();
  const transaction = 'MAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhi\r\n.\r\n';
  await c.send(transaction.repeat(outcomes.length));
  subscription.unsubscribe();
  const last = c.replies().filter((reply) => !reply.startsWith('250 2.1') && !reply.startsWith('354'));
  assert.equal(last, [
    '451 4.3.0 Error: local error in processing',
    '452 4.3.1 Error: insufficient system storage',
    '554 5.7.1 Rejected by policy',
    '451 4.3.0 Error: local error in processing',
  ]);
  assert.ok(logs.some((line) => line.includes('failed')));
  assert.equal(await c.codes('NOOP'), [250]);
});

test('SMTP: a delivery that takes more than deliveryTimeout (600 s) is answered 451 4.3.0, and the session goes on', async () => {
  let finish: (() => void) | undefined;
  const h = smtpHarness({
    deliver: async (message) => {
      await message.body.readAll();
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    },
  });
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhi\r\n.\r\nNOOP\r\n');
  assert.equal(c.replies().slice(-1), ['354 End data with <CR><LF>.<CR><LF>']);
  h.clock.advance(599.9);
  await settle();
  assert.equal(c.replies(), [], 'no answer yet');
  h.clock.advance(0.1);
  await settle();
  assert.equal(c.replies(), ['451 4.3.0 Error: timeout while storing the message', '250 2.0.0 Ok']);
  finish!();
  await settle();
  assert.equal(c.replies(), [], 'a late delivery is not acknowledged after all');
  assert.equal(await c.codes('QUIT'), [221]);
});

test('FTP: a file system that throws rather than rejects: 451, logged, and the session goes on', async () => {
  const h = ftpHarness();
  h.fs.addFile('/a.txt', 'a');
  const c = h.connect();
  await c.login();
  h.fs.delete = () => {
    throw new Error('a synchronous bug');
  };
  const logged = await loudRecords(async () => {
    assert.equal(await c.codes('DELE /a.txt'), [451]);
  });
  assert.is(logged.length, 1);
  assert.equal(await c.codes('SIZE /a.txt'), [213]);
  await c.command('QUIT');
});

test.run();
