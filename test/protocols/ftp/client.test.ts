import { of } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectFtp, type FtpClient, type FtpClientOptions } from '../../../protocols/ftp/client.js';
import { FTPError } from '../../../protocols/ftp/ftp-client-error.js';
import { ReplyError } from '../../../protocols/ftp/reply-error.js';
import type { Connection } from '../../../source/connection.js';
import { type Deferred, succeed } from '../../../source/deferred.js';
import type { ClientEndpoint } from '../../../source/endpoint-description.js';
import { CancelledError, ConnectionDone, ConnectionLost, TimeoutError } from '../../../source/errors.js';
import { checkClean, trackedClock } from '../../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../../source/testing/memory-reactor.js';
import { StringTransport } from '../../../source/testing/string-transport.js';
import { chunkings } from '../../support/chunkings.js';
import { failureOf } from '../../support/failure-of.js';

const test = checkClean(suite('protocols/ftp/client'));
const decoder = new TextDecoder();

/**
 * A reactor whose every connection is a `StringTransport` the test plays the server on: the
 * first is the control connection, the next ones data connections. All synchronous.
 */
class StringNet extends MemoryReactor {
  readonly transports: StringTransport[] = [];
  /** Where each connection went. */
  readonly endpoints: ClientEndpoint[] = [];

  constructor() {
    super({ clock: trackedClock() });
  }

  override connectStream(endpoint: ClientEndpoint): Deferred<Connection> {
    this.endpoints.push(endpoint);
    const host = endpoint.type === 'unix' ? '' : endpoint.host;
    const port = endpoint.type === 'unix' ? 0 : endpoint.port;
    const transport = new StringTransport({
      side: 'client',
      localAddress: { type: 'tcp', host: '127.0.0.1', port: 40000 + this.transports.length, family: 'IPv4' },
      remoteAddress: { type: 'tcp', host, port, family: 'IPv4' },
    });
    this.transports.push(transport);
    return succeed(transport);
  }

  /** The newest data connection. */
  get data(): StringTransport {
    return this.transports[this.transports.length - 1]!;
  }
}

/** A client on a `StringNet`, greeted and ready; `said()` is what it sent since last asked. */
function setup(options: FtpClientOptions = {}) {
  const net = new StringNet();
  const connecting = connectFtp({ host: '127.0.0.1', port: 21 }, { reactor: net, ...options });
  const control = net.transports[0]!;
  control.receive('220 ready\r\n');
  let client: FtpClient | undefined;
  connecting.addCallback((ready) => {
    client = ready;
  });
  assert.ok(client, 'connected');
  return {
    net,
    control,
    client: client!,
    /** The command lines sent since the last call. */
    said(): string[] {
      const text = control.text();
      control.clear();
      return text.split('\r\n').filter((line) => line !== '');
    },
    /** The server answers. */
    reply(text: string): void {
      control.receive(text.endsWith('\n') ? text : `${text}\r\n`);
    },
    close(): void {
      client!.close();
    },
  };
}

/** The reply code of the `FTPError` a Deferred failed with (it must have). */
function replyCodeOf(d: Deferred<unknown>): number {
  const error = failureOf(d)?.value;
  assert.instance(error, FTPError);
  return (error as FTPError).replyCode;
}

/** The result a Deferred fired with (it must have). */
function resultOf<T>(d: Deferred<T>): T {
  let value: { v: T } | undefined;
  d.addCallback((v) => {
    value = { v };
    return v;
  });
  assert.ok(value, 'the Deferred has fired with a result');
  return value!.v;
}

const features =
  '211-Features:\r\n EPSV\r\n MDTM\r\n MLST type*;size*;modify*;\r\n REST STREAM\r\n SIZE\r\n UTF8\r\n211 End\r\n';

test('connectFtp reads the greeting, waiting past a 120, and fires with the client', () => {
  const net = new StringNet();
  let client: FtpClient | undefined;
  connectFtp({ host: '127.0.0.1', port: 2121 }, { reactor: net }).addCallback((c) => {
    client = c;
  });
  assert.equal(net.endpoints[0], { type: 'tcp', host: '127.0.0.1', port: 2121 });
  net.transports[0]!.receive('120 ready in 1 minute\r\n');
  assert.is(client, undefined);
  net.transports[0]!.receive('220-Welcome\r\n to the test\r\n220 ready\r\n');
  assert.ok(client);
  client!.close();
});

test('a greeting other than 220 fails connectFtp with FTPError and drops the connection', () => {
  const net = new StringNet();
  const connecting = connectFtp({ host: '127.0.0.1', port: 21 }, { reactor: net });
  net.transports[0]!.receive('421 Too many users\r\n');
  const failure = failureOf(connecting);
  assert.instance(failure?.value, FTPError);
  assert.is((failure!.value as FTPError).replyCode, 421);
  assert.is((failure!.value as FTPError).protocolCode, 421);
  assert.ok(net.transports[0]!.aborted);
});

test('login sends USER then PASS and fires with the 230 reply', () => {
  const t = setup();
  const login = t.client.login('alice', 's3cret');
  assert.equal(t.said(), ['USER alice']);
  t.reply('331 Password please');
  assert.equal(t.said(), ['PASS s3cret']);
  t.reply('230 Welcome');
  assert.is(resultOf(login).code, 230);
  t.close();
});

test('login sends ACCT when the server asks for an account, and fails without one', () => {
  const t = setup();
  const withAccount = t.client.login('alice', 'pw', 'sales');
  t.said();
  t.reply('331 Password please');
  t.reply('332 Account please');
  assert.equal(t.said(), ['PASS pw', 'ACCT sales']);
  t.reply('230 OK');
  assert.is(resultOf(withAccount).code, 230);
  const without = t.client.login('bob', 'pw');
  t.reply('331 Password please');
  t.reply('332 Account please');
  const error = failureOf(without)?.value as FTPError;
  assert.instance(error, FTPError);
  assert.is(error.replyCode, 332);
  t.close();
});

test('a refused login fails with FTPError carrying the code, never showing the password', () => {
  const t = setup();
  const login = t.client.login('alice', 'hunter2');
  t.reply('331 Password please');
  t.reply('530 Login incorrect.');
  const error = failureOf(login)?.value as FTPError;
  assert.instance(error, FTPError);
  assert.is(error.replyCode, 530);
  assert.is(error.command, 'PASS');
  assert.not.match(error.message, /hunter2/);
  assert.match(error.message, /530 Login incorrect/);
  assert.not.ok(error.transient);
  t.close();
});

test('an error reply fails only its operation: the next one goes on', () => {
  const t = setup();
  const cwd = t.client.cwd('missing');
  const pwd = t.client.pwd();
  assert.equal(t.said(), ['CWD missing']);
  t.reply('550 No such directory.');
  assert.is(replyCodeOf(cwd), 550);
  assert.equal(t.said(), ['PWD']);
  t.reply('257 "/" is the current directory');
  assert.is(resultOf(pwd), '/');
  t.close();
});

test('pwd and mkdir read a 257 path with doubled quotes (RFC 959 appendix II)', () => {
  const t = setup();
  const pwd = t.client.pwd();
  t.reply('257 "/a ""quoted"" dir" is current');
  assert.is(resultOf(pwd), '/a "quoted" dir');
  const mkdir = t.client.mkdir('new');
  t.said();
  t.reply('257 "/new" created');
  assert.is(resultOf(mkdir), '/new');
  t.close();
});

test('operations run one at a time, in the order asked', () => {
  const t = setup();
  const order: string[] = [];
  t.client.pwd().addCallback(() => order.push('pwd'));
  t.client.cwd('pub').addCallback(() => order.push('cwd'));
  t.client.cdup().addCallback(() => order.push('cdup'));
  assert.equal(t.said(), ['PWD'], 'only the first is sent');
  t.reply('257 "/"');
  assert.equal(t.said(), ['CWD pub']);
  t.reply('250 OK');
  assert.equal(t.said(), ['CDUP']);
  t.reply('200 OK');
  assert.equal(order, ['pwd', 'cwd', 'cdup']);
  t.close();
});

test('replies arriving in pieces, split at every byte, are read whole', () => {
  for (const { label, chunks } of chunkings(Buffer.from(features))) {
    const t = setup();
    const asked = t.client.features();
    assert.equal(t.said(), ['FEAT'], label);
    for (const chunk of chunks) t.control.receive(chunk);
    const found = resultOf(asked);
    assert.equal([...found.keys()], ['EPSV', 'MDTM', 'MLST', 'REST', 'SIZE', 'UTF8'], label);
    assert.is(found.get('MLST'), 'type*;size*;modify*;', label);
    t.close();
  }
});

test('several replies in one chunk go to the operations waiting in turn', () => {
  const t = setup();
  const a = t.client.cwd('a');
  const b = t.client.cwd('b');
  t.said();
  t.reply('250 one\r\n250 two');
  assert.is(resultOf(a).text, 'one');
  assert.equal(t.said(), ['CWD b']);
  assert.is(resultOf(b).text, 'two');
  t.close();
});

test('FEAT is asked once; a server without it has no features', () => {
  const t = setup();
  const first = t.client.features();
  t.said();
  t.reply('502 Command not implemented.');
  assert.is(resultOf(first).size, 0);
  const second = t.client.features();
  assert.equal(t.said(), [], 'remembered');
  assert.is(resultOf(second).size, 0);
  t.close();
});

test('size sends TYPE I first (servers refuse SIZE in ASCII mode), once; mtime reads MDTM', () => {
  const t = setup();
  const size = t.client.size('a.bin');
  assert.equal(t.said(), ['TYPE I']);
  t.reply('200 Binary');
  assert.equal(t.said(), ['SIZE a.bin']);
  t.reply('213 1234');
  assert.is(resultOf(size), 1234);
  const again = t.client.size('b.bin');
  assert.equal(t.said(), ['SIZE b.bin']);
  t.reply('213 5');
  assert.is(resultOf(again), 5);
  const mtime = t.client.mtime('a.bin');
  assert.equal(t.said(), ['MDTM a.bin']);
  t.reply('213 20240102150405');
  assert.equal(resultOf(mtime), new Date('2024-01-02T15:04:05Z'));
  t.close();
});

test('rename sends RNFR then RNTO; delete, rmdir and command send their lines', () => {
  const t = setup();
  const rename = t.client.rename('a', 'b');
  assert.equal(t.said(), ['RNFR a']);
  t.reply('350 Ready');
  assert.equal(t.said(), ['RNTO b']);
  t.reply('250 Renamed');
  assert.is(resultOf(rename).code, 250);
  t.client.delete('c');
  assert.equal(t.said(), ['DELE c']);
  t.reply('250 Deleted');
  t.client.rmdir('d');
  assert.equal(t.said(), ['RMD d']);
  t.reply('250 Removed');
  const site = t.client.command('SITE CHMOD 644 e');
  assert.equal(t.said(), ['SITE CHMOD 644 e']);
  t.reply('200 OK');
  assert.is(resultOf(site).code, 200);
  t.close();
});

test('a RNFR refused fails rename without sending RNTO', () => {
  const t = setup();
  const rename = t.client.rename('missing', 'b');
  t.said();
  t.reply('550 No such file');
  assert.is(replyCodeOf(rename), 550);
  assert.equal(t.said(), []);
  t.close();
});

test('a line with a CR or LF is refused before anything is sent', () => {
  const t = setup();
  const cwd = t.client.cwd('a\r\nDELE b');
  assert.instance(failureOf(cwd)?.value, TypeError);
  assert.equal(t.said(), []);
  const pwd = t.client.pwd();
  assert.equal(t.said(), ['PWD'], 'the session goes on');
  t.reply('257 "/"');
  resultOf(pwd);
  t.close();
});

test('cancelling a queued operation takes it out of the queue: it is never sent', () => {
  const t = setup();
  const pwd = t.client.pwd();
  const cwd = t.client.cwd('x');
  const cdup = t.client.cdup();
  cwd.cancel();
  assert.instance(failureOf(cwd)?.value, CancelledError);
  t.said();
  t.reply('257 "/"');
  resultOf(pwd);
  assert.equal(t.said(), ['CDUP']);
  t.reply('200 OK');
  resultOf(cdup);
  t.close();
});

test('cancelling an operation under way fails it at once; its reply is still read, not given to the next', () => {
  const t = setup();
  const cwd = t.client.cwd('slow');
  const pwd = t.client.pwd();
  cwd.cancel();
  assert.instance(failureOf(cwd)?.value, CancelledError);
  assert.equal(t.said(), ['CWD slow']);
  t.reply('250 OK');
  assert.equal(t.said(), ['PWD']);
  t.reply('257 "/slow"');
  assert.is(resultOf(pwd), '/slow');
  t.close();
});

test('no reply within the timeout drops the connection: TimeoutError for it and those waiting', () => {
  const t = setup({ timeout: 10 });
  const pwd = t.client.pwd();
  const cwd = t.client.cwd('x');
  t.net.clock.advance(9);
  assert.not.ok(pwd.called);
  t.net.clock.advance(1);
  assert.instance(failureOf(pwd)?.value, TimeoutError);
  assert.instance(failureOf(cwd)?.value, TimeoutError);
  assert.ok(t.control.aborted);
});

test('the timeout counts from the last reply: a slow conversation that keeps talking goes on', () => {
  const t = setup({ timeout: 10 });
  const a = t.client.cwd('a');
  const b = t.client.cwd('b');
  t.net.clock.advance(8);
  t.reply('250 OK');
  t.net.clock.advance(8);
  t.reply('250 OK');
  resultOf(a);
  resultOf(b);
  t.close();
});

test('a reply that is not FTP drops the connection with ReplyError', () => {
  const t = setup();
  const pwd = t.client.pwd();
  t.reply('HTTP/1.1 400 Bad Request');
  assert.instance(failureOf(pwd)?.value, ReplyError);
  assert.ok(t.control.aborted);
  const after = t.client.cdup();
  assert.instance(failureOf(after)?.value, ReplyError, 'later operations fail the same way');
});

test('the server closing the control connection fails what waits with ConnectionDone', () => {
  const t = setup();
  const pwd = t.client.pwd();
  t.control.receive('421 Shutting down\r\n');
  assert.is(replyCodeOf(pwd), 421);
  const cwd = t.client.cwd('x');
  t.control.receiveEnd();
  assert.instance(failureOf(cwd)?.value, ConnectionDone);
});

test('quit sends QUIT, closes after the 221, and refuses operations after it', () => {
  const t = setup();
  const pwd = t.client.pwd();
  const quit = t.client.quit();
  assert.instance(failureOf(t.client.cdup())?.value, ConnectionDone);
  assert.equal(t.said(), ['PWD']);
  t.reply('257 "/"');
  resultOf(pwd);
  assert.equal(t.said(), ['QUIT']);
  t.reply('221 Bye');
  assert.ok(quit.called);
  assert.ok(t.control.closedByProtocol);
});

test('close fails what waits with ConnectionDone at once', () => {
  const t = setup();
  const pwd = t.client.pwd();
  const cwd = t.client.cwd('x');
  t.client.close();
  assert.instance(failureOf(pwd)?.value, ConnectionDone);
  assert.instance(failureOf(cwd)?.value, ConnectionDone);
});

/** Starts a passive transfer: TYPE I and EPSV answered; the data connection is `net.data`. */
function passive(t: ReturnType<typeof setup>, port = 50000): void {
  assert.equal(t.said(), ['TYPE I']);
  t.reply('200 Binary');
  assert.equal(t.said(), ['EPSV']);
  t.reply(`229 Entering Extended Passive Mode (|||${port}|)`);
}

test('retrieve: EPSV, connect to the control peer, RETR; the body streams and ends after 226', async () => {
  const t = setup();
  const retrieve = t.client.retrieve('a.txt');
  passive(t);
  assert.equal(t.net.endpoints[1], { type: 'tcp', host: '127.0.0.1', port: 50000, timeout: 30 });
  assert.equal(t.said(), ['RETR a.txt']);
  assert.not.ok(retrieve.called, 'not before the server says it starts');
  t.reply('150 Opening BINARY mode data connection');
  const body = resultOf(retrieve);
  const whole = body.readAll();
  t.net.data.receive('hello ');
  t.net.data.receive('world');
  t.net.data.receiveEnd();
  assert.not.ok(whole.called, 'not before the 226');
  t.reply('226 Transfer complete');
  assert.is(decoder.decode(resultOf(whole)), 'hello world');
  const pwd = t.client.pwd();
  assert.equal(t.said(), ['PWD'], 'the control connection is free again');
  t.reply('257 "/"');
  resultOf(pwd);
  t.close();
});

test('retrieve: a 226 before the data has ended waits for its end', () => {
  const t = setup();
  const retrieve = t.client.retrieve('a.txt');
  passive(t);
  t.said();
  t.reply('150 Here it comes');
  const whole = resultOf(retrieve).readAll();
  t.net.data.receive('abc');
  t.reply('226 Done');
  assert.not.ok(whole.called);
  t.net.data.receiveEnd();
  assert.is(decoder.decode(resultOf(whole)), 'abc');
  t.close();
});

test('retrieve with an offset sends REST first', () => {
  const t = setup();
  const retrieve = t.client.retrieve('big.iso', { offset: 1000 });
  assert.equal(t.said(), ['TYPE I']);
  t.reply('200 Binary');
  assert.equal(t.said(), ['REST 1000']);
  t.reply('350 Restarting at 1000');
  assert.equal(t.said(), ['EPSV']);
  t.reply('229 (|||50001|)');
  assert.equal(t.said(), ['RETR big.iso']);
  t.reply('150 OK');
  const whole = resultOf(retrieve).readAll();
  t.net.data.receiveEnd();
  t.reply('226 OK');
  assert.is(resultOf(whole).byteLength, 0);
  t.close();
});

test('retrieve refused (550) fails with FTPError and drops the data connection', () => {
  const t = setup();
  const retrieve = t.client.retrieve('missing');
  passive(t);
  t.said();
  t.reply('550 No such file');
  assert.is(replyCodeOf(retrieve), 550);
  assert.ok(t.net.data.aborted);
  const pwd = t.client.pwd();
  assert.equal(t.said(), ['PWD']);
  t.close();
  assert.instance(failureOf(pwd)?.value, ConnectionDone);
});

test('a transfer the server aborts (426) fails the body with FTPError', () => {
  const t = setup();
  const retrieve = t.client.retrieve('a.txt');
  passive(t);
  t.said();
  t.reply('150 OK');
  const whole = resultOf(retrieve).readAll();
  t.net.data.receive('partial');
  t.net.data.receiveEnd();
  t.reply('426 Connection closed; transfer aborted');
  assert.is(replyCodeOf(whole), 426);
  t.close();
});

test('a download pauses its data connection while the reader lags, and goes on once it reads', async () => {
  const t = setup({ highWaterMark: 8 });
  const retrieve = t.client.retrieve('a.txt');
  passive(t);
  t.said();
  t.reply('150 OK');
  const body = resultOf(retrieve);
  const data = t.net.data;
  const iterator = body[Symbol.asyncIterator]();
  const first = iterator.next();
  data.receive('0123456789');
  assert.is(decoder.decode((await first).value as Uint8Array), '0123456789');
  data.receive('abcdefghij');
  assert.not.ok(data.reading, 'paused: 10 bytes wait unread, past the high-water mark of 8');
  assert.is(decoder.decode((await iterator.next()).value as Uint8Array), 'abcdefghij');
  assert.ok(data.reading, 'resumed once read');
  data.receiveEnd();
  t.reply('226 OK');
  assert.ok((await iterator.next()).done);
  t.close();
});

test('a reader that leaves early drops the data connection; the final reply is read, the session goes on', async () => {
  const t = setup();
  const retrieve = t.client.retrieve('a.txt');
  passive(t);
  t.said();
  t.reply('150 OK');
  const body = resultOf(retrieve);
  const data = t.net.data;
  data.receive('first');
  for await (const chunk of body) {
    assert.is(decoder.decode(chunk), 'first');
    break;
  }
  assert.ok(data.aborted);
  const pwd = t.client.pwd();
  assert.equal(t.said(), [], 'the next operation waits for the final reply');
  t.reply('426 Transfer aborted');
  assert.equal(t.said(), ['PWD']);
  t.reply('257 "/"');
  resultOf(pwd);
  t.close();
});

test('a data connection that stands still past the timeout fails the download with TimeoutError', () => {
  const t = setup({ timeout: 10 });
  const retrieve = t.client.retrieve('a.txt');
  passive(t);
  t.said();
  t.reply('150 OK');
  const whole = resultOf(retrieve).readAll();
  t.net.data.receive('some');
  t.net.clock.advance(10);
  assert.ok(t.net.data.aborted);
  t.reply('426 aborted');
  assert.instance(failureOf(whole)?.value, TimeoutError);
  t.close();
});

test('cancelling a retrieve before the server starts drops the data connection and reads its reply', () => {
  const t = setup();
  const retrieve = t.client.retrieve('a.txt');
  passive(t);
  t.said();
  retrieve.cancel();
  assert.instance(failureOf(retrieve)?.value, CancelledError);
  assert.ok(t.net.data.aborted);
  const pwd = t.client.pwd();
  t.reply('425 Cannot open data connection');
  assert.equal(t.said(), ['PWD']);
  t.reply('257 "/"');
  resultOf(pwd);
  t.close();
});

test('EPSV refused with 500 or 502: PASV instead, from then on', () => {
  for (const code of [500, 502]) {
    const t = setup();
    const first = t.client.retrieve('a');
    assert.equal(t.said(), ['TYPE I']);
    t.reply('200 Binary');
    assert.equal(t.said(), ['EPSV']);
    t.reply(`${code} Unknown command`);
    assert.equal(t.said(), ['PASV']);
    t.reply('227 Entering Passive Mode (127,0,0,1,195,80).');
    assert.equal(t.net.endpoints[1], { type: 'tcp', host: '127.0.0.1', port: 50000, timeout: 30 });
    assert.equal(t.said(), ['RETR a']);
    t.reply('150 OK');
    t.net.data.receiveEnd();
    t.reply('226 OK');
    resultOf(first);
    const second = t.client.retrieve('b');
    assert.equal(t.said(), ['PASV'], `remembered after ${code}`);
    t.close();
    assert.instance(failureOf(second)?.value, ConnectionDone);
  }
});

test('EPSV refused otherwise (530) fails the transfer with FTPError', () => {
  const u = setup();
  const again = u.client.retrieve('a');
  u.said();
  u.reply('200 Binary');
  u.said();
  u.reply('530 Please login');
  assert.is(replyCodeOf(again), 530);
  assert.equal(u.said(), []);
  u.close();
});

test('a PASV reply naming another address is not followed: the data connection goes to the control peer', () => {
  const t = setup();
  const first = t.client.retrieve('a');
  t.said();
  t.reply('200 Binary');
  t.said();
  t.reply('502 no EPSV');
  t.said();
  t.reply('227 Entering Passive Mode (10,9,8,7,4,1)');
  assert.equal(t.net.endpoints[1], { type: 'tcp', host: '127.0.0.1', port: 1025, timeout: 30 });
  t.close();
  failureOf(first);
});

/** The memory server the client listens on in active mode, and a data connection arriving from `host`. */
function serverConnects(net: StringNet, host: string): StringTransport {
  const listener = [...net.servers][0]!;
  const data = new StringTransport({
    remoteAddress: { type: 'tcp', host, port: 20, family: 'IPv4' },
  });
  listener.accept(data);
  return data;
}

test('active mode: EPRT names the address listened on; the server connects; the listener closes after', () => {
  const t = setup({ mode: 'active' });
  const retrieve = t.client.retrieve('a.txt');
  assert.equal(t.said(), ['TYPE I']);
  t.reply('200 Binary');
  assert.equal(t.said(), ['EPRT |1|127.0.0.1|49152|']);
  t.reply('200 EPRT OK');
  assert.equal(t.said(), ['RETR a.txt']);
  t.reply('150 Opening data connection');
  assert.not.ok(retrieve.called, 'not before the server connects');
  const data = serverConnects(t.net, '127.0.0.1');
  const whole = resultOf(retrieve).readAll();
  data.receive('active');
  data.receiveEnd();
  t.reply('226 Done');
  assert.is(decoder.decode(resultOf(whole)), 'active');
  assert.is(t.net.servers.size, 0, 'no longer listening');
  t.close();
});

test('active mode: EPRT refused with 500 means PORT, from then on', () => {
  const t = setup({ mode: 'active' });
  const first = t.client.nlst();
  t.said();
  t.reply('200 Binary');
  assert.equal(t.said(), ['EPRT |1|127.0.0.1|49152|']);
  t.reply('500 Unknown command');
  assert.equal(t.said(), ['PORT 127,0,0,1,192,0']);
  t.reply('200 PORT OK');
  assert.equal(t.said(), ['NLST']);
  t.reply('150 OK');
  const data = serverConnects(t.net, '127.0.0.1');
  data.receiveEnd();
  t.reply('226 Done');
  assert.equal(resultOf(first), []);
  const second = t.client.nlst();
  assert.match(t.said()[0]!, /^PORT /, 'remembered');
  t.close();
  assert.instance(failureOf(second)?.value, ConnectionDone);
});

test('active mode: a data connection from another host than the server is refused', () => {
  const t = setup({ mode: 'active' });
  const retrieve = t.client.retrieve('a.txt');
  t.said();
  t.reply('200 Binary');
  t.said();
  t.reply('200 EPRT OK');
  t.said();
  t.reply('150 OK');
  const intruder = serverConnects(t.net, '10.9.8.7');
  assert.ok(intruder.aborted);
  t.reply('425 No data connection');
  assert.match(failureOf(retrieve)?.value.message ?? '', /came from 10\.9\.8\.7/);
  assert.is(t.net.servers.size, 0);
  t.close();
});

test('active mode: the server never connecting fails the transfer after the timeout', () => {
  const t = setup({ mode: 'active', timeout: 5 });
  const retrieve = t.client.retrieve('a.txt');
  t.said();
  t.reply('200 Binary');
  t.said();
  t.reply('200 EPRT OK');
  t.said();
  t.reply('150 OK');
  t.net.clock.advance(5);
  t.reply('425 No data connection');
  assert.instance(failureOf(retrieve)?.value, TimeoutError);
  assert.is(t.net.servers.size, 0);
  t.close();
});

test('list uses MLSD when FEAT offers MLST, leaving out the folder itself and its parent', () => {
  const t = setup();
  const list = t.client.list('pub');
  assert.equal(t.said(), ['FEAT']);
  t.reply(features);
  passive(t);
  assert.equal(t.said(), ['MLSD pub']);
  t.reply('150 Listing');
  t.net.data.receive('type=cdir;modify=20240101000000; .\r\ntype=pdir;modify=20240101000000; ..\r\n');
  t.net.data.receive('type=file;size=12;modify=20240102150405; a b.txt\r\n');
  t.net.data.receive('type=dir;modify=20240103000000; sub\r\n');
  t.net.data.receiveEnd();
  t.reply('226 Done');
  const entries = resultOf(list);
  assert.equal(
    entries.map((entry) => [entry.name, entry.kind, entry.size]),
    [
      ['a b.txt', 'file', 12],
      ['sub', 'directory', 0],
    ],
  );
  assert.equal(entries[0]!.modified, new Date('2024-01-02T15:04:05Z'));
  t.close();
});

test('list falls back on LIST without MLST, reading Unix and DOS lines', () => {
  const t = setup();
  const list = t.client.list();
  t.said();
  t.reply('211-Features:\r\n SIZE\r\n211 End');
  passive(t);
  assert.equal(t.said(), ['LIST']);
  t.reply('150 Listing');
  t.net.data.receive(
    'total 8\r\n' +
      'drwxr-xr-x   2 ftp      ftp          4096 Mar 15  2021 .\r\n' +
      '-rw-r--r--   1 ftp      ftp          1234 Jan 02  2020 notes.txt\r\n' +
      '01-02-20  03:04PM                 5678 report.doc\r\n' +
      '01-03-20  10:00AM       <DIR>          docs\r\n',
  );
  t.net.data.receiveEnd();
  t.reply('226 Done');
  assert.equal(
    resultOf(list).map((entry) => [entry.name, entry.kind, entry.size]),
    [
      ['notes.txt', 'file', 1234],
      ['report.doc', 'file', 5678],
      ['docs', 'directory', 0],
    ],
  );
  t.close();
});

test('nlst gives the names, one a line', () => {
  const t = setup();
  const nlst = t.client.nlst('pub');
  passive(t);
  assert.equal(t.said(), ['NLST pub']);
  t.reply('125 Data connection already open');
  t.net.data.receive('a.txt\r\nb.txt\nc d.txt\r\n');
  t.net.data.receiveEnd();
  t.reply('226 Done');
  assert.equal(resultOf(nlst), ['a.txt', 'b.txt', 'c d.txt']);
  t.close();
});

test('an empty listing answered 226 at once, with no 150, is empty', () => {
  const t = setup();
  const nlst = t.client.nlst();
  passive(t);
  t.said();
  t.net.data.receiveEnd();
  t.reply('226 No files');
  assert.equal(resultOf(nlst), []);
  t.close();
});

test('store sends the body on the data connection, closes it, and fires with the bytes after 226', async () => {
  const sources = {
    bytes: () => new Uint8Array([104, 105]),
    string: () => 'hi',
    observable: () => of('h', new Uint8Array([105])),
    iterable: () =>
      (async function* () {
        yield 'h';
        yield 'i';
      })(),
  };
  for (const [kind, source] of Object.entries(sources)) {
    const t = setup();
    const store = t.client.store('up.txt', source());
    passive(t);
    assert.equal(t.said(), ['STOR up.txt'], kind);
    assert.equal(t.net.data.text(), '', `${kind}: nothing before the server says it starts`);
    t.reply('150 OK');
    for (let turns = 0; !t.net.data.closedByProtocol && turns < 20; turns++) await Promise.resolve();
    assert.is(t.net.data.text(), 'hi', kind);
    assert.ok(t.net.data.closedByProtocol, `${kind}: the data connection is closed after the body`);
    assert.not.ok(store.called, `${kind}: not before the 226`);
    t.reply('226 Stored');
    assert.is(resultOf(store), 2, kind);
    t.close();
  }
});

test('store with append sends APPE; with an offset, REST then STOR', () => {
  const t = setup();
  t.client.store('log', 'x', { append: true });
  passive(t);
  assert.equal(t.said(), ['APPE log']);
  t.reply('150 OK');
  t.reply('226 OK');
  t.client.store('big', 'rest', { offset: 4 });
  assert.equal(t.said(), ['REST 4']);
  t.reply('350 OK');
  assert.equal(t.said(), ['EPSV']);
  t.reply('229 (|||50002|)');
  assert.equal(t.said(), ['STOR big']);
  t.reply('150 OK');
  assert.is(t.net.data.text(), 'rest');
  t.reply('226 OK');
  t.close();
});

test('store refused (553) fails with FTPError; a failed final reply (452) too', () => {
  const t = setup();
  const refused = t.client.store('ro/x', 'data');
  passive(t);
  t.said();
  t.reply('553 Not allowed');
  assert.is(replyCodeOf(refused), 553);
  assert.ok(t.net.data.aborted);
  const full = t.client.store('x', 'data');
  t.said();
  t.reply('229 (|||50003|)');
  t.said();
  t.reply('150 OK');
  t.reply('452 Disk full');
  assert.is(replyCodeOf(full), 452);
  t.close();
});

test('store waits for the data connection to drain before reading more of the source', async () => {
  const t = setup();
  let pulled = 0;
  async function* source() {
    for (let n = 0; n < 5; n++) {
      pulled++;
      yield `chunk${n};`;
    }
  }
  const store = t.client.store('up', source());
  passive(t);
  t.said();
  const data = t.net.data;
  data.setWriteBlocked(true);
  t.reply('150 OK');
  for (let turns = 0; turns < 20; turns++) await Promise.resolve();
  assert.is(pulled, 1, 'one chunk, then it waits for the drain');
  data.setWriteBlocked(false);
  for (let turns = 0; !data.closedByProtocol && turns < 50; turns++) await Promise.resolve();
  assert.is(pulled, 5);
  assert.is(data.text(), 'chunk0;chunk1;chunk2;chunk3;chunk4;');
  t.reply('226 OK');
  assert.is(resultOf(store), 35);
  t.close();
});

test('the server dropping the data connection mid-upload fails store with ConnectionLost', async () => {
  const t = setup();
  async function* endless() {
    for (let n = 0; n < 1000; n++) {
      yield 'x';
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const store = t.client.store('up', endless());
  passive(t);
  t.said();
  t.reply('150 OK');
  await new Promise((resolve) => setImmediate(resolve));
  t.net.data.loseConnection(new ConnectionLost('reset'));
  t.reply('426 aborted');
  assert.instance(failureOf(store)?.value, ConnectionLost);
  t.close();
});

test('an upload source that fails aborts the data connection and fails store with its error', async () => {
  const t = setup();
  async function* broken() {
    yield 'a';
    throw new Error('disk read failed');
  }
  const store = t.client.store('up', broken());
  passive(t);
  t.said();
  t.reply('150 OK');
  for (let turns = 0; !t.net.data.aborted && turns < 20; turns++) await Promise.resolve();
  assert.ok(t.net.data.aborted);
  t.reply('426 aborted');
  assert.is(failureOf(store)?.value.message, 'disk read failed');
  t.close();
});

test('TYPE I is sent again after a new login', () => {
  const t = setup();
  t.client.size('a');
  assert.equal(t.said(), ['TYPE I']);
  t.reply('200 OK');
  t.reply('213 1');
  t.said();
  t.client.login('u', 'p');
  t.said();
  t.reply('230 OK');
  t.client.size('a');
  assert.equal(t.said(), ['TYPE I']);
  t.reply('200 OK');
  t.reply('213 1');
  t.close();
});

test('an explicit-TLS client sends AUTH TLS and fails with FTPError when the server refuses it', () => {
  const net = new StringNet();
  const connecting = connectFtp({ host: '127.0.0.1', port: 21 }, { reactor: net, tls: true });
  const control = net.transports[0]!;
  control.receive('220 ready\r\n');
  assert.is(control.text(), 'AUTH TLS\r\n');
  control.receive('502 No TLS here\r\n');
  assert.is(replyCodeOf(connecting), 502);
  assert.ok(control.aborted);
});

test('cancelling connectFtp before the greeting drops the connection', () => {
  const net = new StringNet();
  const connecting = connectFtp({ host: '127.0.0.1', port: 21 }, { reactor: net });
  connecting.cancel();
  assert.instance(failureOf(connecting)?.value, CancelledError);
  assert.ok(net.transports[0]!.aborted);
});

test.run();
