import { of } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DomainError } from '../../../protocols/dns/dns-error.js';
import type { RecordOf } from '../../../protocols/dns/message.js';
import { orderExchangers } from '../../../protocols/smtp/_client-exchangers.js';
import {
  type MailResolver,
  type SendMailOptions,
  type SendMailResult,
  sendMail,
} from '../../../protocols/smtp/send-mail.js';
import { SMTPClientError, SMTPError, SMTPReplyError } from '../../../protocols/smtp/smtp-error.js';
import type { Connection } from '../../../source/connection.js';
import { type Deferred, fail, succeed } from '../../../source/deferred.js';
import type { ClientEndpoint } from '../../../source/endpoint-description.js';
import { listen } from '../../../source/endpoints.js';
import {
  CancelledError,
  CertificateError,
  ConnectionRefusedError,
  TimeoutError,
} from '../../../source/errors.js';
import { checkClean, trackedClock } from '../../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../../source/testing/memory-reactor.js';
import { StringTransport } from '../../../source/testing/string-transport.js';
import { chunkings } from '../../support/chunkings.js';
import { failureOf, resultOf } from '../../support/failure-of.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';
import { scriptedServer } from './_scripted-server.js';

const test = checkClean(suite('protocols/smtp/send-mail'));

/**
 * A reactor whose every connection is a `StringTransport` the test plays the server on, all
 * synchronous; connections to a host in `refused` fail.
 */
class StringNet extends MemoryReactor {
  readonly transports: StringTransport[] = [];
  readonly endpoints: ClientEndpoint[] = [];
  readonly refused = new Set<string>();

  constructor() {
    super({ clock: trackedClock() });
  }

  override connectStream(endpoint: ClientEndpoint): Deferred<Connection> {
    this.endpoints.push(endpoint);
    const host = endpoint.type === 'unix' ? '' : endpoint.host;
    if (this.refused.has(host)) return fail(new ConnectionRefusedError(`${host} refused`));
    const transport = new StringTransport({
      side: 'client',
      secure: endpoint.type === 'tls',
      localAddress: { type: 'tcp', host: '127.0.0.1', port: 40000 + this.transports.length, family: 'IPv4' },
      remoteAddress: {
        type: 'tcp',
        host,
        port: endpoint.type === 'unix' ? 0 : endpoint.port,
        family: 'IPv4',
      },
    });
    this.transports.push(transport);
    return succeed(transport);
  }

  /** The newest connection. */
  get last(): StringTransport {
    return this.transports[this.transports.length - 1]!;
  }

  /** The hosts connected to, in order. */
  get hosts(): string[] {
    return this.endpoints.map((endpoint) => (endpoint.type === 'unix' ? endpoint.path : endpoint.host));
  }
}

const message = 'Subject: hi\r\n\r\nhello\r\n';

function base(net: StringNet, more: Partial<SendMailOptions> = {}): SendMailOptions {
  return {
    from: 'ann@a.test',
    to: ['bob@b.test'],
    message,
    host: 'mx.b.test',
    tls: 'none',
    clientName: 'client.test',
    reactor: net,
    ...more,
  };
}

/** The command lines `transport` was sent since the last call. */
function said(transport: StringTransport): string[] {
  const text = transport.text();
  transport.clear();
  return text.split('\r\n').filter((line) => line !== '');
}

/** The server answers (CR LF added). */
function answer(transport: StringTransport, ...replies: string[]): void {
  transport.receive(replies.map((reply) => `${reply}\r\n`).join(''));
}

/** The error a Deferred failed with (it must have), checked to be a `type`. */
function errorOf<E>(d: Deferred<unknown>, type: abstract new (...args: never[]) => E): E {
  const error = failureOf(d)?.value;
  assert.instance(error, type);
  return error as E;
}

/** Greets, answers EHLO with `extensions`, and checks the client said EHLO. */
function greet(transport: StringTransport, ...extensions: string[]): void {
  answer(transport, '220 mx.b.test ESMTP');
  assert.equal(said(transport), ['EHLO client.test']);
  const lines = ['mx.b.test', ...extensions];
  answer(transport, ...lines.map((line, n) => `250${n === lines.length - 1 ? ' ' : '-'}${line}`));
}

/** Answers QUIT and checks the connection closed. */
function quits(transport: StringTransport): void {
  assert.equal(said(transport), ['QUIT']);
  answer(transport, '221 bye');
  assert.ok(transport.closedByProtocol, 'closed after QUIT');
}

test('one command at a time without PIPELINING: each recipient accepted or refused, the message, then QUIT', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { to: ['bob@b.test', 'nobody@b.test'] }));
  const t = net.last;
  assert.equal(net.endpoints, [{ type: 'tcp', host: 'mx.b.test', port: 25, timeout: 30 }]);
  greet(t, '8BITMIME');
  assert.equal(said(t), ['MAIL FROM:<ann@a.test>']);
  answer(t, '250 2.1.0 ok');
  assert.equal(said(t), ['RCPT TO:<bob@b.test>']);
  answer(t, '250 2.1.5 ok');
  assert.equal(said(t), ['RCPT TO:<nobody@b.test>']);
  answer(t, '550 5.1.1 no such user');
  assert.equal(said(t), ['DATA']);
  answer(t, '354 go ahead');
  assert.is(t.text(), `${message}.\r\n`);
  t.clear();
  answer(t, '250 2.0.0 queued as 4F1');
  quits(t);
  const result = resultOf(sending);
  assert.equal(
    result.recipients.map((r) => [r.address, r.accepted, r.reply.code, r.reply.enhancedCode]),
    [
      ['bob@b.test', true, 250, '2.1.5'],
      ['nobody@b.test', false, 550, '5.1.1'],
    ],
  );
  assert.is(result.reply.text, '2.0.0 queued as 4F1');
  assert.equal(result.server, { name: 'mx.b.test', host: 'mx.b.test', port: 25 });
});

test('PIPELINING: MAIL, every RCPT and DATA leave in one write, and the replies are matched in order', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { to: ['bob@b.test', 'carol@b.test'] }));
  const t = net.last;
  answer(t, '220 mx.b.test ESMTP');
  t.clear();
  const before = t.writes.length;
  answer(t, '250-mx.b.test', '250-PIPELINING', '250 SIZE 1000');
  assert.is(t.writes.length, before + 1, 'one write');
  const size = Buffer.byteLength(message) + 3;
  assert.equal(said(t), [
    `MAIL FROM:<ann@a.test> SIZE=${size}`,
    'RCPT TO:<bob@b.test>',
    'RCPT TO:<carol@b.test>',
    'DATA',
  ]);
  answer(t, '250 ok', '250 ok', '451 4.2.0 mailbox busy', '354 go ahead');
  assert.is(t.text(), `${message}.\r\n`);
  t.clear();
  answer(t, '250 queued');
  quits(t);
  const result = resultOf(sending);
  assert.equal(
    result.recipients.map((r) => [r.address, r.accepted, r.reply.code]),
    [
      ['bob@b.test', true, 250],
      ['carol@b.test', false, 451],
    ],
  );
});

test('the whole conversation, the server replies split at every byte, gives the same commands and result', () => {
  const server =
    '220 mx.b.test ESMTP\r\n250-mx.b.test greets you\r\n250-PIPELINING\r\n250 8BITMIME\r\n' +
    '250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n250 2.0.0 queued\r\n221 bye\r\n';
  const body = 'Subject: dots\n\n.leading dot\n..two\nlast';
  const expected =
    'EHLO client.test\r\nMAIL FROM:<ann@a.test>\r\nRCPT TO:<bob@b.test>\r\nDATA\r\n' +
    'Subject: dots\r\n\r\n..leading dot\r\n...two\r\nlast\r\n.\r\nQUIT\r\n';
  for (const { label, chunks } of chunkings(Buffer.from(server))) {
    const net = new StringNet();
    const sending = sendMail(base(net, { message: body }));
    for (const chunk of chunks) if (!net.last.closedByProtocol) net.last.receive(chunk);
    const result = resultOf(sending);
    assert.is(result.reply.code, 250, label);
    assert.equal(
      result.recipients.map((r) => r.accepted),
      [true],
      label,
    );
    assert.is(net.last.text(), expected, label);
    assert.ok(net.last.closedByProtocol, label);
  }
});

test('a server that does not know EHLO gets HELO, and no extension is used', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  const t = net.last;
  answer(t, '220 old.b.test SMTP');
  assert.equal(said(t), ['EHLO client.test']);
  answer(t, '502 5.5.2 command not recognized');
  assert.equal(said(t), ['HELO client.test']);
  answer(t, '250 old.b.test');
  assert.equal(said(t), ['MAIL FROM:<ann@a.test>']);
  answer(t, '250 ok');
  answer(t, '250 ok');
  answer(t, '354 go');
  t.clear();
  answer(t, '250 queued');
  quits(t);
  assert.is(resultOf(sending).reply.code, 250);
});

test('a 4xx to EHLO or a 5xx greeting fails with SMTPError carrying the reply', () => {
  const net = new StringNet();
  const busy = sendMail(base(net));
  answer(net.last, '220 mx ESMTP');
  said(net.last);
  answer(net.last, '421 4.3.2 shutting down');
  quits(net.last);
  const error = errorOf(busy, SMTPError);
  assert.is(error.replyCode, 421);
  assert.is(error.enhancedCode, '4.3.2');
  assert.is(error.protocolCode, 421);
  assert.is(error.code, 'SPINDLE_SMTP_ERROR');
  assert.is(error.command, 'EHLO client.test');
  assert.ok(error.transient);
  assert.match(error.message, /EHLO client.test: 421 4.3.2 shutting down/);
  const refused = sendMail(base(net));
  answer(net.last, '554 5.7.1 go away');
  assert.equal(said(net.last), ['QUIT'], 'no EHLO after a refused greeting');
  answer(net.last, '221 bye');
  const permanent = errorOf(refused, SMTPError);
  assert.is(permanent.replyCode, 554);
  assert.not.ok(permanent.transient);
});

test('AUTH PLAIN with the credentials in one line, over implicit TLS on port 465', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { tls: 'implicit', auth: { user: 'ann', password: 's3cret' } }));
  const t = net.last;
  assert.equal(net.endpoints[0], {
    type: 'tls',
    host: 'mx.b.test',
    port: 465,
    timeout: 30,
    tls: { host: 'mx.b.test', servername: 'mx.b.test' },
  });
  greet(t, 'AUTH LOGIN PLAIN', 'PIPELINING');
  assert.equal(said(t), [`AUTH PLAIN ${Buffer.from('\0ann\0s3cret').toString('base64')}`]);
  answer(t, '235 2.7.0 ok');
  assert.equal(said(t), ['MAIL FROM:<ann@a.test>', 'RCPT TO:<bob@b.test>', 'DATA']);
  answer(t, '250 ok', '250 ok', '354 go');
  t.clear();
  answer(t, '250 queued');
  quits(t);
  assert.is(resultOf(sending).reply.code, 250);
});

test('AUTH LOGIN when PLAIN is not offered: user name and password each after a 334', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { tls: 'implicit', auth: { user: 'ann', password: 's3cret' } }));
  const t = net.last;
  greet(t, 'AUTH=LOGIN');
  assert.equal(said(t), ['AUTH LOGIN']);
  answer(t, '334 VXNlcm5hbWU6');
  assert.equal(said(t), ['YW5u']);
  answer(t, '334 UGFzc3dvcmQ6');
  assert.equal(said(t), ['czNjcmV0']);
  answer(t, '535 5.7.8 authentication failed');
  quits(t);
  const error = errorOf(sending, SMTPError);
  assert.is(error.replyCode, 535);
  assert.is(error.command, 'AUTH LOGIN (password)');
  assert.not.match(error.message, /czNjcmV0|s3cret/);
});

test('a refused AUTH PLAIN does not show the credentials in the error', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { tls: 'implicit', auth: { user: 'ann', password: 's3cret' } }));
  greet(net.last, 'AUTH PLAIN');
  said(net.last);
  answer(net.last, '535 5.7.8 no');
  quits(net.last);
  const error = errorOf(sending, SMTPError);
  assert.is(error.command, 'AUTH PLAIN');
  assert.not.match(error.message, new RegExp(Buffer.from('\0ann\0s3cret').toString('base64')));
});

test('credentials are not sent in the clear unless authInTheClear; a server without AUTH is refused', () => {
  const net = new StringNet();
  const clear = sendMail(base(net, { auth: { user: 'ann', password: 's3cret' } }));
  greet(net.last, 'AUTH PLAIN');
  quits(net.last);
  assert.is(errorOf(clear, SMTPClientError).reason, 'auth');
  const allowed = sendMail(base(net, { auth: { user: 'ann', password: 'pw' }, authInTheClear: true }));
  greet(net.last, 'AUTH PLAIN');
  assert.equal(said(net.last), [`AUTH PLAIN ${Buffer.from('\0ann\0pw').toString('base64')}`]);
  net.last.loseConnection();
  failureOf(allowed);
  const noAuth = sendMail(base(net, { tls: 'implicit', auth: { user: 'ann', password: 'pw' } }));
  greet(net.last, 'AUTH CRAM-MD5');
  quits(net.last);
  const error = errorOf(noAuth, SMTPClientError);
  assert.is(error.reason, 'auth');
  assert.match(error.message, /CRAM-MD5/);
});

test('a message bigger than the server SIZE is refused before MAIL', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { message: 'x'.repeat(2000) }));
  greet(net.last, 'SIZE 1000', 'PIPELINING');
  quits(net.last);
  const error = errorOf(sending, SMTPClientError);
  assert.is(error.reason, 'size');
  assert.match(error.message, /2005 octets.*SIZE 1000/);
});

test('SMTPUTF8 is declared for a non-ASCII address, and a server without it is refused', () => {
  const net = new StringNet();
  const refused = sendMail(base(net, { to: ['jösé@b.test'] }));
  greet(net.last, 'PIPELINING', '8BITMIME');
  quits(net.last);
  assert.is(errorOf(refused, SMTPClientError).reason, 'smtputf8');
  const sending = sendMail(base(net, { to: ['jösé@b.test'] }));
  greet(net.last, 'PIPELINING', '8BITMIME', 'SMTPUTF8');
  assert.equal(said(net.last), ['MAIL FROM:<ann@a.test> SMTPUTF8', 'RCPT TO:<jösé@b.test>', 'DATA']);
  net.last.loseConnection();
  failureOf(sending);
});

test('8-bit data is declared BODY=8BITMIME, and refused by a server without 8BITMIME', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { message: 'Subject: café\r\n\r\nnaïve\r\n' }));
  greet(net.last, 'PIPELINING', '8BITMIME');
  assert.equal(said(net.last)[0], 'MAIL FROM:<ann@a.test> BODY=8BITMIME');
  net.last.loseConnection();
  failureOf(sending);
  const refused = sendMail(base(net, { message: 'naïve' }));
  greet(net.last, 'PIPELINING');
  quits(net.last);
  assert.is(errorOf(refused, SMTPClientError).reason, '8bitmime');
});

test('every recipient refused: SMTPError with each reply, and no DATA without pipelining', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { to: ['x@b.test', 'y@b.test'] }));
  greet(net.last);
  assert.equal(said(net.last), ['MAIL FROM:<ann@a.test>']);
  answer(net.last, '250 ok');
  answer(net.last, '550 5.1.1 no x');
  answer(net.last, '450 4.2.1 y busy');
  assert.equal(said(net.last), ['RCPT TO:<x@b.test>', 'RCPT TO:<y@b.test>', 'QUIT'], 'no DATA');
  answer(net.last, '221 bye');
  const error = errorOf(sending, SMTPError);
  assert.is(error.replyCode, 550);
  assert.is(error.command, 'RCPT TO:<x@b.test>');
  assert.equal(
    error.recipients?.map((r) => [r.address, r.reply.code]),
    [
      ['x@b.test', 550],
      ['y@b.test', 450],
    ],
  );
});

test('every recipient refused with pipelining: DATA refused too; a 354 anyway gets an empty message', () => {
  const net = new StringNet();
  const refused = sendMail(base(net));
  greet(net.last, 'PIPELINING');
  said(net.last);
  answer(net.last, '250 ok', '550 no', '554 5.5.1 no valid recipients');
  quits(net.last);
  assert.is(errorOf(refused, SMTPError).replyCode, 550);
  const odd = sendMail(base(net));
  greet(net.last, 'PIPELINING');
  said(net.last);
  answer(net.last, '250 ok', '550 no', '354 go');
  assert.equal(said(net.last), ['.']);
  assert.not.ok(odd.called);
  answer(net.last, '554 no message without recipients');
  quits(net.last);
  assert.is(errorOf(odd, SMTPError).replyCode, 550);
});

test('MAIL refused with pipelining fails with the MAIL reply', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  greet(net.last, 'PIPELINING');
  said(net.last);
  answer(net.last, '553 5.1.8 bad sender', '503 no MAIL', '503 no valid recipients');
  quits(net.last);
  const error = errorOf(sending, SMTPError);
  assert.is(error.command, 'MAIL FROM:<ann@a.test>');
  assert.is(error.replyCode, 553);
});

test('a refusal of the message data fails with SMTPError', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  greet(net.last, 'PIPELINING');
  said(net.last);
  answer(net.last, '250 ok', '250 ok', '354 go');
  said(net.last);
  answer(net.last, '554 5.7.1 spam');
  quits(net.last);
  const error = errorOf(sending, SMTPError);
  assert.is(error.command, 'the message data');
  assert.is(error.enhancedCode, '5.7.1');
});

test('a streamed message (an Observable) is dot-stuffed and CR LF normalised on the way', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { message: of('Subject: s\n\n', '.one\n.', '.two\r', '\nend') }));
  greet(net.last, 'PIPELINING', '8BITMIME');
  assert.equal(said(net.last)[0], 'MAIL FROM:<ann@a.test> BODY=8BITMIME', 'a stream may hold 8-bit data');
  answer(net.last, '250 ok', '250 ok', '354 go');
  assert.is(net.last.text(), 'Subject: s\r\n\r\n..one\r\n...two\r\nend\r\n.\r\n');
  net.last.clear();
  answer(net.last, '250 queued');
  quits(net.last);
  assert.is(resultOf(sending).reply.code, 250);
});

test('a streamed message with 8-bit data to a server without 8BITMIME is cut off before its end', () => {
  const net = new StringNet();
  const sending = sendMail(base(net, { message: of('plain\n', 'caf\u00e9\n') }));
  greet(net.last, 'PIPELINING');
  assert.equal(said(net.last)[0], 'MAIL FROM:<ann@a.test>');
  answer(net.last, '250 ok', '250 ok', '354 go');
  assert.is(errorOf(sending, SMTPClientError).reason, '8bitmime');
  assert.is(net.last.text(), 'plain\r\n', 'no terminator: the server drops the message');
  assert.ok(net.last.aborted);
});

test('a reply the client cannot read drops the connection with SMTPReplyError', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  net.last.receive('HTTP/1.1 400 Bad Request\r\n');
  assert.instance(failureOf(sending)?.value, SMTPReplyError);
  assert.ok(net.last.aborted);
});

test('no greeting in 300 seconds: TimeoutError, and the connection is dropped', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  net.clock.advance(299);
  assert.not.ok(sending.called);
  net.clock.advance(1);
  const error = errorOf(sending, TimeoutError);
  assert.match(error.message, /no reply to the greeting in 300 seconds/);
  assert.ok(net.last.aborted);
});

test('the reply to DATA has 120 seconds from when it is the one awaited', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  greet(net.last, 'PIPELINING');
  net.clock.advance(200);
  answer(net.last, '250 ok', '250 ok');
  net.clock.advance(119);
  assert.not.ok(sending.called);
  net.clock.advance(1);
  assert.match(errorOf(sending, TimeoutError).message, /no reply to DATA in 120 seconds/);
});

test('custom timeouts, and the overall timeout across everything', () => {
  const net = new StringNet();
  const greeting = sendMail(base(net, { timeouts: { greeting: 5 } }));
  net.clock.advance(5);
  assert.instance(failureOf(greeting)?.value, TimeoutError);
  const overall = sendMail(base(net, { timeout: 10 }));
  answer(net.last, '220 hi');
  net.clock.advance(9);
  assert.not.ok(overall.called);
  net.clock.advance(1);
  assert.instance(failureOf(overall)?.value, TimeoutError);
  assert.ok(net.last.aborted);
});

test('the end of data waits up to 600 seconds; a full write buffer fails after 180', async () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  greet(net.last, 'PIPELINING');
  answer(net.last, '250 ok', '250 ok', '354 go');
  net.clock.advance(599);
  assert.not.ok(sending.called);
  net.clock.advance(1);
  assert.match(errorOf(sending, TimeoutError).message, /no reply to the message data in 600 seconds/);
  async function* lines() {
    yield 'a\n';
    yield 'b\n';
  }
  const blocked = sendMail(base(net, { message: lines() }));
  greet(net.last, 'PIPELINING');
  net.last.setWriteBlocked(true);
  answer(net.last, '250 ok', '250 ok', '354 go');
  for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
  net.clock.advance(179);
  assert.not.ok(blocked.called);
  net.clock.advance(1);
  assert.match(errorOf(blocked, TimeoutError).message, /did not drain in 180 seconds/);
});

test('a server that does not answer QUIT delays the result by 30 seconds at most, and loses its connection', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  greet(net.last, 'PIPELINING');
  answer(net.last, '250 ok', '250 ok', '354 go');
  answer(net.last, '250 queued');
  assert.not.ok(sending.called, 'waiting for the answer to QUIT');
  net.clock.advance(30);
  assert.is(resultOf(sending).reply.code, 250);
  assert.ok(net.last.aborted);
});

test('cancelling drops the connection and fails with CancelledError', () => {
  const net = new StringNet();
  const sending = sendMail(base(net));
  answer(net.last, '220 hi');
  sending.cancel();
  assert.instance(failureOf(sending)?.value, CancelledError);
  assert.ok(net.last.aborted);
});

test('bad options fail at once with TypeError: CR LF or brackets in an address, no recipients, several domains without a host', () => {
  const net = new StringNet();
  for (const options of [
    base(net, { from: 'ann@a.test>\r\nRCPT TO:<victim@c.test' }),
    base(net, { to: ['bob@b.test\r\nDATA'] }),
    base(net, { to: [] }),
    base(net, { to: ['no-domain'] }),
    base(net, { host: undefined, to: ['bob@b.test', 'carol@c.test'] }),
    base(net, { tls: 'sometimes' as never }),
  ]) {
    assert.instance(failureOf(sendMail(options))?.value, TypeError, JSON.stringify(options.to));
  }
  assert.is(net.transports.length, 0);
});

/** A resolver answering from tables; a name in `nxdomain` does not exist. */
function fakeResolver(tables: {
  mx?: Record<string, [number, string][]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  nxdomain?: string[];
}): MailResolver & { asked: string[] } {
  const asked: string[] = [];
  const answer = <T>(type: string, name: string, records: T[]) => {
    asked.push(`${type} ${name}`);
    return tables.nxdomain?.includes(name) ? fail<T[]>(new DomainError(name)) : succeed(records);
  };
  const common = { class: 'IN', ttl: 60 } as const;
  return {
    asked,
    lookupMailExchange: (name) =>
      answer(
        'MX',
        name,
        (tables.mx?.[name] ?? []).map(([preference, exchange]) => ({
          ...common,
          name,
          type: 'MX' as const,
          preference,
          exchange,
        })),
      ),
    lookupAddress: (name) =>
      answer(
        'A',
        name,
        (tables.a?.[name] ?? []).map((address) => ({ ...common, name, type: 'A' as const, address })),
      ),
    lookupIPV6Address: (name) =>
      answer(
        'AAAA',
        name,
        (tables.aaaa?.[name] ?? []).map((address) => ({ ...common, name, type: 'AAAA' as const, address })),
      ),
  };
}

const mxTables = {
  mx: {
    'b.test': [
      [20, 'mx2.b.test'],
      [10, 'mx1.b.test'],
    ] as [number, string][],
  },
  a: { 'mx1.b.test': ['127.0.0.1'] },
  aaaa: { 'mx2.b.test': ['::1'] },
};

/** Runs a conversation to its 250 on `t`, pipelined. */
function delivers(t: StringTransport, sending: Deferred<SendMailResult>): SendMailResult {
  greet(t, 'PIPELINING');
  answer(t, '250 ok', '250 ok', '354 go');
  t.clear();
  answer(t, '250 queued');
  quits(t);
  const result = resultOf(sending);
  return result;
}

test('without a host: the MX with the lowest preference first; a 4xx greeting moves on to the next', () => {
  const net = new StringNet();
  const resolver = fakeResolver(mxTables);
  const sending = sendMail(base(net, { host: undefined, resolver }));
  assert.equal(net.hosts, ['127.0.0.1']);
  const first = net.last;
  answer(first, '421 4.3.2 too busy');
  quits(first);
  assert.equal(net.hosts, ['127.0.0.1', '::1']);
  const result = delivers(net.last, sending);
  assert.equal(result.server, { name: 'mx2.b.test', host: '::1', port: 25 });
  assert.equal(resolver.asked, [
    'MX b.test',
    'A mx1.b.test',
    'AAAA mx1.b.test',
    'A mx2.b.test',
    'AAAA mx2.b.test',
  ]);
});

test('a refused connection, or a 4xx to MAIL, moves on to the next MX; a 5xx does not', () => {
  const net = new StringNet();
  net.refused.add('127.0.0.1');
  const refused = sendMail(base(net, { host: undefined, resolver: fakeResolver(mxTables) }));
  assert.equal(net.hosts, ['127.0.0.1', '::1']);
  assert.is(delivers(net.last, refused).server.name, 'mx2.b.test');
  net.refused.clear();

  const busy = sendMail(base(net, { host: undefined, resolver: fakeResolver(mxTables) }));
  const first = net.last;
  greet(first, 'PIPELINING');
  said(first);
  answer(first, '451 4.3.0 try later', '503 no', '503 no');
  quits(first);
  assert.is(delivers(net.last, busy).server.name, 'mx2.b.test');

  const before = net.transports.length;
  const permanent = sendMail(base(net, { host: undefined, resolver: fakeResolver(mxTables) }));
  answer(net.last, '554 5.7.1 no service');
  quits(net.last);
  assert.is(errorOf(permanent, SMTPError).replyCode, 554);
  assert.is(net.transports.length, before + 1, 'the next MX was not tried');
});

test('when every MX fails, the last failure is the error', () => {
  const net = new StringNet();
  net.refused.add('127.0.0.1');
  const sending = sendMail(base(net, { host: undefined, resolver: fakeResolver(mxTables) }));
  answer(net.last, '421 4.4.5 full');
  quits(net.last);
  const error = errorOf(sending, SMTPError);
  assert.is(error.replyCode, 421);
});

test('a domain without MX records is its own exchanger (implicit MX); an unknown domain fails with DomainError', () => {
  const net = new StringNet();
  const resolver = fakeResolver({ a: { 'b.test': ['127.0.0.1'] }, nxdomain: ['nowhere.test'] });
  const sending = sendMail(base(net, { host: undefined, resolver }));
  assert.equal(net.hosts, ['127.0.0.1']);
  assert.is(delivers(net.last, sending).server.name, 'b.test');
  const unknown = sendMail(base(net, { host: undefined, to: ['x@nowhere.test'], resolver }));
  assert.instance(failureOf(unknown)?.value, DomainError);
  assert.is(net.transports.length, 1);
});

test('a null MX (RFC 7505) refuses the mail; an exchanger without addresses is skipped', () => {
  const net = new StringNet();
  const nullMx = sendMail(
    base(net, { host: undefined, resolver: fakeResolver({ mx: { 'b.test': [[0, '']] } }) }),
  );
  assert.is(errorOf(nullMx, SMTPClientError).reason, 'null-mx');
  const resolver = fakeResolver({
    mx: {
      'b.test': [
        [10, 'gone.b.test'],
        [20, 'mx2.b.test'],
      ],
    },
    aaaa: { 'mx2.b.test': ['::1'] },
  });
  const sending = sendMail(base(net, { host: undefined, resolver }));
  assert.equal(net.hosts, ['::1']);
  assert.is(delivers(net.last, sending).server.name, 'mx2.b.test');
  const nowhere = sendMail(
    base(net, { host: undefined, resolver: fakeResolver({ mx: { 'b.test': [[10, 'gone.b.test']] } }) }),
  );
  assert.is(errorOf(nowhere, SMTPClientError).reason, 'no-exchanger');
});

test('exchangers of equal preference are tried in a random order', () => {
  const records = (['a', 'b', 'c', 'd'] as const).map(
    (name, n): RecordOf<'MX'> => ({
      name: 'x.test',
      class: 'IN',
      ttl: 60,
      type: 'MX',
      preference: n < 2 ? 10 : 20,
      exchange: name,
    }),
  );
  const orders = new Set<string>();
  for (const random of [() => 0, () => 0.99, () => 0.5]) {
    const order = orderExchangers(records, random).map((mx) => mx.name);
    assert.equal(new Set(order.slice(0, 2)), new Set(['a', 'b']), 'preference 10 first');
    orders.add(order.join(''));
  }
  assert.ok(orders.size > 1, [...orders].join());
  const net = new StringNet();
  const resolver = fakeResolver({
    mx: {
      'b.test': [
        [10, 'mx1.b.test'],
        [10, 'mx2.b.test'],
      ],
    },
    ...{ a: { 'mx1.b.test': ['127.0.0.1'] }, aaaa: { 'mx2.b.test': ['::1'] } },
  });
  net.refused.add('127.0.0.1').add('::1');
  const firsts = new Set<string>();
  for (let run = 0; run < 40 && firsts.size < 2; run++) {
    const start = net.endpoints.length;
    failureOf(sendMail(base(net, { host: undefined, resolver })));
    firsts.add(net.hosts[start]!);
  }
  assert.is(firsts.size, 2, 'both exchangers came first in 40 runs');
});

test('an address literal domain is delivered to without a lookup', () => {
  const net = new StringNet();
  const resolver = fakeResolver({});
  const sending = sendMail(base(net, { host: undefined, to: ['bob@[127.0.0.1]'], resolver }));
  assert.equal(net.hosts, ['127.0.0.1']);
  assert.equal(resolver.asked, []);
  delivers(net.last, sending);
});

const { key, cert } = throwawayCertificate();

/** A memory reactor with the scripted server on port 25; closes it after `body`. */
async function withServer(
  options: Parameters<typeof scriptedServer>[0],
  body: (reactor: MemoryReactor, script: ReturnType<typeof scriptedServer>['script']) => Promise<void>,
): Promise<void> {
  const reactor = new MemoryReactor({ clock: trackedClock() });
  const { script, server } = scriptedServer(options);
  const listening = listen('tcp:25', server, { reactor });
  try {
    await body(reactor, script);
    await reactor.flush();
  } finally {
    await listening.close();
  }
}

test('STARTTLS: the upgrade, the certificate verified against the given CA, EHLO again, then AUTH', async () => {
  await withServer(
    { extensions: ['PIPELINING', 'STARTTLS', 'AUTH PLAIN'], tls: { key, cert } },
    async (reactor, script) => {
      const result = await sendMail({
        from: 'ann@a.test',
        to: 'bob@b.test',
        message: 'Subject: tls\r\n\r\nsecret\r\n',
        host: 'localhost',
        tls: 'starttls',
        tlsOptions: { ca: cert },
        auth: { user: 'ann', password: 's3cret' },
        clientName: 'client.test',
        reactor,
      });
      assert.is(result.reply.code, 250);
      await reactor.flush();
      assert.equal(script.commands, [
        'EHLO client.test',
        'STARTTLS',
        'EHLO client.test',
        `AUTH PLAIN ${Buffer.from('\0ann\0s3cret').toString('base64')}`,
        'MAIL FROM:<ann@a.test>',
        'RCPT TO:<bob@b.test>',
        'DATA',
        'QUIT',
      ]);
      assert.equal(script.messages, ['Subject: tls\r\n\r\nsecret\r\n']);
    },
  );
});

test('STARTTLS: a certificate the client cannot verify fails with CertificateError; a server without STARTTLS is refused', async () => {
  await withServer({ extensions: ['STARTTLS'], tls: { key, cert } }, async (reactor, script) => {
    const options = { from: 'a@a.test', to: 'b@b.test', message, host: 'localhost', reactor } as const;
    const error = await sendMail({ ...options, tls: 'starttls' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, CertificateError);
    assert.not.ok(script.commands.includes('MAIL FROM:<a@a.test>'));
  });
  await withServer({ extensions: ['PIPELINING'] }, async (reactor, script) => {
    const error = await sendMail({
      from: 'a@a.test',
      to: 'b@b.test',
      message,
      host: 'localhost',
      tls: 'starttls',
      reactor,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, SMTPClientError);
    assert.is((error as SMTPClientError).reason, 'starttls');
    await reactor.flush();
    assert.equal(script.commands.slice(1), ['QUIT']);
  });
});

/**
 * Sends a message to the scripted server over STARTTLS, the server answering STARTTLS with
 * `startTLSAnswer`; gives what sendMail fired or failed with, and the script once all is done.
 */
async function sendAfterSTARTTLS(startTLSAnswer: string) {
  let outcome: unknown;
  let seen: ReturnType<typeof scriptedServer>['script'] | undefined;
  await withServer(
    { extensions: ['STARTTLS'], tls: { key, cert }, startTLSAnswer },
    async (reactor, script) => {
      const options = { host: 'localhost', tls: 'starttls', tlsOptions: { ca: cert }, reactor } as const;
      outcome = await sendMail({
        from: 'a@a.test',
        to: 'b@b.test',
        message,
        clientName: 'client.test',
        ...options,
      }).then(
        (result) => result,
        (error: unknown) => error,
      );
      seen = script;
    },
  );
  return { outcome, script: seen! };
}

test('STARTTLS: a reply injected in the clear after the 220 fails with SMTPReplyError; nothing more is sent', async () => {
  const { outcome, script } = await sendAfterSTARTTLS('220 go ahead\r\n250 injected\r\n');
  assert.instance(outcome, SMTPReplyError);
  assert.is(
    (outcome as SMTPReplyError).message,
    'the SMTP server sent replies in the clear after its reply to STARTTLS',
  );
  assert.equal(script.commands, ['EHLO client.test', 'STARTTLS']);
});

test('STARTTLS: part of a line in the clear after the 220 is dropped; the session goes on over TLS', async () => {
  const { outcome, script } = await sendAfterSTARTTLS('220 go ahead\r\n250 inj');
  assert.is((outcome as SendMailResult).reply.text, '2.0.0 queued');
  assert.equal(script.commands, [
    'EHLO client.test',
    'STARTTLS',
    'EHLO client.test',
    'MAIL FROM:<a@a.test>',
    'RCPT TO:<b@b.test>',
    'DATA',
    'QUIT',
  ]);
  assert.equal(script.messages, [message]);
});

test('a big streamed message goes through with backpressure, dot-stuffed line by line', async () => {
  await withServer({}, async (reactor, script) => {
    const line = '.a line that starts with a dot and is long enough to fill buffers quickly\n';
    async function* body() {
      yield 'Subject: big\n\n';
      for (let n = 0; n < 5000; n++) yield line;
    }
    const result = await sendMail({
      from: 'a@a.test',
      to: 'b@b.test',
      message: body(),
      host: 'mx',
      tls: 'none',
      reactor,
    });
    assert.is(result.reply.code, 250);
    await reactor.flush();
    const stuffed = `.${line.replace('\n', '\r\n')}`;
    assert.is(script.messages[0], `Subject: big\r\n\r\n${stuffed.repeat(5000)}`);
  });
});

test.run();
