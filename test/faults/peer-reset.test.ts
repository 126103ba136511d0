/**
 * Faults: the peer resets in the middle of a body. An HTTP request body (a Spindle client
 * aborting its upload to a Spindle server), an HTTP response body read by the client (the
 * server's stream failing after it began), an FTP upload's data connection, and SMTP DATA into a
 * Maildir: the body fails with the reset, nothing is acknowledged or kept (under the real name or
 * in a temporary file), no descriptor, connection or Deferred is left behind, nothing is logged as
 * the server's error, and the server goes on serving.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { concat, finalize, NEVER, of, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NodeFileSystem } from '../../protocols/ftp/node-file-system.js';
import { CancelledError, ConnectionLost } from '../../source/errors.js';
import { checkClean } from '../../source/testing/index.js';
import { dataConnection, harness as ftpHarness } from '../protocols/ftp/_server-harness.js';
import { closeAll, settle, harness as smtpHarness } from '../protocols/smtp/_server-harness.js';
import { descriptorsUnder } from '../support/descriptors.js';
import { loudRecords } from '../support/loud-records.js';
import { memoryHttp } from '../support/memory-http.js';

const test = checkClean(suite('faults/peer-reset'));

let folder = '';
test.before.each(() => {
  folder = mkdtempSync(join(tmpdir(), 'spindle-reset-'));
});
test.after.each(() => {
  closeAll();
  rmSync(folder, { recursive: true, force: true });
});

/** Turns the event loop until `ready()` holds (5 s at most: the disk, or memory connections). */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !ready(); ) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await turn();
  }
}

test('HTTP: a client that resets in the middle of its upload: the body fails with ConnectionLost, nothing is acknowledged', async () => {
  const stored: string[] = [];
  const outcomes: string[] = [];
  const h = memoryHttp(async (request) => {
    const chunks: string[] = [];
    try {
      for await (const chunk of request.body) chunks.push(Buffer.from(chunk).toString());
    } catch (error) {
      outcomes.push(`${(error as Error).name} after ${chunks.join('')}`);
      throw error;
    }
    stored.push(chunks.join('')); // kept, and acknowledged with the 201, only once whole
    return { status: 201, body: 'stored\n' };
  });
  const abort = new AbortController();
  async function* upload() {
    yield 'first part, ';
    yield 'second part';
    await new Promise(() => undefined); // the client stops sending, then gives up
  }
  const logged = await loudRecords(async () => {
    const request = h.agent.request('POST', 'http://example.test/upload', {
      body: upload(),
      signal: abort.signal,
    });
    const failed = request.then(
      () => 'answered',
      (error: unknown) => (error as Error).name,
    );
    await until(
      () => outcomes.length > 0 || h.records.length > 0 || h.server.connections.size > 0,
      'the upload',
    );
    await h.reactor.flush();
    abort.abort();
    assert.is(await failed, CancelledError.name);
    await until(() => outcomes.length > 0, 'the handler to hear of it');
    await h.reactor.flush();
  });
  assert.equal(outcomes, [`${ConnectionLost.name} after first part, second part`]);
  assert.equal(stored, []);
  assert.equal(
    h.records.map((record) => [record.completed, record.status]),
    [[false, 0]],
    'not completed: no answer went out',
  );
  assert.is(h.server.connections.size, 0);
  assert.equal(logged, [], 'a client going away is no error of the server');
  await h.done();
});

test('HTTP: a server whose response stream fails after it began resets the connection: the client body fails, the next request is served', async () => {
  const file = new Subject<string>();
  let calls = 0;
  const h = memoryHttp(() => (++calls === 1 ? { body: file } : { body: 'whole\n' }));
  const answered = h.agent.request('GET', 'http://example.test/file');
  await until(() => file.observed, 'the response to start');
  file.next('first chunk, ');
  const response = await answered;
  assert.is(response.status, 200, 'the head was out before the stream failed');
  const chunks: string[] = [];
  let failure: unknown;
  const logged = await loudRecords(async () => {
    try {
      for await (const chunk of response.body) {
        chunks.push(Buffer.from(chunk).toString());
        file.error(new Error('the disk under the file failed'));
      }
    } catch (error) {
      failure = error;
    }
    await h.reactor.flush();
  });
  assert.equal(chunks.join(''), 'first chunk, ', 'what came, and never a whole body');
  assert.instance(failure, ConnectionLost, 'the body fails with the reset');
  assert.is(logged.length, 1, 'the server logs its own failure once');
  assert.is(h.agent.pool.stats('http://example.test:80').idle, 0, 'the broken connection is not kept');
  assert.is(await (await h.agent.request('GET', 'http://example.test/again')).text(), 'whole\n');
  await h.done();
});

test('HTTP: a client that resets while the response streams: the server stops its stream, and logs nothing', async () => {
  let unsubscribed = false;
  const h = memoryHttp(() => ({
    body: concat(of('first chunk, '), NEVER).pipe(
      finalize(() => {
        unsubscribed = true;
      }),
    ),
  }));
  const abort = new AbortController();
  const logged = await loudRecords(async () => {
    const response = await h.agent.request('GET', 'http://example.test/stream', { signal: abort.signal });
    const reading = response.text().then(
      () => 'whole',
      (error: unknown) => (error as Error).name,
    );
    await h.reactor.flush();
    abort.abort();
    assert.is(await reading, CancelledError.name);
    await until(() => unsubscribed, 'the stream to be stopped');
  });
  assert.equal(logged, []);
  assert.equal(
    h.records.map((record) => record.completed),
    [false],
  );
  await h.done();
});

test('FTP: a data connection reset in the middle of STOR to disk: 426, nothing under the name nor a temporary file, no descriptor open', async () => {
  const h = ftpHarness({ fileSystem: new NodeFileSystem(folder) });
  const c = h.connect();
  await c.login();
  const data = dataConnection(h.reactor, await c.passive());
  await c.send('STOR upload.bin\r\n');
  data.write('x'.repeat(200_000));
  await until(() => readdirSync(folder).length > 0, 'the temporary file');
  data.abort();
  const codes: number[] = [];
  await until(() => {
    codes.push(...c.replies().map((reply) => reply.code));
    return codes.includes(426);
  }, 'the 426');
  await until(() => readdirSync(folder).length === 0, 'the temporary file to go');
  assert.equal(codes, [125, 426]);
  assert.equal(descriptorsUnder(folder), []);
  assert.equal(await c.codes('NOOP'), [200], 'the session goes on');
  await c.command('QUIT');
});

test('SMTP: a client that resets in the middle of DATA into a Maildir: no reply, nothing in tmp/ or new/, no descriptor open', async () => {
  const h = smtpHarness({ maildir: folder });
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n');
  await c.send(`Subject: half\r\n\r\n${'line of the message\r\n'.repeat(5000)}`);
  const tmp = join(folder, 'example.com/bob/tmp');
  await until(() => {
    try {
      return readdirSync(tmp).length > 0;
    } catch {
      return false;
    }
  }, 'the message to be on its way to disk');
  c.replies();
  c.transport.loseConnection(new ConnectionLost('connection reset by peer'));
  await until(() => readdirSync(tmp).length === 0, 'the temporary file to go');
  await settle();
  assert.equal(c.replies(), [], 'nothing acknowledged');
  assert.equal(readdirSync(join(folder, 'example.com/bob/new')), []);
  assert.equal(descriptorsUnder(folder), []);
  const d = h.connect();
  await d.send('EHLO a\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nhi\r\n.\r\n');
  assert.match((await d.waitFor('250 2.0.0')).pop()!, /queued/, 'the server goes on');
});

test.run();
