import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpParseError, HttpTruncatedError } from '../../../protocols/http/http-error.js';
import type { ParseEvent, RequestHead } from '../../../protocols/http/message.js';
import { RequestParser, type RequestParserOptions } from '../../../protocols/http/parse-request.js';
import { atEverySplit, bytes, type Message, messages } from './_feed.js';

const test = suite('protocols/http/parse-request');

/** Parses `input` at every split and checks the messages are `expected` each time. */
function parses(input: string, expected: Partial<Message>[], options?: RequestParserOptions): void {
  atEverySplit(
    input,
    () => new RequestParser(options),
    ({ events, error }, label) => {
      assert.is(error, undefined, `${label}: ${String(error)}`);
      const got = messages(events);
      assert.is(got.length, expected.length, label);
      expected.forEach((want, n) => {
        const message = got[n]!;
        if (want.head !== undefined) {
          for (const [key, value] of Object.entries(want.head))
            assert.equal(message.head[key], value, `${label}: ${key}`);
        }
        assert.is(message.body, want.body ?? '', label);
        assert.is(message.ended, want.ended ?? true, label);
        assert.equal(message.trailers, want.trailers, label);
      });
    },
  );
}

/** The head events of parsing `input` in one chunk. */
function heads(input: string, options?: RequestParserOptions): Record<string, unknown>[] {
  return messages(new RequestParser(options).push(bytes(input))).map((m) => m.head);
}

test('parses a GET, keeping field order, duplicates and raw casing, at every split', () => {
  parses(
    'GET /search?q=a%20b HTTP/1.1\r\nHost: example.com\r\nAccept: text/html\r\nX-ID: 1\r\naccept: */*\r\n\r\n',
    [
      {
        head: {
          method: 'GET',
          target: '/search?q=a%20b',
          version: '1.1',
          headers: [
            ['Host', 'example.com'],
            ['Accept', 'text/html'],
            ['X-ID', '1'],
            ['accept', '*/*'],
          ],
          framing: { kind: 'none' },
          keepAlive: true,
          expectContinue: false,
          upgrade: false,
        },
      },
    ],
  );
});

test('looks fields up without regard to case and joins duplicates', () => {
  const [event] = new RequestParser().push(
    bytes('GET / HTTP/1.1\r\nHOST: a\r\nAccept: x\r\naccept: y\r\nSet-Cookie: 1\r\nset-cookie: 2\r\n\r\n'),
  );
  assert.ok(event?.type === 'head');
  const { headers } = event.head;
  assert.is(headers.get('host'), 'a');
  assert.is(headers.get('ACCEPT'), 'x, y');
  assert.equal(headers.getAll('Accept'), ['x', 'y']);
  assert.is(headers.get('set-cookie'), '1');
  assert.is(headers.size, 5);
  assert.ok(headers.has('Set-Cookie'));
  assert.not.ok(headers.has('cookie'));
  assert.is(headers.get('missing'), undefined);
});

test('trims whitespace around values and keeps it inside, at every split', () => {
  parses('GET / HTTP/1.1\r\nHost:example.com\r\nX-A: \t a  b \t \r\nX-Empty:\r\nX-Blank:   \r\n\r\n', [
    {
      head: {
        headers: [
          ['Host', 'example.com'],
          ['X-A', 'a  b'],
          ['X-Empty', ''],
          ['X-Blank', ''],
        ],
      },
    },
  ]);
});

test('decodes obs-text in values as latin1', () => {
  const [head] = heads('GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\xe9 \xff\r\n\r\n');
  assert.equal(head!.headers, [
    ['Host', 'a'],
    ['X-Name', 'café ÿ'],
  ]);
});

test('reads a Content-Length body, at every split', () => {
  parses('POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world', [
    { head: { method: 'POST', framing: { kind: 'length', length: 11 } }, body: 'hello world' },
  ]);
});

test('accepts Content-Length with leading zeros and as a list of equal values', () => {
  parses('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0005\r\nContent-Length: 5, 05\r\n\r\nhello', [
    { head: { framing: { kind: 'length', length: 5 } }, body: 'hello' },
  ]);
});

test('ends a Content-Length: 0 request at its head', () => {
  const events = new RequestParser().push(bytes('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(
    events.map((e) => e.type),
    ['head', 'end'],
  );
});

test('reads a chunked body with extensions and trailers, at every split', () => {
  parses(
    'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=value;quoted="a;b"\r\nhello\r\n' +
      '1 ; bws\r\n \r\n' +
      '00006\r\nworld!\r\n' +
      'A\r\n0123456789\r\n' +
      '0;last\r\nX-Checksum: abc\r\nx-more:  1 \r\n\r\n',
    [
      {
        head: { framing: { kind: 'chunked' } },
        body: 'hello world!0123456789',
        trailers: [
          ['X-Checksum', 'abc'],
          ['x-more', '1'],
        ],
      },
    ],
  );
});

test('reads uppercase and lowercase hex chunk sizes', () => {
  const chunk = 'x'.repeat(0xab);
  parses(
    `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nAb\r\n${chunk}\r\naB\r\n${chunk}\r\n0\r\n\r\n`,
    [{ body: chunk + chunk }],
  );
});

test('reads Transfer-Encoding in any case and with whitespace', () => {
  parses('POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: \t CHUNKED \t\r\n\r\n2\r\nok\r\n0\r\n\r\n', [
    { head: { framing: { kind: 'chunked' } }, body: 'ok' },
  ]);
});

test('parses pipelined requests in order, at every split', () => {
  parses(
    'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n' +
      'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc' +
      'PUT /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n' +
      'DELETE /4 HTTP/1.1\r\nHost: a\r\n\r\n',
    [
      { head: { method: 'GET', target: '/1' } },
      { head: { method: 'POST', target: '/2' }, body: 'abc' },
      { head: { method: 'PUT', target: '/3' }, body: 'x' },
      { head: { method: 'DELETE', target: '/4' } },
    ],
  );
});

test('ignores empty lines before a request line, at every split', () => {
  parses('\r\n\r\nGET /1 HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n', [
    { head: { target: '/1' } },
    { head: { target: '/2' } },
  ]);
});

test('refuses an endless run of empty lines', () => {
  assert.throws(
    () => new RequestParser({ maxRequestLine: 10 }).push(bytes('\r\n'.repeat(6))),
    (e: unknown) => e instanceof HttpParseError && e.status === 400 && /empty lines/.test(e.message),
  );
});

test('keeps HTTP/1.1 connections alive unless the request says close', () => {
  const keepAlive = (fields: string, version = '1.1') =>
    heads(`GET / HTTP/${version}\r\nHost: a\r\n${fields}\r\n`)[0]!.keepAlive;
  assert.is(keepAlive(''), true);
  assert.is(keepAlive('Connection: close\r\n'), false);
  assert.is(keepAlive('Connection: CLOSE\r\n'), false);
  assert.is(keepAlive('Connection: keep-alive, close\r\n'), false);
  assert.is(keepAlive('Connection: te\r\nConnection: close\r\n'), false);
  assert.is(keepAlive('Connection: te, keep-alive\r\n'), true);
});

test('keeps HTTP/1.0 connections alive only when the request asks', () => {
  const keepAlive = (fields: string) => heads(`GET / HTTP/1.0\r\n${fields}\r\n`)[0]!.keepAlive;
  assert.is(keepAlive(''), false);
  assert.is(keepAlive('Connection: keep-alive\r\n'), true);
  assert.is(keepAlive('Connection: Keep-Alive\r\n'), true);
  assert.is(keepAlive('Connection: keep-alive, close\r\n'), false);
});

test('accepts HTTP/1.0 without Host', () => {
  parses('GET / HTTP/1.0\r\n\r\n', [{ head: { version: '1.0', headers: [], keepAlive: false } }]);
});

test('reads HTTP/1.2 to 1.9 as HTTP/1.1', () => {
  assert.is(heads('GET / HTTP/1.7\r\nHost: a\r\n\r\n')[0]!.version, '1.1');
});

test('ignores what follows a request that closes the connection', () => {
  const parser = new RequestParser();
  const events = parser.push(
    bytes('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /next HTTP/1.1\r\n'),
  );
  parser.push(bytes('\x00garbage'), events);
  parser.end(events);
  assert.equal(
    events.map((e) => e.type),
    ['head', 'end'],
  );
});

test('flags Expect: 100-continue on HTTP/1.1 requests with a body', () => {
  const expects = (request: string) => heads(request)[0]!.expectContinue;
  assert.is(expects('PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n'), true);
  assert.is(
    expects('PUT / HTTP/1.1\r\nHost: a\r\nexpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n'),
    true,
  );
  assert.is(expects('PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n'), false);
  assert.is(expects('GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n'), false);
  assert.is(expects('PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n'), false);
  assert.is(expects('PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n'), false);
  assert.is(
    expects('PUT / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 5\r\n\r\n'),
    false,
  );
});

test('emits the head of a 100-continue request before any of its body arrives', () => {
  const parser = new RequestParser();
  const events = parser.push(
    bytes('PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n'),
  );
  assert.equal(
    events.map((e) => e.type),
    ['head'],
  );
  assert.equal(
    parser.push(bytes('ok')).map((e) => e.type),
    ['body', 'end'],
  );
});

test('pauses after an upgrade request; detach() hands over the bytes after it', () => {
  const parser = new RequestParser();
  const events = parser.push(
    bytes('GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x85frame'),
  );
  events.push(...parser.push(bytes('more')));
  assert.equal(
    events.map((e) => e.type),
    ['head', 'end'],
  );
  assert.is((events[0] as { upgrade?: boolean }).upgrade, true);
  assert.ok(parser.paused);
  assert.is(Buffer.from(parser.detach()).toString('latin1'), '\x81\x85framemore');
  assert.not.ok(parser.paused);
  assert.throws(() => parser.push(bytes('x')), /detach/);
  assert.throws(() => parser.detach(), /no message has upgraded/);
});

test('resume() parses the bytes after a declined upgrade as HTTP', () => {
  const parser = new RequestParser();
  parser.push(
    bytes('GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nGET /next HTTP/1.1\r\n'),
  );
  parser.push(bytes('Host: a\r\n\r\n'));
  assert.ok(parser.paused);
  const events = parser.resume();
  assert.is(events.length, 2);
  assert.is((events[0] as { head: RequestHead }).head.target, '/next');
  assert.not.ok(parser.paused);
  assert.equal(parser.resume(), []);
});

test('does not upgrade without both Connection: upgrade and Upgrade, or in HTTP/1.0', () => {
  const upgrade = (request: string) => heads(request)[0]!.upgrade;
  assert.is(upgrade('GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n'), false);
  assert.is(upgrade('GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n'), false);
  assert.is(upgrade('GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade:\r\n\r\n'), false);
  assert.is(upgrade('GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n'), false);
});

test('refuses more held bytes after an upgrade request than a header section may hold', () => {
  const parser = new RequestParser({ maxHeaderBytes: 64 });
  parser.push(bytes('GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n'));
  assert.throws(
    () => parser.push(new Uint8Array(65)),
    (e: unknown) => e instanceof HttpParseError,
  );
});

test('reads CONNECT with an authority target as a tunnel', () => {
  const [head] = heads('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  assert.is(head!.target, 'example.com:443');
  assert.is(head!.upgrade, true);
  assert.is(heads('CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n')[0]!.target, '[::1]:8443');
});

test('accepts the asterisk and absolute forms of the target', () => {
  assert.is(heads('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n')[0]!.target, '*');
  assert.is(
    heads('GET http://a.example/x HTTP/1.1\r\nHost: a.example\r\n\r\n')[0]!.target,
    'http://a.example/x',
  );
  assert.is(heads('GET coap+tcp://a/ HTTP/1.1\r\nHost: a\r\n\r\n')[0]!.target, 'coap+tcp://a/');
});

test('accepts any token as a method, and keeps its case', () => {
  assert.is(heads('PROPFIND /dav HTTP/1.1\r\nHost: a\r\n\r\n')[0]!.method, 'PROPFIND');
  assert.is(heads('get / HTTP/1.1\r\nHost: a\r\n\r\n')[0]!.method, 'get');
  for (const method of ['GET', 'PUT', 'POST', 'HEAD', 'PUX', 'HEAP']) {
    assert.is(heads(`${method} / HTTP/1.1\r\nHost: a\r\n\r\n`)[0]!.method, method);
  }
});

test('hands body bytes out as views of the chunk pushed, not copies', () => {
  const chunk = bytes('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc');
  const body = new RequestParser().push(chunk).find((e) => e.type === 'body') as { data: Uint8Array };
  assert.is(body.data.buffer, chunk.buffer);
  assert.is(body.data.byteOffset - chunk.byteOffset, chunk.length - 3);
});

test('streams a large body chunk by chunk, never gathering it', () => {
  const parser = new RequestParser();
  const size = 1 << 20;
  parser.push(bytes(`PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: ${size}\r\n\r\n`));
  const piece = new Uint8Array(65536);
  let received = 0;
  let largest = 0;
  for (let sent = 0; sent < size; sent += piece.length) {
    for (const event of parser.push(piece)) {
      if (event.type === 'body') {
        received += event.data.length;
        largest = Math.max(largest, event.data.length);
      }
    }
  }
  assert.is(received, size);
  assert.is(largest, piece.length);
});

test('never ends a body cut short by EOF', () => {
  for (const input of [
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab',
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
  ]) {
    atEverySplit(
      input,
      () => new RequestParser(),
      ({ events, error }, label) => {
        assert.instance(error, HttpTruncatedError, label);
        assert.is((error as HttpTruncatedError).status, 400);
        assert.not.ok(
          events.some((e) => e.type === 'end'),
          label,
        );
      },
    );
  }
});

test('end() between requests is fine and readies the parser for a new stream', () => {
  const parser = new RequestParser();
  parser.push(bytes('GET / HTTP/1.1\r\nHost: a\r\n\r\n\r'));
  assert.equal(parser.end(), []);
  assert.is(parser.push(bytes('GET / HTTP/1.1\r\nHost: a\r\n\r\n')).length, 2);
});

test('names what was cut short', () => {
  const cut = (input: string): string => {
    const parser = new RequestParser();
    parser.push(bytes(input));
    try {
      parser.end();
    } catch (error) {
      return (error as Error).message;
    }
    return 'nothing';
  };
  assert.match(
    cut('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab'),
    '2 bytes into a 5-byte body',
  );
  assert.match(cut('GET / HTTP/1.1\r\nHo'), 'message head');
  assert.match(
    cut('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1'),
    'trailer section',
  );
  assert.is(cut('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), 'nothing');
});

test('keeps throwing the first error', () => {
  const parser = new RequestParser();
  let first: unknown;
  try {
    parser.push(bytes('GET / HTTP/1.1\r\nHost: a b\r\n\r\n'));
  } catch (error) {
    first = error;
  }
  assert.instance(first, HttpParseError);
  assert.throws(
    () => parser.push(bytes('GET / HTTP/1.1\r\n')),
    (e: unknown) => e === first,
  );
  assert.throws(
    () => parser.end(),
    (e: unknown) => e === first,
  );
});

test('leaves the events of the requests before an error in the caller’s array', () => {
  const events: ParseEvent<RequestHead>[] = [];
  const parser = new RequestParser();
  assert.throws(() =>
    parser.push(bytes('GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\n\r\n'), events),
  );
  assert.equal(
    events.map((e) => e.type),
    ['head', 'end'],
  );
});

test('accepts a request line of exactly maxRequestLine bytes, refuses one byte more with 414', () => {
  const line = (length: number) => `GET /${'a'.repeat(length - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
  parses(`${line(40)}\r\nHost: a\r\n\r\n`, [{ head: { method: 'GET' } }], { maxRequestLine: 40 });
  atEverySplit(
    `${line(41)}\r\nHost: a\r\n\r\n`,
    () => new RequestParser({ maxRequestLine: 40 }),
    ({ error }, label) => assert.is((error as HttpParseError).status, 414, label),
  );
});

test('accepts a header section of exactly maxHeaderBytes, refuses one byte more with 431', () => {
  // 'Host: a\r\n' (9) + 'X: ' (3) + value + '\r\n' (2) + '\r\n' (2) = 16 + value.
  parses(`GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(48)}\r\n\r\n`, [{ head: { method: 'GET' } }], {
    maxHeaderBytes: 64,
  });
  atEverySplit(
    `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(49)}\r\n\r\n`,
    () => new RequestParser({ maxHeaderBytes: 64 }),
    ({ error }, label) => assert.is((error as HttpParseError).status, 431, label),
  );
});

test('accepts maxHeaders fields, refuses one more with 431', () => {
  const request = (fields: number) => `GET / HTTP/1.1\r\nHost: a\r\n${'X: 1\r\n'.repeat(fields - 1)}\r\n`;
  assert.is(heads(request(5), { maxHeaders: 5 }).length, 1);
  assert.throws(
    () => new RequestParser({ maxHeaders: 5 }).push(bytes(request(6))),
    (e: unknown) => e instanceof HttpParseError && e.status === 431,
  );
});

test('limits the trailer section as the header section', () => {
  const request = `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${'v'.repeat(40)}\r\n\r\n`;
  atEverySplit(
    request,
    () => new RequestParser({ maxHeaderBytes: 40 }),
    ({ error }, label) => {
      assert.is((error as HttpParseError).status, 431, label);
      assert.match((error as Error).message, 'trailer', label);
    },
  );
});

test('accepts a body of exactly maxBodyBytes, chunked or not', () => {
  parses('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd', [{ body: 'abcd' }], {
    maxBodyBytes: 4,
  });
  parses(
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n',
    [{ body: 'abcd' }],
    {
      maxBodyBytes: 4,
    },
  );
});

test('accepts a chunk size line of exactly maxChunkLine bytes', () => {
  parses(
    `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(6)}\r\nx\r\n0\r\n\r\n`,
    [{ body: 'x' }],
    {
      maxChunkLine: 8,
    },
  );
  parses(
    `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000001\r\nx\r\n0\r\n\r\n`,
    [{ body: 'x' }],
    {
      maxChunkLine: 8,
    },
  );
  for (const line of [`1;${'e'.repeat(7)}`, '000000001', `1 ${' '.repeat(7)}`]) {
    atEverySplit(
      `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${line}\r\nx\r\n0\r\n\r\n`,
      () => new RequestParser({ maxChunkLine: 8 }),
      ({ error }, label) =>
        assert.match((error as Error).message, 'chunk size line longer than 8 bytes', label),
    );
  }
});

test('refuses limits that are not non-negative integers', () => {
  assert.throws(() => new RequestParser({ maxRequestLine: -1 }), RangeError);
  assert.throws(() => new RequestParser({ maxHeaderBytes: 1.5 }), RangeError);
  assert.throws(() => new RequestParser({ maxHeaders: Number.POSITIVE_INFINITY }), RangeError);
  assert.throws(() => new RequestParser({ maxBodyBytes: Number.NaN }), RangeError);
  new RequestParser({ maxBodyBytes: Number.POSITIVE_INFINITY, maxChunkLine: 0 });
});

test('names the field whose value holds a bad byte, even when its name came in an earlier chunk', () => {
  const parser = new RequestParser();
  parser.push(bytes('GET / HTTP/1.1\r\nX-Fi'));
  parser.push(bytes('eld: a'));
  assert.throws(
    () => parser.push(bytes('\x00')),
    (e: unknown) => e instanceof HttpParseError && e.message.includes('"X-Field"'),
  );
});

test.run();
