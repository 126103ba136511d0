import { setImmediate as settle } from 'node:timers/promises';
import { take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import type { HttpRequest } from '../../../protocols/http/request.js';
import type { HttpResponse } from '../../../protocols/http/response.js';
import { type HttpHandler, type HttpServerOptions, httpServer } from '../../../protocols/http/server.js';
import { BodyConsumedError, BodyTooLargeError } from '../../../source/errors.js';
import { Deferred } from '../../../source/index.js';
import {
  checkClean,
  StringTransport,
  type StringTransportOptions,
  trackedClock,
} from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';

const test = checkClean(suite('protocols/http/request'));

function serve(
  handler: HttpHandler,
  options: HttpServerOptions = {},
  transportOptions: StringTransportOptions = {},
) {
  const app = httpServer(handler, { clock: trackedClock(), ...options });
  const transport = new StringTransport({ allowHalfOpen: true, ...transportOptions });
  app.serve(transport);
  return transport;
}

function statuses(bytes: Uint8Array, count = 1): number[] {
  const parser = new ResponseParser();
  for (let i = 0; i < count; i++) parser.expect('POST');
  return parser
    .push(bytes)
    .flatMap((event) => (event.type === 'head' && event.interim !== true ? [event.head.status] : []));
}

const post = (length: number, extra = '') =>
  `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n${extra}\r\n`;

/** Runs `handler` on one request (as `input`) and gives back the request it saw. */
function capture(input: string, transportOptions: StringTransportOptions = {}): HttpRequest {
  let seen: HttpRequest | undefined;
  const transport = serve(
    (request) => {
      seen = request;
      return {};
    },
    {},
    transportOptions,
  );
  transport.receive(input);
  transport.loseConnection();
  return seen!;
}

test('has the method, target, version, headers, path and URL of the request', () => {
  const request = capture(
    'GET /search/all?q=spindle&page=2 HTTP/1.1\r\nHost: example.test:8080\r\nX-Tag: a\r\nx-tag: b\r\n\r\n',
  );
  assert.is(request.method, 'GET');
  assert.is(request.target, '/search/all?q=spindle&page=2');
  assert.is(request.version, '1.1');
  assert.is(request.headers.get('X-TAG'), 'a, b');
  assert.is(request.path, '/search/all');
  assert.is(request.url.href, 'http://example.test:8080/search/all?q=spindle&page=2');
  assert.is(request.url.searchParams.get('q'), 'spindle');
  assert.equal(request.remoteAddress, { type: 'memory', name: 'peer' });
  assert.not.ok(request.secure);
});

test('the URL is https on a secure connection, absolute targets are taken whole, the host falls back to the server address', () => {
  const secure = capture('GET /a HTTP/1.1\r\nHost: s.test\r\n\r\n', { secure: true });
  assert.ok(secure.secure);
  assert.is(secure.url.href, 'https://s.test/a');
  const absolute = capture('GET http://other.test/p/q?x=1 HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.is(absolute.path, '/p/q');
  assert.is(absolute.url.host, 'other.test');
  const old = capture('GET /old HTTP/1.0\r\n\r\n', {
    localAddress: { type: 'tcp', host: '127.0.0.1', port: 8080, family: 'IPv4' },
  });
  assert.is(old.url.href, 'http://127.0.0.1:8080/old');
  const star = capture('OPTIONS * HTTP/1.1\r\nHost: h.test\r\n\r\n');
  assert.is(star.path, '*');
  assert.is(star.url.href, 'http://h.test/');
});

test('the body arrives as an Observable, in order, however it is split (length and chunked)', async () => {
  const inputs = [
    `${post(11)}hello world`,
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n',
  ];
  for (const input of inputs) {
    for (const { label, chunks } of chunkings(Buffer.from(input))) {
      let body = '';
      let completed = false;
      const transport = serve((request) => {
        request.body.subscribe({
          next: (chunk) => {
            body += Buffer.from(chunk).toString();
          },
          complete: () => {
            completed = true;
          },
        });
        return new Deferred<HttpResponse>();
      });
      for (const chunk of chunks) transport.receive(chunk);
      assert.is(body, 'hello world', label);
      assert.ok(completed, label);
      transport.loseConnection();
    }
  }
});

test('a body that arrived before the handler subscribes is delivered on subscription', async () => {
  const transport = serve(async (request) => {
    await settle();
    return { body: request.body };
  });
  transport.receive(`${post(5)}hello`);
  await settle();
  await settle();
  assert.match(transport.text(), /\r\n\r\n5\r\nhello\r\n0\r\n\r\n$/);
  transport.loseConnection();
});

test('the body is an async iterable, and text(), json(), arrayBuffer() and bytes() read it whole', async () => {
  const results: unknown[] = [];
  const readers: Record<string, (request: HttpRequest) => PromiseLike<unknown>> = {
    '/iterate': async (request) => {
      const parts: string[] = [];
      for await (const chunk of request.body) parts.push(Buffer.from(chunk).toString());
      return parts.join('|');
    },
    '/text': (request) => request.text(),
    '/json': (request) => request.json<{ a: number }>(),
    '/buffer': async (request) => new Uint8Array(await request.arrayBuffer()).length,
    '/bytes': async (request) => (await request.bytes()).length,
    '/empty': (request) => request.text(),
  };
  const transport = serve(async (request) => {
    results.push(await readers[request.target]!(request));
    return {};
  });
  for (const target of ['/iterate', '/text', '/json', '/buffer', '/bytes']) {
    const body = target === '/json' ? '{"a":1}' : 'abcdef';
    transport.receive(
      `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`,
    );
    await settle();
    transport.receive(body.slice(3));
    await settle();
  }
  transport.receive('GET /empty HTTP/1.1\r\nHost: x\r\n\r\n');
  await settle();
  assert.equal(results, ['abc|def', 'abcdef', { a: 1 }, 6, 6, '']);
  transport.loseConnection();
});

test('the body can be read once only', async () => {
  let second: unknown;
  const transport = serve(async (request) => {
    const text = await request.text();
    try {
      await request.text();
    } catch (error) {
      second = error;
    }
    let observed: unknown;
    request.body.subscribe({ error: (error) => (observed = error) });
    return { body: `${text} ${(observed as Error).message}` };
  });
  transport.receive(`${post(2)}hi`);
  await settle();
  await settle();
  assert.instance(second, BodyConsumedError);
  assert.match(transport.text(), 'hi the body was read already: it can be read once');
  transport.loseConnection();
});

test('text() refuses a body longer than maxBodyBytes with 413: before reading when its length is declared', async () => {
  let seen: unknown;
  const transport = serve(
    async (request) => {
      try {
        return { body: await request.text() };
      } catch (error) {
        seen = error;
        throw error;
      }
    },
    { maxBodyBytes: 5 },
  );
  transport.receive(post(6, 'Expect: 100-continue\r\n'));
  await settle();
  assert.instance(seen, BodyTooLargeError);
  assert.is((seen as BodyTooLargeError).maxLength, 5);
  assert.not.match(transport.text(), '100 Continue', 'no 100 Continue for a body that is refused');
  assert.equal(statuses(transport.value()), [413]);
  assert.ok(transport.ended, 'the unread body closes the connection');
  transport.receiveEnd();
});

test('text() refuses a chunked body that grows past maxBodyBytes with 413', async () => {
  const transport = serve(async (request) => ({ body: await request.text() }), { maxBodyBytes: 5 });
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n');
  await settle();
  assert.is(transport.text(), '');
  transport.receive('4\r\nefgh\r\n');
  await settle();
  await settle();
  assert.equal(statuses(transport.value()), [413]);
  transport.receive('0\r\n\r\n');
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
});

test('a body that came whole before text() is read at once, and still checked against the limit', async () => {
  const transport = serve(
    async (request) => {
      await settle();
      return { body: await request.text() };
    },
    { maxBodyBytes: 3 },
  );
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n');
  transport.receive('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n');
  for (let i = 0; i < 5; i++) await settle();
  assert.equal(statuses(transport.value(), 2), [200, 413]);
  transport.receiveEnd();
});

test('100 Continue goes out when the handler starts reading the body, not before', async () => {
  let read: Deferred<void> | undefined;
  const transport = serve(async (request) => {
    read = new Deferred<void>();
    await read;
    return { body: await request.text() };
  });
  transport.receive(post(5, 'Expect: 100-continue\r\n'));
  await settle();
  assert.is(transport.text(), '', 'nothing before the handler reads');
  read!.callback();
  await settle();
  assert.is(transport.text(), 'HTTP/1.1 100 Continue\r\n\r\n');
  transport.receive('hello');
  await settle();
  await settle();
  assert.match(transport.text(), /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n.*hello$/s);
  assert.not.ok(transport.ended);
  transport.loseConnection();
});

test('100 Continue comes before the final head when the response streams the request body back', () => {
  const transport = serve((request) => ({ body: request.body }));
  transport.receive(post(5, 'Expect: 100-continue\r\n'));
  assert.is(transport.text(), 'HTTP/1.1 100 Continue\r\n\r\n');
  transport.receive('hello');
  assert.match(
    transport.text(),
    /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n.*\r\n\r\n5\r\nhello\r\n0\r\n\r\n$/s,
  );
  transport.loseConnection();
});

test('no 100 Continue when the handler answers without reading; the connection then closes', () => {
  const transport = serve(() => ({ status: 403, body: 'no' }));
  transport.receive(post(5, 'Expect: 100-continue\r\n'));
  assert.equal(statuses(transport.value()), [403]);
  assert.not.match(transport.text(), '100 Continue');
  assert.match(transport.text(), 'Connection: close');
  transport.receive('hello');
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
});

test('a pipelined request’s 100 Continue waits for the responses before it', async () => {
  const first = new Deferred<HttpResponse>();
  const transport = serve(async (request) =>
    request.target === '/first' ? first : { body: await request.text() },
  );
  transport.receive(`GET /first HTTP/1.1\r\nHost: x\r\n\r\n${post(2, 'Expect: 100-continue\r\n')}`);
  await settle();
  assert.is(transport.text(), '');
  first.callback({ body: 'one' });
  await settle();
  assert.match(transport.text(), /one(HTTP\/1\.1 100 Continue\r\n\r\n)$/);
  transport.receive('hi');
  await settle();
  await settle();
  assert.match(transport.text(), /hi$/);
  transport.loseConnection();
});

test('the connection is paused while the handler does not read the body, and resumes as it reads', async () => {
  const size = 200 * 1024;
  let request: HttpRequest | undefined;
  const transport = serve((incoming) => {
    request = incoming;
    return new Deferred<HttpResponse>();
  });
  transport.receive(post(size));
  const piece = Buffer.alloc(16 * 1024, 0x61);
  let sent = 0;
  while (sent < size && transport.reading) {
    transport.receive(piece);
    sent += piece.length;
  }
  assert.not.ok(transport.reading, 'reading stops while the body is not read');
  assert.ok(sent >= 64 * 1024 && sent < size, `stopped after ${sent} bytes`);
  let got = 0;
  const reader = (async () => {
    for await (const chunk of request!.body) got += chunk.length;
  })();
  await settle();
  assert.ok(transport.reading, 'reading resumes once the handler reads');
  while (sent < size) {
    transport.receive(piece.subarray(0, Math.min(piece.length, size - sent)));
    sent += Math.min(piece.length, size - sent);
    await settle();
  }
  await reader;
  assert.is(got, size);
  transport.loseConnection();
});

test('a reader that leaves early abandons the body: the rest is dropped, the connection closes after the answer', async () => {
  const transport = serve(async (request) => {
    const first = await request.body.pipe(take(1), toArray()).toPromise();
    return { body: `got ${first!.length}` };
  });
  transport.receive(`${post(10)}abc`);
  await settle();
  await settle();
  assert.match(transport.text(), 'got 1');
  assert.match(transport.text(), 'Connection: close');
  assert.ok(transport.reading, 'the rest is read and dropped');
  transport.receive('defghij');
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
});

test.run();
