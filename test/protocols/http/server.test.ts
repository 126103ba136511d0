import { Readable } from 'node:stream';
import { setImmediate as settle } from 'node:timers/promises';
import { concat, delay, from, interval, map, of, Subject, take, throwError, timer } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AccessLogRecord, formatAccessLog } from '../../../protocols/http/access-log.js';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import type { HttpRequest } from '../../../protocols/http/request.js';
import { type HttpResponse, respond } from '../../../protocols/http/response.js';
import {
  type HttpHandler,
  type HttpServer,
  type HttpServerOptions,
  httpServer,
} from '../../../protocols/http/server.js';
import {
  Deferred,
  fail,
  type ListenOptions,
  type LogRecord,
  logRecords$,
  succeed,
} from '../../../source/index.js';
import {
  Clock,
  checkClean,
  MemoryReactor,
  type MemoryServer,
  StringTransport,
  trackedClock,
} from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';

const test = checkClean(suite('protocols/http/server'));

const peer = { type: 'tcp', host: '127.0.0.1', port: 5000, family: 'IPv4' } as const;

/** An app on a virtual clock, one connection to it, and the access log records so far. */
function serve(handler: HttpHandler, options: HttpServerOptions = {}) {
  const clock = trackedClock();
  const app = httpServer(handler, { clock, ...options });
  const records: AccessLogRecord[] = [];
  app.accessLog$.subscribe((record) => records.push(record));
  const transport = connect(app);
  return { clock, app, transport, records };
}

function connect(app: HttpServer): StringTransport {
  const transport = new StringTransport({ allowHalfOpen: app.halfClose, remoteAddress: peer });
  app.serve(transport);
  return transport;
}

/** A memory server running `app` (as `listen` would), on `clock`. */
function listenOn(app: HttpServer, clock: Clock, options: ListenOptions = {}): MemoryServer {
  return new MemoryReactor({ clock }).listenStream({ type: 'tcp', port: 80 }, options, app);
}

/** A connection arriving at `server`. */
function arrive(server: MemoryServer): StringTransport {
  const transport = new StringTransport({ allowHalfOpen: true, remoteAddress: peer });
  server.accept(transport);
  return transport;
}

interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly headers: HttpHeaders;
  readonly body: string;
}

/** The responses in `bytes`, one per method of `methods` (default one GET). */
function answers(bytes: Uint8Array, methods: readonly string[] = ['GET']): Answer[] {
  const parser = new ResponseParser();
  for (const method of methods) parser.expect(method);
  const result: { status: number; reason: string; headers: HttpHeaders; body: string }[] = [];
  for (const event of parser.push(bytes)) {
    if (event.type === 'head') {
      result.push({
        status: event.head.status,
        reason: event.head.reason,
        headers: event.head.headers,
        body: '',
      });
    } else if (event.type === 'body') {
      result[result.length - 1]!.body += Buffer.from(event.data).toString();
    }
  }
  return result;
}

function only(transport: StringTransport, method = 'GET'): Answer {
  const all = answers(transport.value(), [method]);
  assert.is(all.length, 1, `expected one response in ${JSON.stringify(transport.text())}`);
  return all[0]!;
}

const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: example.test\r\n${extra}\r\n`;
const hello: HttpHandler = () => ({ body: 'hello world\n' });

test('answers GET with Content-Length and Date, and keeps the connection open', () => {
  const { transport } = serve(hello);
  transport.receive(get('/'));
  assert.is(
    transport.text(),
    'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\nhello world\n',
  );
  assert.not.ok(transport.ended || transport.closedByProtocol);
  transport.clear();
  transport.receive(get('/again'));
  assert.is(only(transport).body, 'hello world\n');
  transport.loseConnection();
});

test('regression: a streamed body on a closing connection keeps its last chunk (it was cut by the FIN while corked)', async () => {
  const bodies: Record<string, () => HttpResponse['body']> = {
    'async generator': () =>
      (async function* () {
        yield 'x';
      })(),
    'synchronous observable': () => of('x'),
  };
  for (const [label, body] of Object.entries(bodies)) {
    const { transport } = serve(() => ({ body: body() }));
    transport.receive('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    for (let turn = 0; turn < 20 && !transport.ended; turn++) await settle();
    assert.ok(transport.ended, label);
    assert.match(transport.text(), /\r\n\r\n1\r\nx\r\n0\r\n\r\n$/, label);
    transport.loseConnection();
  }
});

test('the Date header follows the clock, one format per second', () => {
  const clock = trackedClock();
  clock.advance(1_700_000_000.25);
  const { transport } = serve(hello, { clock });
  transport.receive(get('/'));
  assert.is(only(transport).headers.get('date'), 'Tue, 14 Nov 2023 22:13:20 GMT');
  transport.loseConnection();
});

test('answers the same bytes however the requests are split', async () => {
  const input = Buffer.from(
    `${get('/a')}POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello` +
      'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n' +
      get('/d'),
  );
  const handler: HttpHandler = async (request) => ({
    headers: { 'X-Target': request.target },
    body: `${request.method} ${request.target} ${await request.text()}`,
  });
  const expected = ['GET /a ', 'POST /b hello', 'POST /c abcde', 'GET /d '];
  for (const { label, chunks } of chunkings(input)) {
    const { transport } = serve(handler);
    for (const chunk of chunks) {
      transport.receive(chunk);
      await settle();
    }
    const got = answers(transport.value(), ['GET', 'POST', 'POST', 'GET']);
    assert.equal(
      got.map((answer) => answer.body),
      expected,
      label,
    );
    transport.loseConnection();
  }
});

test('answers pipelined requests in request order, whatever order the handler finishes in', async () => {
  const pending = new Map<string, Deferred<HttpResponse>>();
  const { transport } = serve((request) => {
    const answer = new Deferred<HttpResponse>();
    pending.set(request.target, answer);
    return answer;
  });
  transport.receive(get('/1') + get('/2') + get('/3'));
  assert.is(pending.size, 3, 'every pipelined request is handed to the handler at once');
  pending.get('/3')!.callback({ body: 'three' });
  pending.get('/2')!.callback({ body: 'two' });
  assert.is(transport.text(), '', 'nothing goes out before the first response');
  pending.get('/1')!.callback({ body: 'one' });
  assert.equal(
    answers(transport.value(), ['GET', 'GET', 'GET']).map((answer) => answer.body),
    ['one', 'two', 'three'],
  );
  transport.loseConnection();
});

test('writes the responses to pipelined requests that are ready together in one write', () => {
  const { transport } = serve(hello);
  transport.receive(get('/1') + get('/2') + get('/3'));
  assert.is(transport.writes.length, 1);
  assert.is(answers(transport.value(), ['GET', 'GET', 'GET']).length, 3);
  transport.loseConnection();
});

test('stops reading while maxPipelined requests wait, and reads on as they are answered', () => {
  const pending: Deferred<HttpResponse>[] = [];
  const { transport } = serve(
    () => {
      const answer = new Deferred<HttpResponse>();
      pending.push(answer);
      return answer;
    },
    { maxPipelined: 2 },
  );
  transport.receive(get('/1') + get('/2') + get('/3') + get('/4'));
  assert.is(pending.length, 2);
  assert.not.ok(transport.reading, 'the connection is not read while the pipeline is full');
  transport.receive(get('/5'));
  pending[0]!.callback({ body: '1' });
  assert.is(pending.length, 3);
  pending[1]!.callback({ body: '2' });
  pending[2]!.callback({ body: '3' });
  assert.is(pending.length, 5);
  assert.ok(transport.reading);
  pending[3]!.callback({ body: '4' });
  pending[4]!.callback({ body: '5' });
  assert.equal(
    answers(transport.value(), ['GET', 'GET', 'GET', 'GET', 'GET']).map((answer) => answer.body),
    ['1', '2', '3', '4', '5'],
  );
  transport.loseConnection();
});

test('stops reading while the connection cannot write, and reads on once it drains', () => {
  const { transport } = serve(hello);
  transport.setWriteBlocked(true);
  transport.receive(get('/1'));
  assert.not.ok(transport.reading);
  transport.receive(get('/2'));
  assert.is(answers(transport.value()).length, 1, 'the second request waits unread');
  transport.setWriteBlocked(false);
  assert.ok(transport.reading);
  assert.is(answers(transport.value(), ['GET', 'GET']).length, 2);
  transport.loseConnection();
});

test('regression: requests read in one chunk are not all answered into a full write buffer (a pipelining flood took them all)', () => {
  let called = 0;
  const { clock, transport } = serve(
    () => {
      called++;
      return { body: 'x'.repeat(1000) };
    },
    { maxPipelined: 4 },
  );
  transport.setWriteBlocked(true);
  const flood = Array.from({ length: 100 }, (_, n) => get(`/${n}`)).join('');
  transport.receive(flood);
  assert.is(called, 4, 'one pipeline of answers, then none while the client does not read');
  assert.not.ok(transport.reading);
  transport.setWriteBlocked(false);
  clock.advance(0); // the turns of requestsPerTurn requests each
  assert.is(called, 100);
  assert.is(answers(transport.value(), Array(100).fill('GET')).length, 100);
  transport.loseConnection();
});

test('a request with Connection: close is answered with Connection: close, then the connection ends', () => {
  const { transport } = serve(hello);
  transport.receive(`${get('/', 'Connection: close\r\n')}${get('/ignored')}`);
  const answer = only(transport);
  assert.is(answer.headers.get('connection'), 'close');
  assert.ok(transport.ended, 'FIN sent after the response');
  assert.not.ok(transport.closedByProtocol, 'still reading, so the client closes first (no reset)');
  transport.receive('anything after the FIN is dropped');
  transport.receiveEnd();
  assert.ok(transport.closedByProtocol);
});

test('HTTP/1.0: closes by default, keeps alive on request, and ends a stream body by closing', () => {
  const { transport } = serve((request) =>
    request.target === '/stream' ? { body: of('a', 'b') } : { body: 'ok' },
  );
  transport.receive('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  let answer = only(transport);
  assert.is(answer.headers.get('connection'), 'keep-alive');
  assert.not.ok(transport.ended);
  transport.clear();
  transport.receive('GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  assert.is(
    transport.text(),
    'HTTP/1.1 200 OK\r\nConnection: close\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\nab',
  );
  assert.ok(transport.ended);
  transport.receiveEnd();
  const second = serve(hello).transport;
  second.receive('GET / HTTP/1.0\r\n\r\n');
  answer = only(second);
  assert.is(answer.headers.get('connection'), 'close');
  assert.ok(second.ended);
  second.receiveEnd();
});

test('a half-closed client still gets its answer, then the connection closes', async () => {
  const { transport } = serve(async () => {
    await settle();
    return { body: 'late' };
  });
  transport.receive(get('/'));
  transport.receiveEnd();
  assert.not.ok(transport.closedByProtocol);
  await settle();
  await settle();
  assert.is(only(transport).body, 'late');
  assert.ok(transport.closedByProtocol);
});

test('streams of unknown length go out chunked: Observable, async iterable, Node Readable', async () => {
  async function* generate() {
    yield 'gen';
    await settle();
    yield new Uint8Array([0x21]);
  }
  const bodies: Record<string, () => HttpResponse['body']> = {
    '/observable': () => concat(of('ob'), from([Buffer.from('serv')]), of('', 'able')),
    '/iterable': () => generate(),
    '/readable': () => Readable.from([Buffer.from('read'), Buffer.from('able')]),
  };
  const { transport } = serve((request) => ({ body: bodies[request.target]!() }));
  transport.receive(get('/observable'));
  assert.match(transport.text(), 'Transfer-Encoding: chunked\r\n');
  assert.match(transport.text(), '\r\n\r\n2\r\nob\r\n4\r\nserv\r\n4\r\nable\r\n0\r\n\r\n');
  transport.receive(get('/iterable') + get('/readable'));
  for (let i = 0; i < 10; i++) await settle();
  assert.equal(
    answers(transport.value(), ['GET', 'GET', 'GET']).map((answer) => answer.body),
    ['observable', 'gen!', 'readable'],
  );
  transport.loseConnection();
});

test('a stream with its Content-Length is sent as is; one that breaks it drops the connection', async () => {
  const { transport } = serve((request) => ({
    headers: { 'Content-Length': '4' },
    body:
      request.target === '/exact' ? of('ab', 'cd') : request.target === '/long' ? of('abc', 'de') : of('a'),
  }));
  transport.receive(get('/exact'));
  assert.is(
    transport.text(),
    'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\nabcd',
  );
  const errors = collectLog();
  transport.receive(get('/long'));
  assert.ok(transport.aborted, 'a body longer than its Content-Length aborts');
  const short = serve(() => ({ headers: { 'Content-Length': '4' }, body: of('a') })).transport;
  short.receive(get('/short'));
  assert.ok(short.aborted, 'a body shorter than its Content-Length aborts');
  errors.stop();
  assert.is(errors.records.filter((record) => record.level === 'error').length, 2);
});

test('HEAD gets the headers GET would, without the body, and does not read a stream body', () => {
  let destroyed = false;
  const { transport } = serve((request) => {
    if (request.target === '/stream') {
      const stream = new Readable({ read() {} });
      stream.on('close', () => {
        destroyed = true;
      });
      return { body: stream };
    }
    return request.target === '/sized' ? { headers: { 'Content-Length': '99' } } : { body: 'hello world\n' };
  });
  transport.receive('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.is(
    transport.text(),
    'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n',
  );
  transport.clear();
  transport.receive('HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.is(
    transport.text(),
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n',
  );
  transport.clear();
  transport.receive('HEAD /sized HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(transport.text(), 'Content-Length: 99\r\n');
  assert.not.match(transport.text(), /\r\n\r\n./);
  transport.loseConnection();
  return settle().then(() => assert.ok(destroyed, 'the unread Readable is destroyed'));
});

test('204 and 304 have no body and no Content-Length (a 304 keeps one given)', () => {
  const { transport } = serve((request) =>
    request.target === '/204'
      ? { status: 204, body: 'ignored' }
      : { status: 304, headers: { 'Content-Length': '12', ETag: '"x"' }, body: of('ignored') },
  );
  transport.receive(get('/204') + get('/304'));
  assert.is(
    transport.text(),
    'HTTP/1.1 204 No Content\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 12\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n',
  );
  transport.loseConnection();
});

test('headers: records, pairs and HttpHeaders; the server owns framing, Connection and (unless given) Date', () => {
  const { transport } = serve((request) => {
    if (request.target === '/pairs')
      return {
        status: 201,
        reason: 'Made',
        headers: [
          ['Set-Cookie', 'a=1'],
          ['Set-Cookie', 'b=2'],
        ],
        body: new Uint8Array([104, 105]),
      };
    if (request.target === '/copy') return { headers: request.headers, body: '' };
    return {
      headers: {
        Vary: ['Accept', 'Origin'],
        'Transfer-Encoding': 'gzip',
        Connection: 'keep-alive',
        Date: 'Mon, 01 Jan 2024 00:00:00 GMT',
        'X-Latin': 'caf\u00e9',
      },
      body: 'x',
    };
  });
  transport.receive(get('/pairs'));
  assert.is(
    transport.text(),
    'HTTP/1.1 201 Made\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\nhi',
  );
  transport.clear();
  transport.receive(get('/copy', 'X-Request: 7\r\n'));
  assert.is(only(transport).headers.get('x-request'), '7');
  transport.clear();
  transport.receive(get('/'));
  assert.equal(
    Buffer.from(transport.value()).toString('latin1'),
    'HTTP/1.1 200 OK\r\nVary: Accept\r\nVary: Origin\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nX-Latin: caf\u00e9\r\nContent-Length: 1\r\n\r\nx',
  );
  transport.loseConnection();
});

test('a handler that throws gets a 500 with no detail, is logged, and the connection goes on', () => {
  const log = collectLog();
  const { transport } = serve((request) => {
    if (request.target === '/boom') throw new Error('secret detail');
    return { body: 'fine' };
  });
  transport.receive(get('/boom') + get('/next'));
  log.stop();
  const [failed, next] = answers(transport.value(), ['GET', 'GET']);
  assert.is(failed!.status, 500);
  assert.is(failed!.body, '500 Internal Server Error\n');
  assert.not.match(transport.text(), 'secret');
  assert.is(failed!.headers.get('connection'), undefined);
  assert.is(next!.body, 'fine');
  const record = log.records.find((each) => each.level === 'error')!;
  assert.ok(record, 'the failure is logged');
  assert.is((record.error as Error).message, 'secret detail');
  assert.equal(record.fields?.peer, '127.0.0.1:5000');
  assert.equal(record.fields?.target, '/boom');
  transport.loseConnection();
});

test('a rejected promise, a failed Deferred, a non-response and an invalid response all answer 500', async () => {
  const log = collectLog();
  const handlers: Record<string, () => ReturnType<HttpHandler>> = {
    '/promise': () => Promise.reject(new Error('no')),
    '/deferred': () => fail<HttpResponse>(new Error('no')),
    '/undefined': () => undefined as unknown as HttpResponse,
    '/injection': () => ({ headers: { 'X-Evil': 'a\r\nSet-Cookie: x=1' } }),
    '/status': () => ({ status: 100 }),
    '/body': () => ({ body: 42 as unknown as string }),
    '/length': () => ({ headers: { 'Content-Length': '3' }, body: 'four' }),
    '/chunk': () => ({ body: of(42 as unknown as string) }),
  };
  const { transport } = serve((request) => handlers[request.target]!());
  const targets = Object.keys(handlers);
  transport.receive(targets.map((target) => get(target)).join(''));
  await settle();
  log.stop();
  assert.equal(
    answers(
      transport.value(),
      targets.map(() => 'GET'),
    ).map((answer) => answer.status),
    targets.map(() => 500),
  );
  assert.not.match(transport.text(), 'Set-Cookie');
  assert.is(log.records.filter((record) => record.level === 'error').length, targets.length);
  transport.loseConnection();
});

test('a response from a Deferred that has fired, or a promise, is taken as it is', async () => {
  const { transport } = serve((request) =>
    request.target === '/deferred'
      ? succeed<HttpResponse>({ body: 'sync' })
      : Promise.resolve({ body: 'async' }),
  );
  transport.receive(get('/deferred'));
  assert.is(only(transport).body, 'sync', 'a fired Deferred answers synchronously');
  transport.clear();
  transport.receive(get('/promise'));
  await settle();
  assert.is(only(transport).body, 'async');
  transport.loseConnection();
});

test('a stream body that fails before its first chunk answers 500; after it, the connection is dropped', async () => {
  const log = collectLog();
  const clock = trackedClock();
  const { transport } = serve(
    (request) => ({
      body:
        request.target === '/early'
          ? throwError(() => new Error('early'))
          : concat(
              of('partial'),
              timer(1000, clock).pipe(
                map(() => {
                  throw new Error('late');
                }),
              ),
            ),
    }),
    { clock },
  );
  transport.receive(get('/early'));
  assert.is(only(transport).status, 500);
  transport.clear();
  transport.receive(get('/late'));
  assert.match(transport.text(), '7\r\npartial\r\n');
  clock.advance(1);
  assert.not.match(transport.text(), '0\r\n\r\n');
  assert.ok(transport.aborted, 'the client sees the response cut short');
  log.stop();
  assert.is(log.records.filter((record) => record.level === 'error').length, 2);
});

test('a stream that emits later is written as it comes, on the clock', () => {
  const clock = trackedClock();
  const { transport } = serve(() => ({ body: interval(1000, clock).pipe(take(3), map(String)) }), { clock });
  transport.receive(get('/'));
  assert.is(transport.text(), '', 'the head goes out with the first chunk');
  clock.advance(1);
  assert.match(transport.text(), '\r\n\r\n1\r\n0\r\n');
  clock.advance(2);
  assert.match(transport.text(), '1\r\n0\r\n1\r\n1\r\n1\r\n2\r\n0\r\n\r\n');
  transport.loseConnection();
});

test('the access log has a record per exchange: method, target, status, bytes, time, duration, peer', async () => {
  const seen: AccessLogRecord[] = [];
  const subject = new Subject<AccessLogRecord>();
  subject.subscribe((record) => seen.push(record));
  const called: AccessLogRecord[] = [];
  const clock = trackedClock();
  const { transport, records } = serve(
    (request) =>
      request.target === '/slow'
        ? of({ body: 'late' })
            .pipe(delay(2500, clock))
            .toPromise()
            .then((response) => response!)
        : { status: 404, body: 'nope' },
    { clock, accessLog: subject },
  );
  const other = httpServer(hello, { clock, accessLog: (record) => called.push(record) });
  const second = connect(other);
  clock.advance(10);
  transport.receive(
    `GET /slow HTTP/1.1\r\nHost: x\r\nUser-Agent: tester/1.0\r\nReferer: http://r.test/\r\n\r\n${get('/missing')}`,
  );
  clock.advance(2.5);
  await settle();
  second.receive(get('/'));
  assert.equal(records, seen);
  assert.equal(records, [
    {
      method: 'GET',
      target: '/slow',
      version: '1.1',
      status: 200,
      bytes: 4,
      time: 10,
      duration: 2.5,
      peer: '127.0.0.1:5000',
      completed: true,
      referer: 'http://r.test/',
      userAgent: 'tester/1.0',
    },
    {
      method: 'GET',
      target: '/missing',
      version: '1.1',
      status: 404,
      bytes: 4,
      time: 10,
      duration: 2.5,
      peer: '127.0.0.1:5000',
      completed: true,
      referer: undefined,
      userAgent: undefined,
    },
  ]);
  assert.is(called.length, 1);
  assert.is(
    formatAccessLog(records[0]!),
    '127.0.0.1 - - [01/Jan/1970:00:00:10 +0000] "GET /slow HTTP/1.1" 200 4 "http://r.test/" "tester/1.0"',
  );
  transport.loseConnection();
  second.loseConnection();
});

test('an exchange cut short by the connection closing is logged as not completed', () => {
  const { transport, records } = serve(() => new Deferred<HttpResponse>());
  transport.receive(get('/never'));
  transport.loseConnection();
  assert.is(records.length, 1);
  assert.is(records[0]!.completed, false);
  assert.is(records[0]!.status, 0);
  assert.is(formatAccessLog({ ...records[0]!, method: '-' }).split('"')[1], '-');
});

test('a request to upgrade is answered as a plain one, and the requests after it are read', () => {
  const { transport } = serve(hello);
  transport.receive(
    `GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n${get('/after')}`,
  );
  assert.is(answers(transport.value(), ['GET', 'GET']).length, 2);
  transport.loseConnection();
});

test('only the connection with bad input suffers', () => {
  const clock = trackedClock();
  const server = listenOn(httpServer(hello, { clock }), clock);
  const good = arrive(server);
  const bad = arrive(server);
  bad.receive('NOT HTTP AT ALL\r\n\r\n');
  good.receive(get('/'));
  assert.is(only(bad).status, 400);
  assert.is(only(good).status, 200);
  assert.is(server.connections.size, 2);
  bad.receiveEnd();
  assert.is(server.connections.size, 1);
  good.loseConnection();
  assert.is(server.connections.size, 0);
  server.close();
});

test('closing the server: idle connections close, busy ones answer with Connection: close, new ones are refused', async () => {
  const pending = new Deferred<HttpResponse>();
  const clock = trackedClock();
  const app = httpServer((request) => (request.target === '/busy' ? pending : { body: 'ok' }), { clock });
  const server = listenOn(app, clock);
  const idle = arrive(server);
  const busy = arrive(server);
  busy.receive(get('/busy'));
  let done = false;
  server.close({ gracePeriod: 30 }).addCallback(() => {
    done = true;
  });
  assert.ok(idle.ended, 'the idle connection is ended at once');
  idle.receiveEnd();
  assert.ok(idle.closedByProtocol);
  const late = arrive(server);
  assert.ok(late.aborted, 'a connection arriving while the server closes is refused');
  pending.callback({ body: 'finished' });
  const answer = only(busy);
  assert.is(answer.body, 'finished');
  assert.is(answer.headers.get('connection'), 'close');
  assert.not.ok(done);
  busy.receiveEnd();
  assert.ok(done);
  assert.is(clock.getDelayedCalls().length, 0, 'the grace timer is cancelled');
  let again = false;
  server.close().addCallback(() => {
    again = true;
  });
  assert.ok(again, 'close after close fires at once');
});

/** A server (grace period 30 s) with one connection whose request is never answered. */
function answeringForever(clock: Clock) {
  const server = listenOn(
    httpServer(() => new Deferred<HttpResponse>(), { clock }),
    clock,
    {
      gracePeriod: 30,
    },
  );
  const transport = arrive(server);
  transport.receive(get('/forever'));
  return { server, transport };
}

test("the server's grace period governs an HTTP drain: nothing is aborted before it, all is at it", () => {
  const clock = new Clock();
  const { server, transport } = answeringForever(clock);
  let done = false;
  server.close().addCallback(() => {
    done = true;
  });
  clock.advance(10);
  assert.not.ok(transport.aborted, 'still answering at 10 s');
  clock.advance(19.9);
  assert.not.ok(done);
  clock.advance(0.1);
  assert.ok(transport.aborted);
  assert.ok(done);
});

test('close({ gracePeriod }) overrides the listen option for that close', () => {
  const clock = new Clock();
  const { server, transport } = answeringForever(clock);
  server.close({ gracePeriod: 5 });
  clock.advance(4.9);
  assert.not.ok(transport.aborted);
  clock.advance(0.1);
  assert.ok(transport.aborted);
});

test('draining drops the pipelined requests not taken yet; the last one taken says Connection: close', () => {
  const pending: Deferred<HttpResponse>[] = [];
  const clock = trackedClock();
  const app = httpServer(
    () => {
      const answer = new Deferred<HttpResponse>();
      pending.push(answer);
      return answer;
    },
    { clock, maxPipelined: 2 },
  );
  const server = listenOn(app, clock);
  const transport = arrive(server);
  transport.receive(get('/1') + get('/2') + get('/3'));
  let done = false;
  server.close().addCallback(() => {
    done = true;
  });
  pending[0]!.callback({ body: 'one' });
  pending[1]!.callback({ body: 'two' });
  assert.is(pending.length, 2, 'the third request is never handled');
  const [first, second] = answers(transport.value(), ['GET', 'GET']);
  assert.is(first!.headers.get('connection'), undefined);
  assert.is(second!.headers.get('connection'), 'close');
  assert.ok(transport.ended);
  transport.receiveEnd();
  assert.ok(done);
});

test('closing the connection stops a stream body being written (a Readable is destroyed)', async () => {
  let destroyed = false;
  const { transport } = serve(() => {
    const stream = new Readable({ read() {} });
    stream.push('first');
    stream.on('close', () => {
      destroyed = true;
    });
    return { body: stream };
  });
  transport.receive(get('/'));
  for (let i = 0; i < 3; i++) await settle();
  assert.match(transport.text(), '5\r\nfirst\r\n');
  transport.loseConnection();
  for (let i = 0; i < 3; i++) await settle();
  assert.ok(destroyed);
});

test('responses with big and small byte bodies ready together go out whole and in order', () => {
  const big = new Uint8Array(40_000).fill(0x62);
  const { transport } = serve((request) => ({ body: request.target === '/big' ? big : 'small' }));
  transport.receive(get('/small') + get('/big') + get('/small'));
  const bodies = answers(transport.value(), ['GET', 'GET', 'GET']).map((answer) => answer.body);
  assert.equal(bodies, ['small', 'b'.repeat(40_000), 'small']);
  transport.loseConnection();
});

test('options out of range are refused', () => {
  assert.throws(() => httpServer(hello, { idleTimeout: 0 }), RangeError);
  assert.throws(() => httpServer(hello, { headerTimeout: -1 }), RangeError);
  assert.throws(() => httpServer(hello, { maxPipelined: 1.5 }), RangeError);
  assert.throws(() => httpServer(hello, { maxBodyBytes: -1 }), RangeError);
});

test('respond builds a response', async () => {
  assert.equal(respond(404, 'gone', { 'X-A': '1' }), { status: 404, body: 'gone', headers: { 'X-A': '1' } });
  const { transport } = serve((request: HttpRequest) => respond(request.path === '/' ? 200 : 404));
  transport.receive(get('/x'));
  assert.is(only(transport).status, 404);
  transport.loseConnection();
});

/** Collects log records until `stop()`. */
function collectLog() {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return { records, stop: () => subscription.unsubscribe() };
}

test.run();
