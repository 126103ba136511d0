import { setImmediate as settle } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { HttpParseError, HttpTruncatedError } from '../../../protocols/http/http-error.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import type { HttpResponse } from '../../../protocols/http/response.js';
import { type HttpHandler, type HttpServerOptions, httpServer } from '../../../protocols/http/server.js';
import { ConnectionLost } from '../../../source/index.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';
import { loudRecords } from '../../support/loud-records.js';

const test = checkClean(suite('protocols/http/server (bad input)'));

function serve(handler: HttpHandler, options: HttpServerOptions = {}) {
  const app = httpServer(handler, { clock: trackedClock(), ...options });
  const transport = new StringTransport({ allowHalfOpen: true });
  app.serve(transport);
  return transport;
}

interface Answer {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: string;
}

function answers(bytes: Uint8Array, count = 1): Answer[] {
  const parser = new ResponseParser();
  for (let i = 0; i < count; i++) parser.expect('GET');
  const result: { status: number; headers: HttpHeaders; body: string }[] = [];
  for (const event of parser.push(bytes)) {
    if (event.type === 'head')
      result.push({ status: event.head.status, headers: event.head.headers, body: '' });
    else if (event.type === 'body') result[result.length - 1]!.body += Buffer.from(event.data).toString();
  }
  return result;
}

const hello: HttpHandler = () => ({ body: 'hello world\n' });

test('garbage gets 400 with Connection: close, then the connection ends', async () => {
  const loud = await loudRecords(() => {
    const transport = serve(hello);
    transport.receive('HELLO THERE\r\n\r\n');
    const [answer] = answers(transport.value());
    assert.is(answer!.status, 400);
    assert.is(answer!.headers.get('connection'), 'close');
    assert.is(answer!.body, '400 Bad Request\n');
    assert.ok(transport.ended);
    transport.receive('more garbage is read and dropped');
    transport.receiveEnd();
    assert.ok(transport.closedByProtocol);
  });
  assert.equal(loud, [], 'bad input is the client’s fault, not logged as an error');
});

test('a valid request followed by garbage gets its response, then 400, then close: at every split', () => {
  const input = Buffer.from('GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost x\r\n\r\n');
  for (const { label, chunks } of chunkings(input)) {
    const transport = serve(hello);
    for (const chunk of chunks) transport.receive(chunk);
    const got = answers(transport.value(), 2);
    assert.equal(
      got.map((answer) => answer.status),
      [200, 400],
      label,
    );
    assert.is(got[0]!.headers.get('connection'), undefined, label);
    assert.is(got[1]!.headers.get('connection'), 'close', label);
    assert.ok(transport.ended, label);
    transport.receiveEnd();
  }
});

test('each kind of bad request gets its status', () => {
  const cases: [string, string, HttpServerOptions, number][] = [
    [
      'a request line over the limit',
      `GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      { parser: { maxRequestLine: 64 } },
      414,
    ],
    [
      'a header section over the limit',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(200)}\r\n\r\n`,
      { parser: { maxHeaderBytes: 100 } },
      431,
    ],
    ['an HTTP version other than 1.x', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', {}, 505],
    [
      'a transfer coding not implemented',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      {},
      501,
    ],
    [
      'a body over the parser limit',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n',
      { parser: { maxBodyBytes: 10 } },
      413,
    ],
    ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\n\r\n', {}, 400],
    [
      'both Content-Length and Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
      {},
      400,
    ],
  ];
  for (const [what, input, options, status] of cases) {
    const transport = serve(hello, options);
    transport.receive(input);
    const [answer] = answers(transport.value());
    assert.is(answer?.status, status, what);
    assert.is(answer?.headers.get('connection'), 'close', what);
    transport.receiveEnd();
  }
});

test('bad framing in the middle of a body: the handler’s body errors, the answer is 400, then close', async () => {
  let seen: unknown;
  const transport = serve(async (request) => {
    try {
      await request.text();
    } catch (error) {
      seen = error;
    }
    return { body: 'handler answer' };
  });
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n');
  await settle();
  assert.instance(seen, HttpParseError);
  const [answer] = answers(transport.value());
  assert.is(answer!.status, 400);
  assert.ok(transport.ended);
  transport.receiveEnd();
});

test('a body cut short by the client closing errors the body: the handler never sees it whole', async () => {
  const outcomes: string[] = [];
  const input = 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello';
  const transport = serve(async (request) => {
    const chunks: string[] = [];
    try {
      for await (const chunk of request.body) chunks.push(Buffer.from(chunk).toString());
      outcomes.push(`complete: ${chunks.join('')}`);
    } catch (error) {
      outcomes.push(`${(error as Error).constructor.name} after ${chunks.join('')}`);
    }
    return { body: 'x' };
  });
  transport.receive(input);
  await settle();
  transport.receiveEnd();
  await settle();
  await settle();
  assert.equal(outcomes, ['HttpTruncatedError after hello']);
  const [answer] = answers(transport.value());
  assert.is(answer!.status, 400);
  assert.ok(transport.closedByProtocol);
  assert.ok(new HttpTruncatedError('x') instanceof HttpParseError);
});

test('a head cut short by the client closing closes without an answer', () => {
  const transport = serve(hello);
  transport.receive('GET / HTTP/1.1\r\nHo');
  transport.receiveEnd();
  assert.is(transport.text(), '');
  assert.ok(transport.closedByProtocol);
});

test('a reset in the middle of a body errors the body with ConnectionLost', async () => {
  let seen: unknown;
  const transport = serve(async (request) => {
    try {
      await request.text();
    } catch (error) {
      seen = error;
    }
    return { body: 'x' };
  });
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhel');
  transport.loseConnection(new ConnectionLost('reset by peer'));
  await settle();
  assert.instance(seen, ConnectionLost);
});

test('a client that resets while its body is being echoed is no error of the server’s', async () => {
  const loud = await loudRecords(async () => {
    const transport = serve((request) => ({ body: request.body }));
    transport.receive('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
    assert.match(transport.text(), '5\r\nhello\r\n');
    transport.loseConnection(new ConnectionLost('reset by peer'));
    await settle();
  });
  assert.equal(loud, []);
});

test('a client that closes cleanly mid-exchange leaves the handler’s answer unsent, quietly', async () => {
  let answer: ((response: HttpResponse) => void) | undefined;
  const transport = serve(
    () =>
      new Promise<HttpResponse>((resolve) => {
        answer = resolve;
      }),
  );
  transport.receive('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  transport.loseConnection();
  answer!({ body: 'too late' });
  await settle();
  assert.is(transport.text(), '');
});

test.run();
