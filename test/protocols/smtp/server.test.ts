import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkClean } from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';
import { steppedTurns } from '../../support/stepped-turns.js';
import { type Client, clientAddress, closeAll, harness, settle } from './_server-harness.js';

const test = checkClean(suite('protocols/smtp/server'));
test.after.each(closeAll);

const ehlo = [
  '250-mx.example',
  '250-PIPELINING',
  '250-SIZE 10485760',
  '250-ENHANCEDSTATUSCODES',
  '250-8BITMIME',
  '250-SMTPUTF8',
  '250 CHUNKING',
].join('\n');

const scriptBytes = Buffer.from(
  [
    'EHLO client.example',
    'NOOP',
    'VRFY alice',
    'MAIL FROM:<a@client.example> SIZE=200 BODY=8BITMIME',
    'RCPT TO:<b@example.com>',
    'RCPT TO:<C@Example.COM>',
    'DATA',
    'Subject: one',
    '',
    '..stuffed',
    '.',
    'MAIL FROM:<>',
    'RCPT TO:<b@example.com>',
    'BDAT 9',
    'Subject: BDAT 5 LAST', // BDAT's octets are counted: 'Subject: ' is the first chunk, 'two' CR LF the last
    'two',
    'RSET',
    'HELP',
    'QUIT',
    '',
  ].join('\r\n'),
);

const expected = [
  '220 mx.example ESMTP Spindle',
  ehlo,
  '250 2.0.0 Ok',
  '252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery',
  '250 2.1.0 Ok',
  '250 2.1.5 Ok',
  '250 2.1.5 Ok',
  '354 End data with <CR><LF>.<CR><LF>',
  'queued',
  '250 2.1.0 Ok',
  '250 2.1.5 Ok',
  '250 2.0.0 9 octets received',
  'queued',
  '250 2.0.0 Ok',
  '214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\n214 2.0.0 See RFC 5321',
  '221 2.0.0 Bye',
];

async function conversation(chunks: readonly Uint8Array[]) {
  const h = harness();
  const c = h.connect();
  for (const chunk of chunks) {
    c.transport.receive(chunk);
    if (chunk.length > 40) await null; // let some hooks settle between chunks
  }
  await settle();
  const replies = c
    .replies()
    .map((reply) => (/^250 2\.0\.0 Ok: queued as [0-9A-F]{12}$/.test(reply) ? 'queued' : reply));
  return { replies, stored: h.stored, closed: c.transport.closedByProtocol };
}

test('a whole pipelined conversation gets the same replies and messages however its bytes are split', async () => {
  const whole = await conversation([scriptBytes]);
  assert.equal(whole.replies, expected);
  assert.ok(whole.closed);
  assert.equal(
    whole.stored.map((s) => s.text),
    ['Subject: one\r\n\r\n.stuffed\r\n', 'Subject: two\r\n'],
  );
  const [first, second] = whole.stored;
  assert.equal(first!.message.recipients, ['b@example.com', 'C@Example.COM']);
  assert.is(first!.message.from, 'a@client.example');
  assert.is(first!.message.bodyType, '8BITMIME');
  assert.is(first!.message.protocol, 'ESMTP');
  assert.is(second!.message.from, '');
  for (const { label, chunks } of chunkings(scriptBytes)) {
    const run = await conversation(chunks);
    assert.equal(run.replies, expected, label);
    assert.equal(
      run.stored.map((s) => s.text),
      whole.stored.map((s) => s.text),
      label,
    );
  }
});

test('the replies to a pipelined batch leave in one write', async () => {
  const h = harness();
  const c = h.connect();
  c.replies();
  const before = c.transport.writes.length;
  await c.send(
    'EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\nRCPT TO:<y@example.com>\r\nNOOP\r\n',
  );
  assert.is(c.transport.writes.length - before, 1);
  assert.is(c.replies().length, 5);
});

/** The text a session writes for `input` given in `chunks`, with a budget of `perTurn` frames; and the turns it took. */
function budgeted(chunks: readonly (string | Uint8Array)[], perTurn: number) {
  const turns = steppedTurns();
  const c = harness({ commandsPerTurn: perTurn, scheduler: turns.scheduler }).connect();
  for (const chunk of chunks) c.transport.receive(chunk);
  const count = turns.settle();
  return { text: Buffer.from(c.transport.value()).toString('latin1'), turns: count, c };
}

test('regression (issue 13): a NOOP flood in one read is answered commandsPerTurn a turn, one write a turn, unread meanwhile', () => {
  const flood = `EHLO a\r\n${'NOOP\r\n'.repeat(39)}`;
  const expected = budgeted([flood], Number.POSITIVE_INFINITY).text;
  assert.is(expected.split('250 2.0.0 Ok').length - 1, 39);

  const turns = steppedTurns();
  const c = harness({ commandsPerTurn: 4, scheduler: turns.scheduler }).connect();
  c.replies();
  c.transport.receive(flood);
  const answered = [c.replies().length];
  const writes = [c.transport.writes.length];
  assert.not.ok(c.transport.reading, 'commands wait: the connection is not read');
  while (turns.turn()) {
    answered.push(c.replies().length);
    writes.push(c.transport.writes.length);
    if (answered.length < 10) assert.not.ok(c.transport.reading, `turn ${answered.length}`);
  }
  assert.equal(answered, [4, 4, 4, 4, 4, 4, 4, 4, 4, 4], 'ten turns of four replies');
  assert.equal(writes, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'the replies of a turn in one write');
  assert.ok(c.transport.reading, 'read again once all are answered');
  assert.is(
    Buffer.from(c.transport.value()).toString('latin1'),
    expected,
    'the same replies as without a budget',
  );
});

test('a budgeted pipelined conversation fed at every split gets the replies it gets without a budget', () => {
  const input = Buffer.from(
    `EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@example.com>\r\n${'NOOP\r\n'.repeat(6)}RSET\r\nQUIT\r\n`,
  );
  const expected = budgeted([input], Number.POSITIVE_INFINITY).text;
  for (const { label, chunks } of chunkings(input)) {
    const run = budgeted(chunks, 2);
    assert.is(run.text, expected, label);
    assert.ok(run.c.transport.closedByProtocol, label);
  }
});

async function codes(c: Client, lines: string[]): Promise<number[]> {
  const all: number[] = [];
  for (const line of lines) all.push(...(await c.codes(line)));
  return all;
}

test('sequence errors get 503, syntax errors 501, unknown verbs 500 and unimplemented ones 502', async () => {
  const h = harness({ maxBadCommands: 100 });
  const c = h.connect();
  c.replies();
  assert.equal(
    await codes(c, [
      'MAIL FROM:<a@b.example>',
      'RCPT TO:<b@example.com>',
      'DATA',
      'AUTH PLAIN',
      'EHLO',
      'HELO a b',
      'EHLO a',
      'RCPT TO:<b@example.com>',
      'DATA',
      'BDAT 0 LAST',
      'MAIL FROM:a@b.example',
      'MAIL FROM:<a@@b>',
      'MAIL FROM:<a@b.example>',
      'MAIL FROM:<a@b.example>',
      'DATA',
      'RCPT TO:<>',
      'RCPT TO:<no-domain>',
      'RCPT TO:<b@example.com> NOTIFY=NEVER',
      'RCPT TO:<b@elsewhere.example>',
      'DATA',
      'DATA now',
      'BDAT x',
      'RSET x',
      'VRFY',
      'XYZZY',
      'EXPN list',
      'STARTTLS',
      'RSET',
    ]),
    [
      503, 503, 503, 503, 501, 501, 250, 503, 503, 503, 501, 501, 250, 503, 503, 501, 501, 555, 550, 554, 501,
      501, 501, 501, 500, 502, 502, 250,
    ],
  );
});

test('MAIL parameters: SIZE over the limit 552, BODY=BINARYMIME and unknown ones 555, none after HELO', async () => {
  const h = harness({ maxMessageSize: 1000 });
  const c = h.connect();
  c.replies();
  await c.command('EHLO a');
  assert.equal(
    await codes(c, [
      'MAIL FROM:<a@b.example> SIZE=1001',
      'MAIL FROM:<a@b.example> SIZE=x',
      'MAIL FROM:<a@b.example> BODY=BINARYMIME',
      'MAIL FROM:<a@b.example> FOO=1',
      'MAIL FROM:<a@b.example> AUTH=<>',
      'RSET',
      'MAIL FROM: <a@b.example> SIZE=1000 BODY=7bit',
      'RSET',
      'HELO a',
      'MAIL FROM:<a@b.example> SIZE=10',
      'MAIL FROM:<a@b.example>',
    ]),
    [552, 501, 555, 555, 250, 250, 250, 250, 250, 555, 250],
  );
  assert.equal(await c.command('HELO b'), ['250 mx.example']);
});

test('SMTPUTF8: a Unicode address needs it (553 5.6.7), and is taken with it', async () => {
  const h = harness({ domains: ['example.com', 'bücher.example'] });
  const c = h.connect();
  c.replies();
  await c.command('EHLO a');
  assert.equal(await c.command('MAIL FROM:<jörg@b.example>'), [
    '553 5.6.7 Must declare SMTPUTF8 to send Unicode address',
  ]);
  assert.equal(
    await codes(c, ['MAIL FROM:<jörg@b.example> SMTPUTF8', 'RCPT TO:<anna@bücher.example>']),
    [250, 250],
  );
  await c.send('DATA\r\nSubject: ü\r\n\r\nhi\r\n.\r\n');
  assert.is(h.stored[0]!.message.protocol, 'UTF8SMTP');
  assert.is(h.stored[0]!.message.recipients[0], 'anna@bücher.example');
});

test('relaying is refused (550 5.7.1); more than maxRecipients get 452 4.5.3', async () => {
  const h = harness({ maxRecipients: 2 });
  const c = h.connect();
  c.replies();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\n');
  c.replies();
  assert.equal(await c.command('RCPT TO:<x@other.example>'), [
    '550 5.7.1 <x@other.example>: Relay access denied',
  ]);
  assert.equal(
    await codes(c, ['RCPT TO:<1@example.com>', 'RCPT TO:<2@EXAMPLE.com>', 'RCPT TO:<3@example.com>']),
    [250, 250, 452],
  );
});

test('command lines: over 512 octets 500, a bare CR in one 500; the session reads on', async () => {
  const h = harness();
  const c = h.connect();
  c.replies();
  assert.equal(await c.command(`NOOP ${'x'.repeat(600)}`), ['500 5.5.2 Error: line too long']);
  assert.equal(await c.command('NOOP a\rb'), ['500 5.5.2 Error: bad syntax']);
  assert.equal(await c.codes('NOOP'), [250]);
});

test('a message over maxMessageSize is refused 552 5.3.4 after its end, DATA or BDAT; the session goes on', async () => {
  const h = harness({ maxMessageSize: 10 });
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n');
  c.replies();
  assert.equal(await c.command('0123456789\r\n.'), ['552 5.3.4 Error: message file too big']);
  await c.send('MAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nBDAT 8\r\n01234567BDAT 4 LAST\r\n0123');
  assert.equal(c.replies(), [
    '250 2.1.0 Ok',
    '250 2.1.5 Ok',
    '250 2.0.0 8 octets received',
    '552 5.3.4 Error: message file too big',
  ]);
  await c.send('BDAT 2 LAST\r\nab');
  assert.equal(c.replies(), ['503 5.5.1 Error: need MAIL command'], 'the transaction is over');
  assert.is(h.stored.length, 0);
  assert.equal(await c.codes('MAIL FROM:<a@b.example>'), [250]);
});

test('after maxBadCommands errors: 421 4.7.0 and the connection closes', async () => {
  const h = harness({ maxBadCommands: 3 });
  const c = h.connect();
  c.replies();
  await c.send('FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n');
  assert.equal(c.replies(), [
    '500 5.5.2 Error: command not recognized',
    '500 5.5.2 Error: command not recognized',
    '500 5.5.2 Error: command not recognized',
    '421 4.7.0 mx.example Error: too many errors',
  ]);
  assert.ok(c.transport.closedByProtocol);
});

test('connections: past maxConnectionsPerPeer and maxConnections, 421 4.7.0 and close, counted in refused', async () => {
  const h = harness({ maxConnections: 3, maxConnectionsPerPeer: 2 });
  const a = h.connect();
  h.connect();
  const third = h.connect();
  assert.equal(third.replies(), ['421 4.7.0 mx.example Error: too many connections from you']);
  h.connect({ ...clientAddress, host: '127.0.0.2' });
  const fifth = h.connect({ ...clientAddress, host: '127.0.0.3' });
  assert.equal(fifth.replies(), ['421 4.7.0 mx.example Error: too many connections']);
  assert.is(h.app.sessions, 3);
  assert.is(h.app.refused, 2);
  await a.command('QUIT');
  assert.is(h.app.sessions, 2);
});

test('timeouts: 300 s for a command, 180 s between DATA bytes (421 4.4.2), on the clock', async () => {
  const h = harness();
  const c = h.connect();
  c.replies();
  h.clock.advance(299);
  assert.equal(await c.codes('EHLO a'), [250]);
  h.clock.advance(299);
  assert.not.ok(c.transport.closedByProtocol);
  h.clock.advance(1);
  assert.equal(c.replies(), ['421 4.4.2 mx.example Error: timeout exceeded']);
  assert.ok(c.transport.closedByProtocol);
  const d = h.connect();
  await d.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: x\r\n');
  d.replies();
  h.clock.advance(179);
  await d.send('more\r\n');
  h.clock.advance(179);
  assert.not.ok(d.transport.closedByProtocol);
  h.clock.advance(1);
  assert.equal(d.replies(), ['421 4.4.2 mx.example Error: timeout exceeded']);
  assert.is(h.stored.length, 0);
});

test('hooks: the sender and recipients refused with their replies, asynchronously; pipelined replies keep their order', async () => {
  const h = harness({
    sender: async (address) =>
      address.startsWith('spam') ? { code: 550, enhanced: '5.7.1', text: 'No spam' } : undefined,
    recipient: (address, session) => {
      assert.is(session.from, 'a@b.example');
      return address.startsWith('nobody')
        ? { code: 550, enhanced: '5.1.1', text: 'No such user' }
        : undefined;
    },
  });
  const c = h.connect();
  c.replies();
  await c.send(
    'EHLO a\r\nMAIL FROM:<spam@b.example>\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<nobody@example.com>\r\nRCPT TO:<x@other.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhi\r\n.\r\n',
  );
  assert.equal(
    c
      .replies()
      .slice(1)
      .map((reply) => reply.replace(/^(250) 2\.0\.0 Ok: queued.*/, '$1')),
    [
      '550 5.7.1 No spam',
      '250 2.1.0 Ok',
      '550 5.1.1 No such user',
      '550 5.7.1 <x@other.example>: Relay access denied',
      '250 2.1.5 Ok',
      '354 End data with <CR><LF>.<CR><LF>',
      '250',
    ],
  );
  assert.equal(h.stored[0]!.message.recipients, ['b@example.com']);
});

test('RSET between BDAT chunks and a client that goes away mid-DATA fail the message body', async () => {
  const failures: string[] = [];
  const h = harness({
    deliver: async (message) => {
      try {
        await message.body.readAll();
      } catch (error) {
        failures.push((error as Error).name);
        throw error;
      }
    },
  });
  const c = h.connect();
  await c.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nBDAT 2\r\nabRSET\r\n');
  assert.equal(c.replies().slice(-2), ['250 2.0.0 2 octets received', '250 2.0.0 Ok']);
  const d = h.connect();
  await d.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhalf a mess');
  d.transport.receiveEnd();
  await settle();
  assert.ok(d.transport.closedByProtocol);
  assert.equal(failures, ['CancelledError', 'ConnectionDone']);
  assert.is(h.stored.length, 0);
});

test('drain: between messages 421 4.3.2 at once; a message under way is answered first', async () => {
  const h = harness();
  const idle = h.connect();
  await idle.send('EHLO a\r\n');
  idle.replies();
  await idle.session!.drain(h.clock.seconds() + 30);
  assert.equal(idle.replies(), ['421 4.3.2 mx.example Service shutting down']);
  const busy = h.connect();
  await busy.send('EHLO a\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nhi\r\n');
  busy.replies();
  const drained = Promise.resolve(busy.session!.drain(h.clock.seconds() + 30));
  await settle();
  assert.not.ok(busy.transport.closedByProtocol);
  await busy.send('.\r\n');
  await drained;
  assert.equal(
    busy.replies().map((reply) => reply.slice(0, 3)),
    ['250', '421'],
  );
  assert.is(h.stored.length, 1);
});

test.run();
