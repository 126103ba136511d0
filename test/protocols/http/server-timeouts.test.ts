import { setImmediate as settle } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpRequest } from '../../../protocols/http/request.js';
import type { HttpResponse } from '../../../protocols/http/response.js';
import { type HttpHandler, type HttpServerOptions, httpServer } from '../../../protocols/http/server.js';
import { Deferred, TimeoutError } from '../../../source/index.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/http/server (timeouts)'));

/** A server on a virtual clock (header 30 s, idle 5 s, body 30 s unless given), one connection. */
function serve(handler: HttpHandler, options: HttpServerOptions = {}) {
  const clock = trackedClock();
  const app = httpServer(handler, { clock, ...options });
  const transport = new StringTransport({ allowHalfOpen: true });
  app.serve(transport);
  return { clock, transport };
}

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

test.run();
