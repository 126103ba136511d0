import { setImmediate as settle } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { HttpParseError, HttpTruncatedError } from '../../../protocols/http/http-error.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import type { HttpResponse } from '../../../protocols/http/response.js';
import { type HttpHandler, type HttpServerOptions, httpServer } from '../../../protocols/http/server.js';
import { ConnectionLost, Deferred } from '../../../source/index.js';
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

test('after a 431 for a header flood, the connection reads at most 64 KiB more, then closes: at every split of the head, at every chunk size to 64', () => {
  const head = Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nX-Flood: ${'f'.repeat(200)}\r\n`);
  const flood = Buffer.alloc(4096, 'f');
  const limit = 64 * 1024;
  const attack = (chunks: Iterable<Uint8Array>, biggest: number, label: string) => {
    const transport = serve(hello, { parser: { maxHeaderBytes: 100 } });
    let sent = 0;
    for (const chunk of chunks) {
      if (transport.closedByProtocol) break;
      transport.receive(chunk);
      sent += chunk.length;
    }
    const [answer] = answers(transport.value());
    assert.is(answer?.status, 431, label);
    assert.is(answer?.headers.get('connection'), 'close', label);
    assert.ok(transport.closedByProtocol, `${label}: closed without waiting for the idle timeout`);
    assert.ok(sent >= limit, `${label}: it lingers, reading what comes, up to the limit`);
    assert.ok(sent <= head.length + limit + biggest, `${label}: read ${sent} bytes`);
  };
  function* headThenFlood(chunks: readonly Uint8Array[]) {
    yield* chunks;
    for (let sent = 0; sent < 1024 * 1024; sent += flood.length) yield flood; // the attacker's 1 MB
  }
  for (let at = 0; at <= head.length; at++) {
    attack(headThenFlood([head.subarray(0, at), head.subarray(at)]), flood.length, `split at ${at}`);
  }
  for (let size = 1; size <= 64; size++) {
    function* pieces() {
      const stream = Buffer.concat([head, Buffer.alloc(limit + 2 * size, 'f')]);
      for (let at = 0; at < stream.length; at += size) yield stream.subarray(at, at + size);
    }
    attack(pieces(), size, `${size}-byte chunks`);
  }
});

test('past 64 KiB dropped after a 431, the connection stops reading while its close completes', () => {
  const transport = new StringTransport({ allowHalfOpen: true, closeImmediately: false });
  httpServer(hello, { clock: trackedClock(), parser: { maxHeaderBytes: 100 } }).serve(transport);
  transport.receive(`GET / HTTP/1.1\r\nHost: x\r\nX-Flood: ${'f'.repeat(200)}`);
  for (let sent = 0; sent < 64 * 1024; sent += 4096) transport.receive(Buffer.alloc(4096, 'f'));
  assert.ok(transport.closedByProtocol);
  assert.not.ok(transport.reading, 'the rest stays unread: closing resets it');
  transport.loseConnection();
});

test('input dropped while the last answer is not out yet stops being read past 64 KiB, and the connection closes with the answer', () => {
  const answer = new Deferred<HttpResponse>();
  const transport = serve(() => answer);
  transport.receive('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const more = Buffer.from('GET /more HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(30)); // never taken
  for (let sent = 0; sent < 64 * 1024; sent += more.length) {
    assert.ok(transport.reading, `still reading after ${sent} bytes`);
    transport.receive(more);
  }
  assert.not.ok(transport.reading, 'past 64 KiB dropped, the connection is not read');
  assert.is(transport.text(), '');
  answer.callback({ body: 'late\n' });
  assert.equal(
    answers(transport.value()).map((got) => got.body),
    ['late\n'],
  );
  assert.ok(transport.closedByProtocol, 'closed at once: no lingering for a client that sent that much');
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
