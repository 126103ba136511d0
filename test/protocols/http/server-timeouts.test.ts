import { setImmediate as settle } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpRequest } from '../../../protocols/http/request.js';
import type { HttpResponse } from '../../../protocols/http/response.js';
import { type HttpHandler, type HttpServerOptions, httpServer } from '../../../protocols/http/server.js';
import { Deferred, TimeoutError } from '../../../source/index.js';
import { type Clock, checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/http/server (timeouts)'));

/**
 * A server on a virtual clock (header 30 s, idle 5 s, body 30 s, request 300 s unless given), one
 * connection, and its session.
 */
function serve(handler: HttpHandler, options: HttpServerOptions = {}) {
  const clock = trackedClock();
  const app = httpServer(handler, { clock, ...options });
  const transport = new StringTransport({ allowHalfOpen: true });
  const session = app.serve(transport);
  return { clock, transport, session };
}

/** A handler that reads the whole body and keeps the error its reading met in `seen.error`. */
function reading() {
  const seen: { error?: unknown } = {};
  const handler: HttpHandler = async (request) => {
    try {
      await request.text();
    } catch (error) {
      seen.error = error;
    }
    return { body: 'not sent' };
  };
  return { seen, handler };
}

/** The client sends one body byte every `every` seconds, `count` times. */
function trickle(clock: Clock, transport: StringTransport, count: number, every = 20) {
  for (let i = 0; i < count; i++) {
    clock.advance(every);
    transport.receive('x');
  }
}

const timedOut =
  /^HTTP\/1\.1 408 Request Timeout\r\n.*Connection: close\r\n.*\r\n\r\n408 Request Timeout\n$/s;

const hello: HttpHandler = () => ({ body: 'hello world\n' });
const get = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

test('an idle keep-alive connection is closed after idleTimeout, and each request restarts the wait', () => {
  const { clock, transport } = serve(hello);
  transport.receive(get);
  clock.advance(4);
  transport.receive(get);
  clock.advance(4.9);
  assert.not.ok(transport.closedByProtocol, 'the second request pushed the deadline on');
  clock.advance(0.1);
  assert.ok(transport.closedByProtocol);
  assert.is(transport.text().split('HTTP/1.1 200').length - 1, 2);
});

test('a connection that sends nothing is closed after headerTimeout', () => {
  const { clock, transport } = serve(hello, { headerTimeout: 10 });
  clock.advance(9.9);
  assert.not.ok(transport.closedByProtocol);
  clock.advance(0.1);
  assert.ok(transport.closedByProtocol);
  assert.is(transport.text(), '');
});

test('slowloris: a head still incomplete headerTimeout after its first byte gets 408, however it trickles', () => {
  const { clock, transport } = serve(hello, { headerTimeout: 10 });
  clock.advance(3);
  for (const piece of ['GET / HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n']) {
    transport.receive(piece);
    clock.advance(3);
  }
  assert.match(transport.text(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(transport.text(), 'Connection: close');
  assert.is(clock.seconds(), 15);
  assert.ok(transport.ended);
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
});

test('slowloris after a request: a head begun in the same bytes as a complete one is timed from those bytes', () => {
  const { clock, transport } = serve(hello, { headerTimeout: 10, idleTimeout: 60 });
  transport.receive(`${get}GET /second HTTP/1.1\r\nHo`);
  assert.match(transport.text(), /^HTTP\/1\.1 200 /);
  clock.advance(9.9);
  assert.not.match(transport.text(), '408');
  clock.advance(0.1);
  assert.match(transport.text(), /HTTP\/1\.1 408 Request Timeout\r\n/);
  transport.receiveEnd();
});

test('a body that stops arriving for bodyTimeout errors with TimeoutError and is answered 408', async () => {
  let seen: unknown;
  const { clock, transport } = serve(
    async (request) => {
      try {
        await request.text();
      } catch (error) {
        seen = error;
      }
      return { body: 'not sent' };
    },
    { bodyTimeout: 20 },
  );
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
  await settle();
  clock.advance(15);
  transport.receive('def');
  clock.advance(15);
  assert.is(transport.text(), '', 'each byte restarts the wait');
  clock.advance(5);
  await settle();
  assert.instance(seen, TimeoutError);
  assert.match(transport.text(), /^HTTP\/1\.1 408 /);
  assert.not.match(transport.text(), 'not sent');
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
});

test('no body timeout while the handler does not read, nor while the client waits for 100 Continue', async () => {
  const respond = new Deferred<HttpResponse>();
  const { clock, transport } = serve(() => respond, { bodyTimeout: 5 });
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  clock.advance(60);
  assert.is(transport.text(), '');
  respond.callback({ body: 'ok' });
  assert.match(transport.text(), 'ok');
  transport.loseConnection();
  const full = serve(() => new Deferred<HttpResponse>(), { bodyTimeout: 5 });
  full.transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
  full.transport.receive(Buffer.alloc(70_000));
  assert.not.ok(full.transport.reading, 'the unread body paused the connection');
  full.clock.advance(60);
  assert.not.ok(full.transport.closedByProtocol);
  full.transport.loseConnection();
});

test('the body timeout counts from when the body is read again, not from the bytes before a pause', async () => {
  let request: HttpRequest | undefined;
  const { clock, transport } = serve(
    (incoming) => {
      request = incoming;
      return new Deferred<HttpResponse>();
    },
    { bodyTimeout: 10 },
  );
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
  transport.receive(Buffer.alloc(70_000));
  assert.not.ok(transport.reading);
  clock.advance(60);
  const reading = (async () => {
    for await (const _ of request!.body);
  })().catch((error: unknown) => error);
  await settle();
  assert.ok(transport.reading);
  clock.advance(9);
  assert.not.ok(transport.closedByProtocol || transport.ended, 'the wait started when reading resumed');
  clock.advance(1);
  assert.instance(await reading, TimeoutError);
  transport.loseConnection();
});

test('a client that reads nothing of its streamed echo is not cut by the body timeout: the server paused reading, not the client', async () => {
  const { clock, transport } = serve((request) => ({ body: request.body }), { bodyTimeout: 30 });
  transport.receive('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
  await settle();
  transport.setWriteBlocked(true); // the client reads nothing: the echo fills the write buffer
  transport.receive(Buffer.alloc(1000, 'a'));
  await settle();
  assert.match(transport.text(), /^HTTP\/1\.1 200 OK\r\n.*\r\n\r\n3e8\r\na{1000}\r\n$/s, 'the echo began');
  assert.not.ok(transport.reading, 'the full write buffer paused reading');
  clock.advance(3600);
  await settle();
  assert.not.ok(transport.aborted || transport.ended, 'no timeout while the server held the body back');
  transport.setWriteBlocked(false); // the client reads again
  await settle();
  assert.ok(transport.reading);
  clock.advance(29);
  await settle();
  assert.not.ok(transport.aborted, 'the wait started when reading resumed');
  clock.advance(1);
  await settle();
  assert.ok(transport.aborted, 'then the body timeout counts again: the answer has begun, so it is cut');
});

test('no timeout runs while the handler works', async () => {
  const respond = new Deferred<HttpResponse>();
  const { clock, transport } = serve(() => respond);
  transport.receive(get);
  clock.advance(3600);
  respond.callback({ body: 'done' });
  assert.match(transport.text(), 'done');
  assert.not.ok(transport.closedByProtocol);
  transport.loseConnection();
});

test('a closing connection whose client never closes is closed after idleTimeout', () => {
  const { clock, transport } = serve(hello, { idleTimeout: 2 });
  transport.receive('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.ok(transport.ended);
  clock.advance(1.9);
  assert.not.ok(transport.closedByProtocol);
  clock.advance(0.1);
  assert.ok(transport.closedByProtocol);
});

test('requestTimeout: a body trickling a byte every 20 s, under bodyTimeout, gets 408 at 300 s (the default), then the connection closes', async () => {
  const { seen, handler } = reading();
  const { clock, transport } = serve(handler);
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
  trickle(clock, transport, 14); // bytes at 20 … 280 s
  clock.advance(19);
  assert.is(transport.text(), '', 'nothing at 299 s: each byte came within bodyTimeout');
  clock.advance(1);
  assert.is(clock.seconds(), 300);
  assert.match(transport.text(), timedOut);
  assert.ok(transport.ended, 'FIN after the 408');
  await settle();
  assert.instance(seen.error, TimeoutError);
  assert.is((seen.error as TimeoutError).message, 'the request took more than 300 seconds to arrive');
  assert.is((seen.error as TimeoutError).seconds, 300);
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
});

test('requestTimeout counts the head’s time too, and a custom one takes the place of 300 s', async () => {
  const { seen, handler } = reading();
  const { clock, transport } = serve(handler, { requestTimeout: 60 });
  transport.receive('POST / HTTP/1.1\r\n');
  clock.advance(10);
  transport.receive('Host: x\r\nContent-Length: 100\r\n\r\n');
  trickle(clock, transport, 2); // bytes at 30 and 50 s
  clock.advance(9);
  assert.is(transport.text(), '', 'nothing at 59 s');
  clock.advance(1);
  assert.match(transport.text(), timedOut, '60 s after the head’s first byte, 50 s after its last');
  await settle();
  assert.is((seen.error as TimeoutError).seconds, 60);
  transport.receiveEnd();
});

test('time the server holds the body back by backpressure (the handler not reading) does not count toward requestTimeout', async () => {
  let request: HttpRequest | undefined;
  const { clock, transport } = serve(
    (incoming) => {
      request = incoming;
      return new Deferred<HttpResponse>();
    },
    { requestTimeout: 100 },
  );
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n');
  trickle(clock, transport, 1); // 20 s of the client's time
  clock.advance(20);
  transport.receive(Buffer.alloc(70_000)); // 40 s: the unread body pauses the connection
  assert.not.ok(transport.reading);
  clock.advance(960);
  assert.is(transport.text(), '', 'no timeout while paused, however long');
  const read = (async () => {
    for await (const _ of request!.body);
  })().catch((error: unknown) => error);
  await settle();
  assert.ok(transport.reading, 'read again from 1000 s: 60 s of the client’s time left');
  trickle(clock, transport, 2); // bytes at 1020 and 1040 s
  clock.advance(19);
  assert.is(transport.text(), '', 'nothing at 1059 s');
  clock.advance(1);
  assert.match(transport.text(), timedOut);
  assert.is(((await read) as TimeoutError).seconds, 100);
  transport.receiveEnd();
});

test('time the client waits for a 100 Continue not sent yet does not count toward requestTimeout', async () => {
  const go = new Deferred<void>();
  let seen: unknown;
  const { clock, transport } = serve(
    async (request) => {
      await go;
      try {
        await request.text();
      } catch (error) {
        seen = error;
      }
      return { body: 'not sent' };
    },
    { requestTimeout: 100 },
  );
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n');
  clock.advance(500);
  assert.is(transport.text(), '');
  go.callback();
  await settle();
  assert.is(transport.text(), 'HTTP/1.1 100 Continue\r\n\r\n', 'the client is asked for its body at 500 s');
  transport.clear();
  trickle(clock, transport, 4); // bytes at 520 … 580 s
  clock.advance(19);
  assert.is(transport.text(), '', 'nothing at 599 s');
  clock.advance(1);
  assert.match(transport.text(), timedOut);
  await settle();
  assert.is((seen as TimeoutError).seconds, 100);
  transport.receiveEnd();
});

test('the head’s deadline is the shorter of headerTimeout and requestTimeout', () => {
  const { clock, transport } = serve(hello, { headerTimeout: 30, requestTimeout: 10 });
  transport.receive('GET / HTTP/1.1\r\n');
  clock.advance(5);
  transport.receive('Host: x\r\n');
  clock.advance(4.9);
  assert.is(transport.text(), '');
  clock.advance(0.1);
  assert.match(transport.text(), timedOut);
  transport.receiveEnd();
});

test('the reader of a body that timed out learns which limit passed; the client gets the same 408 for both', async () => {
  const whole = reading();
  const stalled = reading();
  const trickling = serve(whole.handler, { requestTimeout: 50, bodyTimeout: 30 });
  const stalling = serve(stalled.handler, { requestTimeout: 50, bodyTimeout: 30 });
  const head = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n';
  trickling.transport.receive(head);
  stalling.transport.receive(head);
  trickle(trickling.clock, trickling.transport, 2); // bytes at 20 and 40 s: out at 50 s
  trickling.clock.advance(10);
  stalling.clock.advance(30); // no byte: out at 30 s
  await settle();
  assert.is(trickling.transport.text(), stalling.transport.text().replace('00:00:30', '00:00:50'));
  assert.match(trickling.transport.text(), timedOut);
  assert.is((whole.seen.error as TimeoutError).message, 'the request took more than 50 seconds to arrive');
  assert.is((whole.seen.error as TimeoutError).seconds, 50);
  assert.is((stalled.seen.error as TimeoutError).message, 'no request body bytes for 30 seconds');
  assert.is((stalled.seen.error as TimeoutError).seconds, 30);
  trickling.transport.receiveEnd();
  stalling.transport.receiveEnd();
});

test('the phase follows the connection: awaiting-head, reading-head, reading-body, answering, awaiting-head, …, lingering, closed', () => {
  const pending: Deferred<HttpResponse>[] = [];
  const { transport, session } = serve(() => {
    const answer = new Deferred<HttpResponse>();
    pending.push(answer);
    return answer;
  });
  const phases = [session.phase];
  const step = (act: () => void) => {
    act();
    phases.push(session.phase);
  };
  step(() => transport.receive('POST / HTTP/1.1\r\nHo'));
  step(() => transport.receive('st: x\r\nContent-Length: 4\r\n\r\nab'));
  step(() => transport.receive('cd'));
  step(() => pending[0]!.callback({ body: 'one' }));
  step(() => transport.receive('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
  step(() => pending[1]!.callback({ body: 'two' }));
  step(() => transport.receiveEnd());
  assert.equal(phases, [
    'awaiting-head',
    'reading-head',
    'reading-body',
    'answering',
    'awaiting-head',
    'answering',
    'lingering',
    'closed',
  ]);
});

test.run();
