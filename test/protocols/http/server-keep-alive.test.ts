import { setImmediate as settle } from 'node:timers/promises';
import { of } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { HttpParseError } from '../../../protocols/http/http-error.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { type HttpHandler, type HttpServerOptions, httpServer } from '../../../protocols/http/server.js';
import { ConnectionDone, logRecords$ } from '../../../source/index.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';
import { steppedTurns } from '../../support/stepped-turns.js';

// Each reason the connection does not persist after an exchange (`ServerConnection.persistsAfter`)
// has a test named after it, here or where it is proven already:
// - a request with Connection: close (server.test.ts, "a request with Connection: close …");
// - an HTTP/1.0 request without keep-alive (server.test.ts, "HTTP/1.0: closes by default …");
// - the last request taken during a drain (server.test.ts, "draining drops the pipelined requests
//   not taken yet; the last one taken says Connection: close");
// - bad input, a timeout (server-input.test.ts, server-timeouts.test.ts).
const test = checkClean(suite('protocols/http/server (keep-alive)'));

/** A server on a virtual clock, one connection, and the targets its handler was called with. */
function serve(handler: HttpHandler, options: HttpServerOptions = {}) {
  const handled: string[] = [];
  const app = httpServer(
    (request) => {
      handled.push(request.target);
      return handler(request);
    },
    { clock: trackedClock(), ...options },
  );
  const transport = new StringTransport({ allowHalfOpen: true });
  app.serve(transport);
  return { transport, handled };
}

interface Answer {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: string;
}

/** The responses in `bytes`, to requests made with `methods`. */
function answers(bytes: Uint8Array, methods: readonly string[]): Answer[] {
  const parser = new ResponseParser();
  for (const method of methods) parser.expect(method);
  const result: { status: number; headers: HttpHeaders; body: string }[] = [];
  for (const event of parser.push(bytes)) {
    if (event.type === 'head' && event.interim !== true)
      result.push({ status: event.head.status, headers: event.head.headers, body: '' });
    else if (event.type === 'body') result[result.length - 1]!.body += Buffer.from(event.data).toString();
  }
  return result;
}

const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
const post = (target: string, length: number) =>
  `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;

/**
 * Asserts that the connection closes after its first response: that response says
 * `Connection: close`, the server sent its FIN after it, and `GET /after`, sent then, is dropped
 * unread; the connection closes with the client's FIN.
 */
function closesAfterFirst(transport: StringTransport, handled: readonly string[], method = 'GET'): Answer {
  transport.receive(get('/after'));
  const [first, ...rest] = answers(transport.value(), [method, 'GET']);
  assert.ok(first, 'answered');
  assert.is(first!.headers.get('connection'), 'close');
  assert.is(rest.length, 0, 'nothing after the closing response');
  assert.ok(transport.ended, 'FIN after the response');
  assert.not.ok(handled.includes('/after'), 'the request after it is not read');
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
  return first!;
}

test('persists otherwise: HTTP/1.1, HTTP/1.0 with keep-alive, a body read whole, a body come whole but unread, a plain 500, a stream, the handler’s own Connection: keep-alive', async () => {
  const handler: HttpHandler = async (request) => {
    if (request.target === '/read') return { body: await request.text() };
    if (request.target === '/throw') throw new Error('a plain failure');
    if (request.target === '/stream') return { body: of('str', 'eam') };
    if (request.target === '/keep') return { headers: { Connection: 'keep-alive' }, body: 'kept' };
    return { body: 'ok' };
  };
  const cases: [string, string, string][] = [
    ['HTTP/1.1', get('/'), 'GET'],
    ['HTTP/1.0 with keep-alive', 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', 'GET'],
    ['a body read whole', `${post('/read', 5)}hello`, 'POST'],
    ['a body come whole, never read', `${post('/unread', 5)}hello`, 'POST'],
    ['a plain 500', get('/throw'), 'GET'],
    ['a streamed response', get('/stream'), 'GET'],
    ['the handler’s Connection: keep-alive', get('/keep'), 'GET'],
  ];
  const log = logRecords$.subscribe(); // the plain 500 is logged: kept off the console
  try {
    for (const [what, request, method] of cases) {
      const { transport, handled } = serve(handler);
      transport.receive(request + get('/after'));
      for (let i = 0; i < 3; i++) await settle();
      const [first, second] = answers(transport.value(), [method, 'GET']);
      assert.ok(first && second, `${what}: both answered`);
      assert.is.not(first!.headers.get('connection'), 'close', what);
      assert.equal(handled.slice(-1), ['/after'], what);
      assert.not.ok(transport.ended, what);
      transport.loseConnection();
    }
  } finally {
    log.unsubscribe();
  }
});

test('does not persist after a response whose handler said Connection: close', () => {
  const { transport, handled } = serve(() => ({ headers: { Connection: 'close' }, body: 'bye' }));
  transport.receive(get('/'));
  const first = closesAfterFirst(transport, handled);
  assert.is(first.body, 'bye');
  assert.is(transport.text().match(/Connection:/gi)?.length, 1, 'one Connection field');
});

test('does not persist after a failure answered with its own status (a handler’s HttpParseError), where a plain 500 would', () => {
  const { transport, handled } = serve((request) => {
    if (request.target === '/bad') throw new HttpParseError(400, 'the query makes no sense');
    return { body: 'fine' };
  });
  transport.receive(get('/bad'));
  assert.is(closesAfterFirst(transport, handled).status, 400);
});

test('does not persist after an exchange that ends with its request body unread and not all arrived', () => {
  const { transport, handled } = serve(() => ({ status: 403, body: 'no' }));
  transport.receive(`${post('/upload', 10)}abc`);
  assert.match(transport.text(), /^HTTP\/1\.1 403 /);
  transport.receive('defghij'); // the rest, read and dropped
  assert.is(closesAfterFirst(transport, handled, 'POST').status, 403);
});

test('a response done while its request body is still being read and arriving says Connection: close, since the connection closes after it', () => {
  let seen: unknown;
  const { transport, handled } = serve((request) => {
    request.body.subscribe({ error: (error: unknown) => (seen = error) });
    return { status: 202, body: 'accepted' };
  });
  transport.receive(`${post('/upload', 10)}abc`);
  assert.is(closesAfterFirst(transport, handled, 'POST').status, 202);
  assert.instance(seen, ConnectionDone, 'the rest of the body never comes');
});

test('does not persist after the last request before the client’s FIN', async () => {
  const { transport, handled } = serve(async () => {
    await settle();
    return { body: 'late' };
  });
  transport.receive(get('/'));
  transport.receiveEnd();
  await settle();
  await settle();
  const [answer] = answers(transport.value(), ['GET']);
  assert.is(answer!.body, 'late');
  assert.is(answer!.headers.get('connection'), 'close');
  assert.equal(handled, ['/']);
  assert.ok(transport.closedByProtocol);
});

/** `count` pipelined GETs of /0, /1 …, in one string. */
const flood = (count: number) => Array.from({ length: count }, (_, i) => get(`/${i}`)).join('');
const echoTarget: HttpHandler = (request) => ({ body: request.target });

test('regression (issue 13): a pipelined flood in one read is taken requestsPerTurn a turn, answered in order, unread meanwhile', () => {
  const unbounded = serve(echoTarget, { requestsPerTurn: Number.POSITIVE_INFINITY });
  unbounded.transport.receive(flood(40));
  const expected = unbounded.transport.text();
  assert.is(answers(unbounded.transport.value(), Array(40).fill('GET')).length, 40);
  unbounded.transport.loseConnection();

  const turns = steppedTurns();
  const { transport, handled } = serve(echoTarget, { requestsPerTurn: 4, scheduler: turns.scheduler });
  transport.receive(flood(40));
  const answered = [answers(transport.value(), Array(40).fill('GET')).length];
  assert.not.ok(transport.reading, 'requests wait: the connection is not read');
  while (turns.turn()) {
    answered.push(answers(transport.value(), Array(40).fill('GET')).length);
    if (answered.length < 10) assert.not.ok(transport.reading, `turn ${answered.length}`);
  }
  assert.equal(answered, [4, 8, 12, 16, 20, 24, 28, 32, 36, 40], 'ten turns of four');
  assert.equal(
    handled,
    Array.from({ length: 40 }, (_, i) => `/${i}`),
  );
  assert.ok(transport.reading, 'read again once all are answered');
  assert.is(transport.text(), expected, 'the same answers as without a budget');
  transport.loseConnection();
});

test('a budgeted flood fed at every split gets the answers it gets without a budget', () => {
  const wire = Buffer.from(flood(6));
  const unbounded = serve(echoTarget, { requestsPerTurn: Number.POSITIVE_INFINITY });
  unbounded.transport.receive(wire);
  const expected = unbounded.transport.text();
  unbounded.transport.loseConnection();
  for (const { label, chunks } of chunkings(wire)) {
    const turns = steppedTurns();
    const { transport } = serve(echoTarget, { requestsPerTurn: 2, scheduler: turns.scheduler });
    for (const chunk of chunks) transport.receive(chunk);
    turns.settle();
    assert.is(transport.text(), expected, label);
    assert.ok(transport.reading, label);
    transport.loseConnection();
  }
});

test.run();
