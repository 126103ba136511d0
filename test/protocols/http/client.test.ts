import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { Observable, of } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent, type AgentOptions } from '../../../protocols/http/client.js';
import {
  type ClientResponse,
  ContentDecodingError,
  TooManyRedirectsError,
} from '../../../protocols/http/client-response.js';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { HttpParseError, HttpTruncatedError } from '../../../protocols/http/http-error.js';
import type { BodyFraming, ParseEvent, RequestHead } from '../../../protocols/http/message.js';
import { RequestParser } from '../../../protocols/http/parse-request.js';
import type { Connection } from '../../../source/connection.js';
import type { Deferred } from '../../../source/deferred.js';
import {
  BodyConsumedError,
  BodyTooLargeError,
  CancelledError,
  ConnectionLost,
  ConnectionRefusedError,
  TimeoutError,
} from '../../../source/errors.js';
import type { Failure } from '../../../source/failure.js';
import { checkClean, trackedClock } from '../../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../../source/testing/memory-reactor.js';
import type { MemoryServer } from '../../../source/testing/memory-server.js';

const test = checkClean(suite('protocols/http/client'));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A request as the scripted server received it. */
interface Received {
  readonly method: string;
  readonly target: string;
  readonly headers: HttpHeaders;
  readonly framing: BodyFraming;
  /** Index of the server-side connection it came on. */
  readonly connection: number;
  body: string;
  /** Writes bytes back on its connection. */
  reply(data: string | Uint8Array): void;
}

/** What the scripted server answers a complete request with (nothing: the test answers later). */
type Responder = (request: Received) => string | Uint8Array | undefined;

const ok = (body = 'ok', extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${encoder.encode(body).byteLength}\r\n${extra}\r\n${body}`;

/** Answers with a `size`-byte body written in 16 KiB pieces, as a socket would deliver it. */
function inPieces(size: number): Responder {
  return (request) => {
    request.reply(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
    for (let sent = 0; sent < size; sent += 16 * 1024)
      request.reply('x'.repeat(Math.min(16 * 1024, size - sent)));
    return undefined;
  };
}

/** Lets the event loop turn until `ready()` holds. */
async function until(ready: () => boolean): Promise<void> {
  for (let turns = 0; !ready(); turns++) {
    if (turns > 1000) throw new Error('gave up waiting');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * An HTTP server on the memory reactor, scripted by the test: every request is parsed (with the
 * codec's RequestParser), recorded, and answered with what `respond` returns.
 */
function scriptedServer(reactor: MemoryReactor, port = 80) {
  const server: MemoryServer = reactor.listenStream({ type: 'tcp', port });
  const requests: Received[] = [];
  const heads: Received[] = [];
  const connections: Connection[] = [];
  const raw: string[] = [];
  const state: { respond: Responder } = { respond: () => ok() };
  server.connections$.subscribe((connection) => {
    const index = connections.push(connection) - 1;
    raw.push('');
    const parser = new RequestParser();
    let current: Received | undefined;
    connection.data$.subscribe({
      next: (chunk) => {
        raw[index] += decoder.decode(chunk);
        const events: ParseEvent<RequestHead>[] = [];
        parser.push(chunk, events);
        for (const event of events) {
          if (event.type === 'head') {
            const { method, target, headers } = event.head;
            current = {
              method,
              target,
              headers,
              framing: event.framing,
              connection: index,
              body: '',
              reply: (data) => connection.write(data),
            };
            heads.push(current);
          } else if (event.type === 'body') {
            current!.body += decoder.decode(event.data);
          } else {
            requests.push(current!);
            const answer = state.respond(current!);
            if (answer !== undefined) connection.write(answer);
          }
        }
      },
      error: () => {},
    });
  });
  return {
    server,
    requests,
    heads,
    connections,
    /** What arrived on connection `index`, as text. */
    raw: (index: number) => raw[index] ?? '',
    set respond(responder: Responder) {
      state.respond = responder;
    },
  };
}

/** A memory reactor on a tracked virtual clock, a scripted server on port 80, and an agent. */
function setup(options: AgentOptions = {}) {
  const reactor = new MemoryReactor({ clock: trackedClock() });
  const server = scriptedServer(reactor);
  const agent = new Agent({ reactor, ...options });
  const servers = [server.server];
  return {
    reactor,
    clock: reactor.clock,
    server,
    agent,
    /** Another scripted server, on `port`. */
    another(port: number) {
      const other = scriptedServer(reactor, port);
      servers.push(other.server);
      return other;
    },
    /** Closes the agent's idle connections and the servers. */
    async done() {
      await agent.closeCachedConnections();
      await reactor.flush();
      for (const each of servers) each.close({ gracePeriod: 0 });
      await reactor.flush();
    },
  };
}

/** The failure a Deferred errbacked with, once it has. */
async function failureOf(d: Deferred<unknown>): Promise<Failure> {
  return new Promise<Failure>((resolve, reject) => {
    d.addCallbacks(
      () => reject(new Error('expected a failure')),
      (failure) => resolve(failure),
    );
  });
}

/** Reads a body with `for await`, catching its error. */
async function readAll(response: ClientResponse): Promise<{ text: string; error?: unknown }> {
  let text = '';
  try {
    for await (const chunk of response.body) text += decoder.decode(chunk, { stream: true });
  } catch (error) {
    return { text, error };
  }
  return { text };
}

const origin = 'http://example.test:80';

// ---------------------------------------------------------------------------------------------
// requests and responses

test('sends a GET with Host and Accept-Encoding, and fires with the response at its head', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => ok('hello', 'Content-Type: text/plain\r\n');
  const response = await agent.request('GET', 'http://example.test/path?q=1#fragment');
  assert.is(response.status, 200);
  assert.is(response.reason, 'OK');
  assert.is(response.version, '1.1');
  assert.is(response.headers.get('content-type'), 'text/plain');
  assert.is(response.url, 'http://example.test/path?q=1');
  assert.is(await response.text(), 'hello');
  const [request] = server.requests;
  assert.is(request!.method, 'GET');
  assert.is(request!.target, '/path?q=1');
  assert.is(request!.headers.get('host'), 'example.test');
  assert.is(request!.headers.get('accept-encoding'), 'gzip, deflate, br');
  assert.is(request!.framing.kind, 'none');
  assert.equal(reactor.connects[0]!.endpoint, { type: 'tcp', host: 'example.test', port: 80 });
  await done();
});

test('sends the caller headers as given, and a Host with the port when it is not the default', async () => {
  const { agent, done, another } = setup();
  const other = another(8080);
  const response = await agent.request('GET', 'http://example.test:8080/', {
    headers: { 'X-Trace': 'abc', Accept: ['text/html', 'text/plain'] },
  });
  await response.discard();
  const [request] = other.requests;
  assert.is(request!.headers.get('host'), 'example.test:8080');
  assert.is(request!.headers.get('x-trace'), 'abc');
  assert.equal(request!.headers.getAll('accept'), ['text/html', 'text/plain']);
  await done();
});

test('the response methods read JSON, bytes and ArrayBuffers', async () => {
  const { agent, server, done } = setup();
  server.respond = (request) => ok(request.target === '/json' ? '{"items":[1,2]}' : 'abc');
  const json = await (await agent.request('GET', 'http://example.test/json')).json<{ items: number[] }>();
  assert.equal(json, { items: [1, 2] });
  const bytes = await (await agent.request('GET', 'http://example.test/bytes')).bytes();
  assert.equal([...bytes], [97, 98, 99]);
  const buffer = await (await agent.request('GET', 'http://example.test/buffer')).arrayBuffer();
  assert.is(buffer.byteLength, 3);
  await done();
});

test('a body read whole past maxLength fails with BodyTooLargeError and closes the connection', async () => {
  const { agent, server, reactor, done } = setup();
  server.respond = inPieces(200_000);
  const response = await agent.request('GET', 'http://example.test/');
  const failure = await failureOf(response.text({ maxLength: 10 }));
  assert.instance(failure.value, BodyTooLargeError);
  assert.is((failure.value as BodyTooLargeError).maxLength, 10);
  await reactor.flush();
  assert.is(agent.pool.stats(origin).idle, 0);
  await done();
});

test('a body can be read only once', async () => {
  const { agent, done } = setup();
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(await response.text(), 'ok');
  const failure = await failureOf(response.text());
  assert.instance(failure.value, BodyConsumedError);
  await done();
});

test('the body streams with for await and as an Observable', async () => {
  const { agent, server, done } = setup();
  server.respond = (request) => {
    request.reply('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    request.reply('6\r\n world\r\n0\r\n\r\n');
    return undefined;
  };
  const iterated = await readAll(await agent.request('GET', 'http://example.test/'));
  assert.is(iterated.text, 'hello world');
  const response = await agent.request('GET', 'http://example.test/');
  const chunks: string[] = [];
  await new Promise<void>((resolve, reject) =>
    response.body.subscribe({
      next: (chunk) => chunks.push(decoder.decode(chunk)),
      error: reject,
      complete: resolve,
    }),
  );
  assert.is(chunks.join(''), 'hello world');
  await done();
});

test('a response to HEAD, and 204 and 304 responses, have no body whatever their headers say', async () => {
  const { agent, server, done } = setup();
  server.respond = (request) =>
    request.method === 'HEAD'
      ? 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Encoding: gzip\r\n\r\n'
      : request.target === '/204'
        ? 'HTTP/1.1 204 No Content\r\n\r\n'
        : 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n';
  const head = await agent.request('HEAD', 'http://example.test/');
  assert.is(head.headers.get('content-length'), '1000');
  assert.is(head.headers.get('content-encoding'), 'gzip', 'nothing was decoded');
  assert.is(await head.text(), '');
  assert.is(await (await agent.request('GET', 'http://example.test/204')).text(), '');
  assert.is((await agent.request('GET', 'http://example.test/304')).status, 304);
  await done();
});

test('skips 1xx interim responses such as 103 Early Hints', async () => {
  const { agent, server, done } = setup();
  server.respond = () => `HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n${ok('final')}`;
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(response.status, 200);
  assert.is(await response.text(), 'final');
  await done();
});

test('onInformational hears each 1xx before the final response (103 Early Hints, 102)', async () => {
  const { agent, server, done } = setup();
  server.respond = () =>
    'HTTP/1.1 102 Processing\r\n\r\n' +
    'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nLink: </b.js>; rel=preload\r\n\r\n' +
    ok('final');
  const heard: string[] = [];
  const response = await agent.request('GET', 'http://example.test/', {
    onInformational: (head) =>
      heard.push(`${head.status} ${head.reason} ${head.headers.getAll('link').join(' | ')}`),
  });
  assert.equal(heard, ['102 Processing ', '103 Early Hints </a.css>; rel=preload | </b.js>; rel=preload']);
  assert.is(await response.text(), 'final');
  await done();
});

test('an onInformational that throws fails the request with its error, and the connection is closed', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => `HTTP/1.1 103 Early Hints\r\n\r\n${ok('final')}`;
  const refusal = new Error('no hints, thanks');
  const failure = await failureOf(
    agent.request('GET', 'http://example.test/', {
      onInformational: () => {
        throw refusal;
      },
    }),
  );
  assert.is(failure.value, refusal);
  assert.is(agent.pool.stats(origin).idle, 0);
  assert.is(await (await agent.request('GET', 'http://example.test/')).text(), 'final');
  assert.is(reactor.connects.length, 2);
  await done();
});

test('trailers: empty until the end of a chunked body, then its trailer fields', async () => {
  const { agent, server, done } = setup();
  server.respond = () =>
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Server-Timing\r\n\r\n' +
    '5\r\nhello\r\n0\r\nServer-Timing: db;dur=53\r\nX-Sum: 42\r\n\r\n';
  const response = await agent.request('GET', 'http://example.test/');
  let atEnd: string | undefined;
  const text = await new Promise<string>((resolve, reject) => {
    let seen = '';
    response.body.subscribe({
      next: (chunk) => {
        seen += decoder.decode(chunk);
      },
      error: reject,
      complete: () => {
        atEnd = response.trailers.get('server-timing');
        resolve(seen);
      },
    });
  });
  assert.is(text, 'hello');
  assert.is(atEnd, 'db;dur=53', 'in place when the reader hears of the end');
  assert.equal(response.trailers.raw(), [
    ['Server-Timing', 'db;dur=53'],
    ['X-Sum', '42'],
  ]);
  server.respond = () => ok('no trailers');
  const plain = await agent.request('GET', 'http://example.test/');
  assert.is(plain.trailers.size, 0);
  await plain.text();
  assert.is(plain.trailers.size, 0);
  await done();
});

test('trailers of a decoded (gzip) body are in place once text() fires', async () => {
  const { agent, server, done } = setup();
  const zipped = gzipSync(Buffer.from('squeezed'));
  server.respond = (request) => {
    request.reply('HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n');
    request.reply(Buffer.concat([Buffer.from(`${zipped.length.toString(16)}\r\n`), zipped]));
    request.reply('\r\n0\r\nX-Sum: 7\r\n\r\n');
    return undefined;
  };
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(response.trailers.size, 0);
  assert.is(await response.text(), 'squeezed');
  assert.is(response.trailers.get('x-sum'), '7');
  await done();
});

// ---------------------------------------------------------------------------------------------
// the pool: keep-alive, limits, eviction, retry

test('sequential requests reuse one keep-alive connection', async () => {
  const { agent, reactor, server, done } = setup();
  for (let i = 0; i < 3; i++)
    assert.is(await (await agent.request('GET', `http://example.test/${i}`)).text(), 'ok');
  assert.is(reactor.connects.length, 1);
  assert.equal(
    server.requests.map((request) => request.connection),
    [0, 0, 0],
  );
  assert.equal(agent.pool.stats(origin), { active: 0, idle: 1, waiting: 0 });
  await done();
});

test('a connection whose response said Connection: close is closed, not reused', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => ok('bye', 'Connection: close\r\n');
  await (await agent.request('GET', 'http://example.test/')).text();
  await reactor.flush();
  assert.is(agent.pool.stats(origin).idle, 0);
  assert.ok(server.connections[0]!.closed.called);
  await (await agent.request('GET', 'http://example.test/')).text();
  assert.is(reactor.connects.length, 2);
  await done();
});

test('an HTTP/1.0 response, or one whose body ends at close, is not reused', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = (request) => {
    if (request.target === '/10') return 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok';
    request.reply('HTTP/1.1 200 OK\r\n\r\nuntil close');
    server.connections[request.connection]!.close();
    return undefined;
  };
  assert.is(await (await agent.request('GET', 'http://example.test/10')).text(), 'ok');
  assert.is(await (await agent.request('GET', 'http://example.test/close')).text(), 'until close');
  await reactor.flush();
  assert.is(reactor.connects.length, 2);
  assert.is(agent.pool.stats(origin).idle, 0);
  await done();
});

test('a body left unread to its end closes the connection; a discarded one lets it be reused', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = inPieces(200_000);
  const response = await agent.request('GET', 'http://example.test/');
  for await (const _ of response.body) break;
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  assert.equal(agent.pool.stats(origin), { active: 0, idle: 0, waiting: 0 });
  await (await agent.request('GET', 'http://example.test/')).discard();
  await (await agent.request('GET', 'http://example.test/')).discard();
  assert.is(reactor.connects.length, 2);
  assert.is(agent.pool.stats(origin).idle, 1);
  await done();
});

test('discard({ maxLength }) closes the connection of a longer body instead of reading it', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = inPieces(200_000);
  const response = await agent.request('GET', 'http://example.test/');
  await response.discard({ maxLength: 100 });
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  await (await agent.request('GET', 'http://example.test/')).discard({ maxLength: 0 });
  await reactor.flush();
  assert.ok(server.connections[1]!.closed.called);
  await done();
});

test('at most maxConnectionsPerOrigin requests run at once; the rest wait for a connection', async () => {
  const { agent, reactor, server, done } = setup({ maxConnectionsPerOrigin: 2 });
  server.respond = () => undefined;
  const pending = [0, 1, 2].map((i) => agent.request('GET', `http://example.test/${i}`));
  await reactor.flush();
  assert.is(reactor.connects.length, 2);
  assert.equal(agent.pool.stats(origin), { active: 2, idle: 0, waiting: 1 });
  assert.is(server.requests.length, 2);
  server.requests[0]!.reply(ok('first'));
  assert.is(await (await pending[0]!).text(), 'first');
  await reactor.flush();
  assert.is(server.requests.length, 3);
  assert.is(server.requests[2]!.connection, 0, 'the third request went on the freed connection');
  server.requests[1]!.reply(ok('second'));
  server.requests[2]!.reply(ok('third'));
  assert.is(await (await pending[1]!).text(), 'second');
  assert.is(await (await pending[2]!).text(), 'third');
  assert.is(reactor.connects.length, 2);
  await done();
});

test('idle connections are closed after idleTimeout seconds of virtual time', async () => {
  const { agent, clock, reactor, server, done } = setup({ idleTimeout: 30 });
  await (await agent.request('GET', 'http://example.test/')).text();
  clock.advance(29);
  assert.is(agent.pool.stats(origin).idle, 1);
  clock.advance(1);
  await reactor.flush();
  assert.is(agent.pool.stats(origin).idle, 0);
  assert.ok(server.connections[0]!.closed.called);
  await done();
});

test('a request that finds its kept connection closed by the server is retried once on a new one', async () => {
  const { agent, reactor, server, done } = setup();
  await (await agent.request('GET', 'http://example.test/warm')).text();
  server.respond = (request) => {
    if (request.connection === 0) {
      server.connections[0]!.abort(); // the server had given up on the idle connection
      return undefined;
    }
    return ok('retried');
  };
  const response = await agent.request('GET', 'http://example.test/again');
  assert.is(await response.text(), 'retried');
  assert.is(reactor.connects.length, 2);
  await done();
});

test('a POST on a kept connection the server closed is not retried', async () => {
  const { agent, server, done } = setup();
  await (await agent.request('GET', 'http://example.test/warm')).text();
  server.respond = () => {
    server.connections[0]!.abort();
    return undefined;
  };
  const failure = await failureOf(agent.request('POST', 'http://example.test/', { body: 'once' }));
  assert.instance(failure.value, ConnectionLost);
  assert.match(failure.value.message, 'before responding');
  await done();
});

test('a server that closes a fresh connection without answering fails the request with ConnectionLost', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = (request) => {
    server.connections[request.connection]!.close();
    return undefined;
  };
  const failure = await failureOf(agent.request('GET', 'http://example.test/'));
  assert.instance(failure.value, ConnectionLost);
  assert.is(reactor.connects.length, 1, 'a new connection is not retried');
  await done();
});

// ---------------------------------------------------------------------------------------------
// errors

test('a refused connection fails the request with ConnectionRefusedError', async () => {
  const { agent, done } = setup();
  const failure = await failureOf(agent.request('GET', 'http://example.test:81/'));
  assert.instance(failure.value, ConnectionRefusedError);
  assert.equal(agent.pool.stats('http://example.test:81'), { active: 0, idle: 0, waiting: 0 });
  await done();
});

test('a URL that is not http: or https:, a bad method or a bad header fail with TypeError', async () => {
  const { agent, reactor, done } = setup();
  assert.instance((await failureOf(agent.request('GET', 'ftp://example.test/'))).value, TypeError);
  assert.instance((await failureOf(agent.request('GET', 'not a url'))).value, TypeError);
  assert.instance(
    (
      await failureOf(
        agent.request('GET', 'http://example.test/', { headers: { 'X-Bad': 'a\r\nInjected: 1' } }),
      )
    ).value,
    TypeError,
  );
  assert.is(reactor.connects.length, 0);
  const badMethod = await failureOf(agent.request('GE T', 'http://example.test/'));
  assert.instance(badMethod.value, TypeError);
  await reactor.flush();
  assert.equal(agent.pool.stats(origin).active, 0);
  await done();
});

test('a malformed response fails the request with HttpParseError and closes the connection', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => 'HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n';
  const failure = await failureOf(agent.request('GET', 'http://example.test/'));
  assert.instance(failure.value, HttpParseError);
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  await done();
});

test('a body cut short by the server closing fails the body with HttpTruncatedError', async () => {
  const { agent, server, done } = setup();
  server.respond = (request) => {
    request.reply('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
    server.connections[request.connection]!.close();
    return undefined;
  };
  const response = await agent.request('GET', 'http://example.test/');
  const { text, error } = await readAll(response);
  assert.is(text, 'partial');
  assert.instance(error, HttpTruncatedError);
  await done();
});

test('bytes after a complete response that nobody asked for keep the connection from being reused', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => `${ok('one')}HTTP/1.1 200 OK\r\n\r\n`;
  assert.is(await (await agent.request('GET', 'http://example.test/')).text(), 'one');
  await reactor.flush();
  assert.is(agent.pool.stats(origin).idle, 0);
  assert.ok(server.connections[0]!.closed.called);
  await done();
});

// ---------------------------------------------------------------------------------------------
// cancellation and timeouts

test('cancelling before the head aborts the connection and fails with CancelledError', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => undefined;
  const pending = agent.request('GET', 'http://example.test/');
  await reactor.flush();
  assert.is(server.requests.length, 1);
  pending.cancel();
  assert.instance((await failureOf(pending)).value, CancelledError);
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  assert.equal(agent.pool.stats(origin), { active: 0, idle: 0, waiting: 0 });
  server.respond = () => ok('next');
  assert.is(await (await agent.request('GET', 'http://example.test/')).text(), 'next');
  assert.is(reactor.connects.length, 2);
  await done();
});

test('cancelling a request waiting for a connection gives up its place in the queue', async () => {
  const { agent, reactor, server, done } = setup({ maxConnectionsPerOrigin: 1 });
  server.respond = () => undefined;
  const first = agent.request('GET', 'http://example.test/1');
  const second = agent.request('GET', 'http://example.test/2');
  await reactor.flush();
  assert.is(agent.pool.stats(origin).waiting, 1);
  second.cancel();
  assert.instance((await failureOf(second)).value, CancelledError);
  assert.is(agent.pool.stats(origin).waiting, 0);
  server.requests[0]!.reply(ok());
  await (await first).text();
  await done();
});

test('an AbortSignal aborts the request, before it starts or while it waits for the head', async () => {
  const { agent, reactor, server, done } = setup();
  const failure = await failureOf(
    agent.request('GET', 'http://example.test/', { signal: AbortSignal.abort() }),
  );
  assert.instance(failure.value, CancelledError);
  assert.is(reactor.connects.length, 0);
  server.respond = () => undefined;
  const controller = new AbortController();
  const pending = agent.request('GET', 'http://example.test/', { signal: controller.signal });
  await reactor.flush();
  controller.abort();
  assert.instance((await failureOf(pending)).value, CancelledError);
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  await done();
});

test('an AbortSignal aborted while the body streams fails the body and closes the connection', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = (request) => {
    request.reply('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf ');
    return undefined;
  };
  const controller = new AbortController();
  const response = await agent.request('GET', 'http://example.test/', { signal: controller.signal });
  const reading = readAll(response);
  await reactor.flush();
  controller.abort();
  const { text, error } = await reading;
  assert.is(text, 'half ');
  assert.instance(error, CancelledError);
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  assert.equal(agent.pool.stats(origin), { active: 0, idle: 0, waiting: 0 });
  await done();
});

test('no response head within headTimeout seconds of virtual time fails with TimeoutError', async () => {
  const { agent, clock, reactor, server, done } = setup({ headTimeout: 10 });
  server.respond = () => undefined;
  const pending = agent.request('GET', 'http://example.test/');
  await reactor.flush();
  clock.advance(9);
  assert.not.ok(pending.called);
  clock.advance(1);
  const failure = await failureOf(pending);
  assert.instance(failure.value, TimeoutError);
  assert.is((failure.value as TimeoutError).seconds, 10);
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  await done();
});

test('the total timeout covers the body: a body still streaming fails with TimeoutError', async () => {
  const { agent, clock, reactor, server, done } = setup();
  server.respond = (request) => {
    request.reply('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nslow');
    return undefined;
  };
  const response = await agent.request('GET', 'http://example.test/', { timeout: 5 });
  const reading = readAll(response);
  await reactor.flush();
  clock.advance(5);
  const { text, error } = await reading;
  assert.is(text, 'slow');
  assert.instance(error, TimeoutError);
  assert.equal(agent.pool.stats(origin), { active: 0, idle: 0, waiting: 0 });
  await done();
});

test('requests answered in time leave no timer behind: one head and one idle deadline per connection', async () => {
  const { agent, clock, done } = setup({ timeout: 30, headTimeout: 10, idleTimeout: 60 });
  for (let i = 0; i < 3; i++) {
    await (await agent.request('GET', 'http://example.test/')).text();
    assert.is(clock.getDelayedCalls().length, 2, "the kept connection's deadlines, moved, not made anew");
  }
  clock.advance(10);
  assert.is(agent.pool.stats(origin).idle, 1, 'the head deadline of an idle connection does nothing');
  await done();
  assert.is(clock.getDelayedCalls().length, 0, 'closing the connection cancels them');
});

// ---------------------------------------------------------------------------------------------
// backpressure

test('a body nobody reads pauses the connection, so the server stops being able to write', async () => {
  const { agent, reactor, server, done } = setup();
  const size = 1024 * 1024;
  let blocked = false;
  server.respond = (request) => {
    const connection = server.connections[request.connection]!;
    connection.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
    const chunk = new Uint8Array(64 * 1024).fill(120);
    for (let sent = 0; sent < size; sent += chunk.byteLength) {
      if (!connection.write(chunk)) blocked = true;
    }
    return undefined;
  };
  const response = await agent.request('GET', 'http://example.test/');
  await reactor.flush();
  assert.ok(blocked, "the server's writes blocked");
  const drained = server.connections[0]!.drained();
  await reactor.flush();
  assert.not.ok(drained.called, 'the server cannot write on while the body is not read');
  let length = 0;
  for await (const chunk of response.body) length += chunk.byteLength;
  assert.is(length, size);
  assert.ok(drained.called);
  await done();
});

// ---------------------------------------------------------------------------------------------
// request bodies

test('bytes and strings go out with Content-Length; an empty POST with Content-Length: 0', async () => {
  const { agent, server, done } = setup();
  await (await agent.request('POST', 'http://example.test/', { body: 'héllo' })).discard();
  await (await agent.request('PUT', 'http://example.test/', { body: new Uint8Array([1, 2, 3]) })).discard();
  await (await agent.request('POST', 'http://example.test/')).discard();
  const big = 'b'.repeat(100_000);
  await (await agent.request('POST', 'http://example.test/', { body: big })).discard();
  assert.equal(
    server.requests.map((request) => request.headers.get('content-length')),
    ['6', '3', '0', '100000'],
  );
  assert.is(server.requests[0]!.body, 'héllo');
  assert.is(server.requests[3]!.body, big);
  await done();
});

test('a body of unknown length goes out chunked: async generator, Observable, Node Readable', async () => {
  const { agent, server, done } = setup();
  async function* generate() {
    yield 'one ';
    yield encoder.encode('two ');
    yield '';
    yield 'three';
  }
  const bodies = [
    generate(),
    of('four ', encoder.encode('five')),
    Readable.from([Buffer.from('six '), 'seven']),
  ];
  for (const body of bodies) await (await agent.request('POST', 'http://example.test/', { body })).discard();
  assert.equal(
    server.requests.map((request) => [
      request.framing.kind,
      request.headers.get('transfer-encoding'),
      request.body,
    ]),
    [
      ['chunked', 'chunked', 'one two three'],
      ['chunked', 'chunked', 'four five'],
      ['chunked', 'chunked', 'six seven'],
    ],
  );
  assert.is(server.connections.length, 1, 'chunked uploads keep the connection reusable');
  await done();
});

test("a stream with a Content-Length goes with that length (Transfer-Encoding is the client's); one that breaks it fails", async () => {
  const { agent, server, done } = setup();
  await (
    await agent.request('POST', 'http://example.test/', {
      headers: { 'Content-Length': '3', 'Transfer-Encoding': 'gzip' },
      body: of('a', 'bc'),
    })
  ).discard();
  const [request] = server.requests;
  assert.equal(request!.framing, { kind: 'length', length: 3 });
  assert.is(request!.headers.get('transfer-encoding'), undefined);
  assert.is(request!.body, 'abc');
  const short = await failureOf(
    agent.request('POST', 'http://example.test/', { headers: { 'Content-Length': '999' }, body: of('abc') }),
  );
  assert.instance(short.value, TypeError);
  assert.match((short.value as Error).message, 'short of its declared length');
  const invalid = await failureOf(
    agent.request('POST', 'http://example.test/', { headers: { 'Content-Length': '-1' }, body: of('abc') }),
  );
  assert.instance(invalid.value, TypeError);
  await done();
});

test('decompress: false on one request leaves its body encoded', async () => {
  const { agent, server, done } = setup();
  const zipped = gzipSync(Buffer.from('squeezed'));
  server.respond = (request) => {
    request.reply(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${zipped.length}\r\n\r\n`);
    request.reply(zipped);
    return undefined;
  };
  const raw = await agent.request('GET', 'http://example.test/', { decompress: false });
  assert.is(raw.headers.get('content-encoding'), 'gzip');
  assert.equal(Buffer.from(await raw.bytes()), zipped);
  assert.is(server.requests[0]!.headers.get('accept-encoding'), undefined, 'nothing offered');
  assert.is(await (await agent.request('GET', 'http://example.test/')).text(), 'squeezed');
  await done();
});

test('a large upload from a generator is read only as fast as the connection drains', async () => {
  const { agent, server, done } = setup();
  let produced = 0;
  async function* generate() {
    for (let i = 0; i < 64; i++) {
      produced++;
      yield new Uint8Array(16 * 1024).fill(97);
    }
  }
  server.respond = (request) => ok(String(request.body.length));
  const response = await agent.request('POST', 'http://example.test/', { body: generate() });
  assert.is(await response.text(), String(64 * 16 * 1024));
  assert.is(produced, 64);
  await done();
});

test('an upload whose source fails fails the request and aborts the connection', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => undefined;
  const body = new Observable<string>((subscriber) => {
    subscriber.next('start');
    subscriber.error(new Error('disk on fire'));
  });
  const failure = await failureOf(agent.request('POST', 'http://example.test/', { body }));
  assert.is(failure.value.message, 'disk on fire');
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  assert.is(server.requests.length, 0, 'the server never saw a complete request');
  await done();
});

test('an upload whose generator throws fails the request with that error', async () => {
  const { agent, done } = setup();
  async function* broken() {
    yield 'a';
    throw new Error('read error');
  }
  const failure = await failureOf(agent.request('POST', 'http://example.test/', { body: broken() }));
  assert.is(failure.value.message, 'read error');
  await done();
});

test('a body that is neither bytes, a string nor a stream fails with TypeError', async () => {
  const { agent, done } = setup();
  const body = { length: 3 } as unknown as string;
  assert.instance(
    (await failureOf(agent.request('POST', 'http://example.test/', { body }))).value,
    TypeError,
  );
  await done();
});

test('Expect: 100-continue sends the body only once the server says 100 Continue', async () => {
  const { agent, reactor, server, done } = setup();
  server.respond = () => ok('stored');
  const pending = agent.request('PUT', 'http://example.test/f', { body: 'payload', expectContinue: true });
  await reactor.flush();
  assert.is(server.heads.length, 1);
  assert.is(server.heads[0]!.headers.get('expect'), '100-continue');
  assert.not.ok(server.raw(0).includes('payload'));
  server.connections[0]!.write('HTTP/1.1 100 Continue\r\n\r\n');
  const response = await pending;
  assert.is(await response.text(), 'stored');
  assert.is(server.requests[0]!.body, 'payload');
  assert.is(agent.pool.stats(origin).idle, 1);
  await done();
});

test('Expect: 100-continue sends the body anyway after expectContinueTimeout of virtual time', async () => {
  const { agent, clock, reactor, server, done } = setup({ expectContinueTimeout: 2 });
  const pending = agent.request('POST', 'http://example.test/', {
    body: of('streamed'),
    expectContinue: true,
  });
  await reactor.flush();
  assert.is(server.requests.length, 0);
  clock.advance(2);
  const response = await pending;
  await response.discard();
  assert.is(server.requests[0]!.body, 'streamed');
  await done();
});

test('a final answer instead of 100 Continue: the body is not sent, and the connection not reused', async () => {
  const { agent, reactor, server, done } = setup();
  const pending = agent.request('POST', 'http://example.test/', { body: 'secret', expectContinue: true });
  await reactor.flush();
  server.connections[0]!.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope');
  const response = await pending;
  assert.is(response.status, 401);
  assert.is(await response.text(), 'nope');
  await reactor.flush();
  assert.not.ok(server.raw(0).includes('secret'));
  assert.is(agent.pool.stats(origin).idle, 0);
  assert.ok(server.connections[0]!.closed.called);
  await done();
});

test('an early error response stops a chunked upload and closes the connection', async () => {
  const { agent, reactor, server, done } = setup();
  let pulled = 0;
  async function* endless() {
    for (;;) {
      pulled++;
      yield 'more ';
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  server.respond = () => undefined;
  const pending = agent.request('POST', 'http://example.test/', { body: endless() });
  await until(() => server.raw(0).includes('more'));
  server.connections[0]!.write(
    'HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  );
  const response = await pending;
  assert.is(response.status, 413);
  await response.discard();
  await reactor.flush();
  const after = pulled;
  await reactor.flush();
  assert.is(pulled, after, 'the source is no longer read');
  assert.ok(server.connections[0]!.closed.called);
  await done();
});

// ---------------------------------------------------------------------------------------------
// redirects

test('redirects are returned as they are unless followRedirects is set', async () => {
  const { agent, server, done } = setup();
  server.respond = () => 'HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n';
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(response.status, 302);
  assert.is(response.headers.get('location'), '/elsewhere');
  await response.discard();
  await done();
});

test('follows 301/302/303 as browsers do: POST becomes GET without its body, on the same connection', async () => {
  const { agent, server, done } = setup({ followRedirects: 5 });
  server.respond = (request) => {
    const status = /^\/(\d+)$/.exec(request.target)?.[1];
    if (status !== undefined) {
      return `HTTP/1.1 ${status} Moved\r\nLocation: /landed?from=${status}\r\nContent-Length: 5\r\n\r\nmoved`;
    }
    return ok(`${request.method} ${request.target} ${request.body}`);
  };
  for (const [method, status, expected] of [
    ['POST', '301', 'GET /landed?from=301 '],
    ['POST', '302', 'GET /landed?from=302 '],
    ['PUT', '303', 'GET /landed?from=303 '],
    ['PUT', '301', 'PUT /landed?from=301 data'],
  ] as const) {
    const response = await agent.request(method, `http://example.test/${status}`, {
      body: 'data',
      headers: { 'Content-Type': 'text/plain' },
    });
    assert.is(response.status, 200);
    assert.is(response.url, `http://example.test/landed?from=${status}`);
    assert.is(await response.text(), expected);
  }
  const redirected = server.requests.filter((request) => request.target.startsWith('/landed'));
  assert.equal(
    redirected.map((request) => request.headers.get('content-type')),
    [undefined, undefined, undefined, 'text/plain'],
  );
  assert.is(server.connections.length, 1);
  await done();
});

test('307 and 308 keep the method and the body; a streamed body is not sent again', async () => {
  const { agent, server, done } = setup({ followRedirects: 1 });
  server.respond = (request) =>
    request.target.startsWith('/old')
      ? `HTTP/1.1 ${request.target === '/old7' ? 307 : 308} Moved\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n`
      : ok(`${request.method} ${request.body}`);
  assert.is(
    await (await agent.request('POST', 'http://example.test/old7', { body: 'abc' })).text(),
    'POST abc',
  );
  assert.is(
    await (await agent.request('PUT', 'http://example.test/old8', { body: 'def' })).text(),
    'PUT def',
  );
  const streamed = await agent.request('POST', 'http://example.test/old8', { body: of('once') });
  assert.is(streamed.status, 308, 'the redirect is handed back: the body cannot be replayed');
  await streamed.discard();
  await done();
});

test('a redirect to another origin drops Authorization and Cookie', async () => {
  const { agent, server, another, done } = setup({ followRedirects: 3 });
  const other = another(8080);
  server.respond = (request) =>
    request.target === '/start'
      ? 'HTTP/1.1 302 Found\r\nLocation: /same\r\nContent-Length: 0\r\n\r\n'
      : 'HTTP/1.1 302 Found\r\nLocation: http://other.test:8080/there\r\nContent-Length: 0\r\n\r\n';
  other.respond = () => ok('arrived');
  const response = await agent.request('GET', 'http://example.test/start', {
    headers: { Authorization: 'Bearer secret', Cookie: 'a=1', 'X-Keep': 'yes' },
  });
  assert.is(await response.text(), 'arrived');
  assert.is(response.url, 'http://other.test:8080/there');
  assert.is(server.requests[1]!.headers.get('authorization'), 'Bearer secret', 'same origin keeps it');
  const [there] = other.requests;
  assert.is(there!.headers.get('authorization'), undefined);
  assert.is(there!.headers.get('cookie'), undefined);
  assert.is(there!.headers.get('x-keep'), 'yes');
  assert.is(there!.headers.get('host'), 'other.test:8080');
  await done();
});

test('more redirects than followRedirects fail with TooManyRedirectsError', async () => {
  const { agent, server, done } = setup({ followRedirects: 2 });
  let n = 0;
  server.respond = () => `HTTP/1.1 302 Found\r\nLocation: /loop${++n}\r\nContent-Length: 0\r\n\r\n`;
  const failure = await failureOf(agent.request('GET', 'http://example.test/'));
  assert.instance(failure.value, TooManyRedirectsError);
  assert.is((failure.value as TooManyRedirectsError).response.status, 302);
  assert.is(server.requests.length, 3);
  await done();
});

test('a redirect to a scheme other than http: or https:, or to no URL at all, is handed back as it is', async () => {
  const { agent, server, done } = setup({ followRedirects: 3 });
  server.respond = () =>
    'HTTP/1.1 301 Moved\r\nLocation: ftp://example.test/file\r\nContent-Length: 0\r\n\r\n';
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(response.status, 301);
  await response.discard();
  await done();
});

// ---------------------------------------------------------------------------------------------
// content decoding

const sample = 'The quick brown fox jumps over the lazy dog. '.repeat(200);

for (const [coding, encode] of [
  ['gzip', gzipSync],
  ['x-gzip', gzipSync],
  ['deflate', deflateSync],
  ['deflate', deflateRawSync],
  ['br', brotliCompressSync],
] as const) {
  test(`decodes a ${coding} body (${encode.name}) and drops the codings from the headers`, async () => {
    const { agent, server, done } = setup();
    const encoded = encode(Buffer.from(sample));
    server.respond = (request) => {
      request.reply(
        `HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nContent-Length: ${encoded.byteLength}\r\n\r\n`,
      );
      return encoded;
    };
    const response = await agent.request('GET', 'http://example.test/');
    assert.is(response.headers.get('content-encoding'), undefined);
    assert.is(response.headers.get('content-length'), undefined);
    assert.is(await response.text(), sample);
    assert.is(agent.pool.stats(origin).idle, 1);
    await done();
  });
}

test('decodes codings applied one after the other, streaming a chunked body', async () => {
  const { agent, server, done } = setup();
  const encoded = brotliCompressSync(gzipSync(Buffer.from(sample)));
  server.respond = (request) => {
    request.reply('HTTP/1.1 200 OK\r\nContent-Encoding: gzip, br\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let at = 0; at < encoded.byteLength; at += 100) {
      const piece = encoded.subarray(at, at + 100);
      request.reply(`${piece.byteLength.toString(16)}\r\n`);
      request.reply(piece);
      request.reply('\r\n');
    }
    return '0\r\n\r\n';
  };
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(await response.text(), sample);
  await done();
});

test('a large gzip body streams through with backpressure and arrives whole', async () => {
  const { agent, server, done } = setup();
  const plain = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < plain.length; i++) plain[i] = (i * 7919) % 251;
  const encoded = gzipSync(plain);
  server.respond = (request) => {
    request.reply(
      `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${encoded.byteLength}\r\n\r\n`,
    );
    return encoded;
  };
  const response = await agent.request('GET', 'http://example.test/');
  const received: Uint8Array[] = [];
  for await (const chunk of response.body) {
    received.push(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.ok(Buffer.concat(received).equals(plain));
  await done();
});

test('a gzip body nobody reads pauses the decompressor, and then the connection', async () => {
  const { agent, reactor, server, done } = setup();
  const plain = randomBytes(1024 * 1024); // incompressible: as many bytes on the wire as decoded
  const encoded = gzipSync(plain);
  let blocked = false;
  server.respond = (request) => {
    const connection = server.connections[request.connection]!;
    connection.write(
      `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${encoded.byteLength}\r\n\r\n`,
    );
    for (let at = 0; at < encoded.byteLength; at += 1024) {
      if (!connection.write(encoded.subarray(at, at + 1024))) blocked = true;
    }
    return undefined;
  };
  const response = await agent.request('GET', 'http://example.test/');
  await new Promise((resolve) => setTimeout(resolve, 50)); // zlib works on its own threads
  await reactor.flush();
  assert.ok(blocked, 'the server could not write everything at once');
  const drained = server.connections[0]!.drained();
  await reactor.flush();
  assert.not.ok(drained.called, 'the server waits while the decoded body is not read');
  const received: Uint8Array[] = [];
  for await (const chunk of response.body) received.push(chunk);
  assert.ok(Buffer.concat(received).equals(plain));
  await done();
});

test('leaving a gzip body early closes the connection; a timeout fails it mid-way', async () => {
  const { agent, clock, reactor, server, done } = setup();
  const encoded = gzipSync(Buffer.alloc(1024 * 1024, 'abcdefgh'));
  server.respond = (request) => {
    request.reply(
      `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${encoded.byteLength}\r\n\r\n`,
    );
    request.reply(encoded.subarray(0, 1000));
    return undefined;
  };
  const left = await agent.request('GET', 'http://example.test/');
  for await (const _ of left.body) break;
  await reactor.flush();
  assert.ok(server.connections[0]!.closed.called);
  const slow = await agent.request('GET', 'http://example.test/', { timeout: 1 });
  const reading = readAll(slow);
  await reactor.flush();
  clock.advance(1);
  const { error } = await reading;
  assert.instance(error, TimeoutError);
  await done();
});

test('decompress: false asks for nothing and hands the body over as it came', async () => {
  const { agent, server, done } = setup({ decompress: false });
  const encoded = gzipSync(Buffer.from('raw'));
  server.respond = (request) => {
    request.reply(
      `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${encoded.byteLength}\r\n\r\n`,
    );
    return encoded;
  };
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(response.headers.get('content-encoding'), 'gzip');
  assert.ok(Buffer.from(await response.arrayBuffer()).equals(encoded));
  assert.is(server.requests[0]!.headers.get('accept-encoding'), undefined);
  await done();
});

test('a coding the client does not know leaves the body encoded', async () => {
  const { agent, server, done } = setup();
  server.respond = () => ok('opaque', 'Content-Encoding: gzip, zstd\r\n');
  const response = await agent.request('GET', 'http://example.test/');
  assert.is(response.headers.get('content-encoding'), 'gzip, zstd');
  assert.is(await response.text(), 'opaque');
  await done();
});

test('a corrupt gzip body fails with ContentDecodingError; an empty one is empty', async () => {
  const { agent, server, done } = setup();
  server.respond = (request) =>
    request.target === '/empty'
      ? 'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n'
      : 'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\nnot gzip!!';
  const failure = await failureOf((await agent.request('GET', 'http://example.test/')).text());
  assert.instance(failure.value, ContentDecodingError);
  assert.is(await (await agent.request('GET', 'http://example.test/empty')).text(), '');
  await done();
});

// ---------------------------------------------------------------------------------------------
// https

test('https: URLs connect over TLS with the agent settings, on port 443 by default', async () => {
  const reactor = new MemoryReactor({ clock: trackedClock() });
  const server = reactor.listenStream({ type: 'tls', port: 443, tls: {} });
  server.connections$.subscribe((connection) => {
    connection.data$.subscribe(() => connection.write(ok(connection.secure ? 'secure' : 'plain')));
  });
  const ca = 'a PEM certificate';
  const agent = new Agent({ reactor, tls: { ca } });
  const response = await agent.request('GET', 'https://example.test/');
  assert.is(await response.text(), 'secure');
  assert.equal(reactor.connects[0]!.endpoint, { type: 'tls', host: 'example.test', port: 443, tls: { ca } });
  assert.equal(agent.pool.stats('https://example.test:443'), { active: 0, idle: 1, waiting: 0 });
  await agent.closeCachedConnections();
  server.close({ gracePeriod: 0 });
  await reactor.flush();
});

test('IPv6 literal hosts connect without their brackets', async () => {
  const { agent, reactor, server, done } = setup();
  await (await agent.request('GET', 'http://[::1]/')).discard();
  assert.equal(reactor.connects[0]!.endpoint, { type: 'tcp', host: '::1', port: 80 });
  assert.is(server.requests[0]!.headers.get('host'), '[::1]');
  await done();
});

test.run();
