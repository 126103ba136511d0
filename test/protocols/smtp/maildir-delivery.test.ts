import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { maildirDelivery } from '../../../protocols/smtp/maildir-delivery.js';
import type { SmtpDelivery } from '../../../protocols/smtp/smtp-hooks.js';
import { logRecords$ } from '../../../source/log.js';
import { checkClean } from '../../../source/testing/index.js';
import { canMountTmpfs, smallTmpfs } from '../../support/small-tmpfs.js';
import { closeAll, harness, settle } from './_server-harness.js';

const test = checkClean(suite('protocols/smtp/maildir-delivery'));
let root = '';
test.before.each(() => {
  root = mkdtempSync(join(tmpdir(), 'spindle-maildir-'));
});
test.after.each(() => {
  closeAll();
  rmSync(root, { recursive: true, force: true });
});

const files = (folder: string): string[] => readdirSync(join(root, folder)).sort();

test('a message lands in new/ with Return-Path and Received, LF line ends, nothing left in tmp/', async () => {
  const h = harness({ deliver: maildirDelivery(root, { hostname: 'mx/host:1' }), tls: undefined });
  const c = h.connect();
  await c.send('EHLO client.example\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<Alice@Example.com>\r\n');
  await c.send('DATA\r\nSubject: hi\r\n\r\n..dot\r\nbody\r\n.\r\n');
  assert.match((await c.waitFor('250 2.0.0')).pop()!, /^250 2\.0\.0 Ok: queued as [0-9A-F]{12}$/);
  const [name] = files('example.com/alice/new');
  assert.match(name!, /^\d+\.M\d+P\d+Q\d+R[0-9a-f]{16}\.mx\\057host\\0721$/);
  assert.equal(files('example.com/alice/tmp'), []);
  assert.equal(files('example.com/alice/cur'), []);
  const text = readFileSync(join(root, 'example.com/alice/new', name!), 'utf8');
  assert.match(
    text,
    /^Return-Path: <a@client\.example>\nReceived: from client\.example \(\[127\.0\.0\.1\]\)\n\tby mx\.example \(Spindle\) with ESMTP id [0-9A-F]{12}\n\tfor <Alice@Example\.com>; \w{3}, \d+ \w{3} \d{4} \d\d:\d\d:\d\d \+0000\nSubject: hi\n\n\.dot\nbody\n$/,
  );
});

test('several recipients: one file per Maildir (hard links), same-Maildir recipients once, unsafe names escaped', async () => {
  const h = harness({ maildir: root, domains: ['example.com'] });
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<B@example.com>\r\n');
  await c.send('RCPT TO:<"../x"@example.com>\r\nRCPT TO:<Ünï@example.com>\r\nDATA\r\nhi\r\n.\r\n');
  assert.match((await c.waitFor('250 2.0.0')).pop()!, /^250 2\.0\.0/);
  assert.equal(files('example.com'), ['%22..%2Fx%22', 'b']);
  const [name] = files('example.com/b/new');
  assert.is(
    statSync(join(root, 'example.com/b/new', name!)).nlink,
    2,
    'one file, linked into both Maildirs (the Unicode address was refused: no SMTPUTF8)',
  );
  assert.not.match(readFileSync(join(root, 'example.com/b/new', name!), 'utf8'), /\tfor </);
});

test('a folder that cannot be made answers 451 and leaves no file; a client gone mid-message leaves none either', async () => {
  mkdirSync(join(root, 'example.com/bob'), { recursive: true });
  writeFileSync(join(root, 'example.com/bob/tmp'), 'not a folder');
  const logs = logRecords$.subscribe(() => undefined);
  const h = harness({ maildir: root });
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nhi\r\n.\r\n');
  assert.equal((await c.waitFor('451')).pop(), '451 4.3.0 Error: local error in processing');
  logs.unsubscribe();
  assert.equal(files('example.com/bob'), ['tmp']);
  const d = h.connect();
  await d.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<carol@example.com>\r\nDATA\r\nhalf of it\r\n');
  for (let turn = 0; turn < 400 && files('example.com').length < 2; turn++) await settle();
  await new Promise((resolve) => setTimeout(resolve, 50)); // the file is open in tmp/ by now
  d.transport.receiveEnd();
  for (let turn = 0; turn < 400 && files('example.com/carol/tmp').length > 0; turn++) await settle();
  assert.equal(files('example.com/carol/tmp'), []);
  assert.equal(files('example.com/carol/new'), []);
});

test('regression: a message bigger than the free space is refused 452 4.3.1, not stored cut short and acknowledged', async () => {
  if (!canMountTmpfs()) throw new Error('this test mounts a 16 KiB tmpfs: run it as root');
  const disk = smallTmpfs(16 * 1024);
  const logs = logRecords$.subscribe(() => undefined);
  try {
    const h = harness({ maildir: disk.path });
    const c = h.connect();
    const body = `${'x'.repeat(78)}\r\n`.repeat(1000); // 80 kB in one chunk: one write, taken in part
    await c.send(`EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n${body}.\r\n`);
    assert.equal((await c.waitFor('452')).pop(), '452 4.3.1 Error: insufficient system storage');
    assert.equal(readdirSync(join(disk.path, 'example.com/bob/new')), []);
    assert.equal(readdirSync(join(disk.path, 'example.com/bob/tmp')), []);
  } finally {
    logs.unsubscribe();
    closeAll();
    disk.unmount();
  }
});

test('messages from sessions at once all land in one Maildir; a Maildir removed, or without new/, is made again', async () => {
  const h = harness({ maildir: root });
  const sessions = Array.from({ length: 8 }, () => h.connect());
  await Promise.all(
    sessions.map((c, index) =>
      c.send(
        `EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<dan@example.com>\r\nDATA\r\nmessage ${index}\r\n.\r\n`,
      ),
    ),
  );
  for (const c of sessions) await c.waitFor('250 2.0.0');
  assert.is(files('example.com/dan/new').length, 8);
  assert.equal(files('example.com/dan/tmp'), []);
  rmSync(join(root, 'example.com/dan'), { recursive: true });
  const c = sessions[0]!;
  await c.send('MAIL FROM:<a@b.example>\r\nRCPT TO:<dan@example.com>\r\nRCPT TO:<erin@example.com>\r\n');
  mkdirSync(join(root, 'example.com/erin/tmp'), { recursive: true }); // no new/: made when the rename needs it
  await c.send('DATA\r\nagain\r\n.\r\n');
  await c.waitFor('250 2.0.0');
  assert.equal(files('example.com/dan'), ['cur', 'new', 'tmp']);
  assert.equal(files('example.com/erin'), ['cur', 'new', 'tmp']);
  assert.is(files('example.com/dan/new').length, 1);
  assert.is(files('example.com/erin/new').length, 1);
});

test('a 50 MB message streams to disk with bounded buffering: the connection pauses while the disk lags', async () => {
  const highWaterMark = 16 * 1024;
  const store = maildirDelivery(root);
  let consumed = 0;
  let most = 0;
  let sent = 0;
  const counting: SmtpDelivery = (message) => {
    const body = message.body;
    const counted = {
      [Symbol.asyncIterator]: async function* () {
        for await (const chunk of body) {
          consumed += chunk.byteLength;
          yield chunk;
        }
      },
    };
    return store({ ...message, body: Object.assign(Object.create(body), counted) });
  };
  const h = harness({
    deliver: counting,
    bodyHighWaterMark: highWaterMark,
    maxMessageSize: 60 * 1024 * 1024,
  });
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example> SIZE=52428800\r\nRCPT TO:<big@example.com>\r\nDATA\r\n');
  const line = `${'x'.repeat(78)}\r\n`;
  const block = Buffer.from(line.repeat((64 * 1024) / line.length));
  const total = 50 * 1024 * 1024;
  let chunks = 0;
  while (sent < total) {
    if (c.transport.reading) {
      c.transport.receive(block);
      sent += block.length;
      chunks++;
    } else await new Promise((resolve) => setImmediate(resolve));
    most = Math.max(most, sent - consumed);
  }
  await c.send('.\r\n');
  await c.waitFor('250 2.0.0 Ok');
  assert.ok(chunks > 700);
  assert.ok(most <= highWaterMark + 2 * block.length, `at most ${most} bytes waited`);
  const [name] = files('example.com/big/new');
  assert.ok(statSync(join(root, 'example.com/big/new', name!)).size > total - (2 * total) / 80);
});

test.run();
