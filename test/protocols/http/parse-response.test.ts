import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type HttpParseError, HttpTruncatedError } from '../../../protocols/http/http-error.js';
import { ResponseParser, type ResponseParserOptions } from '../../../protocols/http/parse-response.js';
import { atEverySplit, bytes, type Message, messages } from './_feed.js';

const test = suite('protocols/http/parse-response');

/** A parser that expects responses to `methods`, in order. */
function expecting(methods: readonly string[], options?: ResponseParserOptions): () => ResponseParser {
  return () => {
    const parser = new ResponseParser(options);
    for (const method of methods) parser.expect(method);
    return parser;
  };
}

/** Parses `input` at every split (then ends it) and checks the messages are `expected` each time. */
function parses(
  input: string,
  methods: readonly string[],
  expected: Partial<Message>[],
  options?: ResponseParserOptions,
) {
  atEverySplit(input, expecting(methods, options), ({ events, error }, label) => {
    assert.is(error, undefined, `${label}: ${String(error)}`);
    const got = messages(events);
    assert.is(got.length, expected.length, label);
    expected.forEach((want, n) => {
      const message = got[n]!;
      for (const [key, value] of Object.entries(want.head ?? {}))
        assert.equal(message.head[key], value, `${label}: ${key}`);
      assert.is(message.body, want.body ?? '', label);
      assert.is(message.ended, want.ended ?? true, label);
      assert.equal(message.trailers, want.trailers, label);
    });
  });
}

/** The error of parsing `input` in one chunk, then ending. */
function refusal(
  input: string,
  methods: readonly string[] = ['GET'],
  options?: ResponseParserOptions,
): HttpParseError {
  const parser = expecting(methods, options)();
  try {
    parser.push(bytes(input));
    parser.end();
  } catch (error) {
    return error as HttpParseError;
  }
  throw new Error('no error');
}

test('parses a response with a Content-Length body, at every split', () => {
  parses(
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
    ['GET'],
    [
      {
        head: {
          version: '1.1',
          status: 200,
          reason: 'OK',
          headers: [
            ['Content-Type', 'text/plain'],
            ['Content-Length', '5'],
          ],
          framing: { kind: 'length', length: 5 },
          keepAlive: true,
          upgrade: false,
          interim: false,
        },
        body: 'hello',
      },
    ],
  );
});

test('parses a chunked response with trailers, at every split', () => {
  parses(
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x\r\nWiki\r\n5\r\npedia\r\n0\r\nServer-Timing: a;dur=1\r\n\r\n',
    ['GET'],
    [{ head: { framing: { kind: 'chunked' } }, body: 'Wikipedia', trailers: [['Server-Timing', 'a;dur=1']] }],
  );
});

test('reads a body without length or chunking until the connection closes, at every split', () => {
  parses(
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of\r\n\r\nthis',
    ['GET'],
    [{ head: { framing: { kind: 'until-close' }, keepAlive: false }, body: 'all of\r\n\r\nthis' }],
  );
});

test('reads a body whose final coding is not chunked until the connection closes', () => {
  parses(
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b',
    ['GET'],
    [{ head: { framing: { kind: 'until-close' } }, body: '\x1f\x8b' }],
  );
  parses(
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n',
    ['GET'],
    [{ head: { framing: { kind: 'chunked' } }, body: 'z' }],
  );
});

test('gives the answer to HEAD no body, whatever its Content-Length, at every split', () => {
  parses(
    'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    ['HEAD', 'HEAD', 'GET'],
    [
      { head: { framing: { kind: 'none' }, keepAlive: true } },
      { head: { framing: { kind: 'none' } } },
      { body: 'ok' },
    ],
  );
});

test('gives 204 and 304 no body, at every split', () => {
  parses(
    'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    ['DELETE', 'GET', 'GET'],
    [
      { head: { status: 204, framing: { kind: 'none' } } },
      { head: { status: 304, framing: { kind: 'none' } } },
      { head: { status: 200, framing: { kind: 'length', length: 0 } } },
    ],
  );
});

test('reports 1xx responses as interim heads before the final response, at every split', () => {
  parses(
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' +
      'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    ['PUT', 'GET'],
    [
      { head: { status: 100, reason: 'Continue', interim: true, framing: { kind: 'none' } }, ended: false },
      {
        head: { status: 103, interim: true, headers: [['Link', '</style.css>; rel=preload']] },
        ended: false,
      },
      { head: { status: 201, interim: false }, body: 'ok' },
      { head: { status: 200 } },
    ],
  );
});

test('ends a 101 response at its head and hands over what follows', () => {
  const parser = new ResponseParser();
  parser.expect('GET');
  const events = parser.push(
    bytes('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi'),
  );
  assert.equal(
    events.map((e) => e.type),
    ['head', 'end'],
  );
  assert.is((events[0] as { upgrade?: boolean }).upgrade, true);
  assert.is(Buffer.from(parser.detach()).toString('latin1'), '\x81\x02hi');
});

test('opens a tunnel on a 2xx answer to CONNECT, not on a refusal', () => {
  const parser = new ResponseParser();
  parser.expect('CONNECT');
  const [head] = parser.push(bytes('HTTP/1.1 200 Connection Established\r\n\r\n'));
  assert.is((head as { upgrade?: boolean }).upgrade, true);
  parses(
    'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 1\r\n\r\nx',
    ['CONNECT'],
    [{ head: { upgrade: false }, body: 'x' }],
  );
});

test('keeps connections alive per the response version and Connection', () => {
  const keepAlive = (response: string) =>
    messages(expecting(['GET'])().push(bytes(response)))[0]!.head.keepAlive as boolean;
  assert.is(keepAlive('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), true);
  assert.is(keepAlive('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'), false);
  assert.is(keepAlive('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'), false);
  assert.is(keepAlive('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), true);
});

test('accepts a status line without a reason phrase, or with an empty one', () => {
  parses(
    'HTTP/1.1 204\r\n\r\nHTTP/1.1 204 \r\n\r\nHTTP/1.1 299 Caf\xe9 au lait\r\n\r\n',
    ['GET', 'GET', 'HEAD'],
    [
      { head: { status: 204, reason: '' } },
      { head: { status: 204, reason: '' } },
      { head: { status: 299, reason: 'Café au lait' } },
    ],
  );
});

test('ignores what follows a response that closes the connection', () => {
  const parser = expecting(['GET', 'GET'])();
  const events = parser.push(
    bytes('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'),
  );
  assert.equal(
    events.map((e) => e.type),
    ['head', 'end'],
  );
});

test('refuses a response no request was sent for', () => {
  assert.match(refusal('HTTP/1.1 200 OK\r\n\r\n', []).message, 'no request');
  assert.match(refusal('HTTP/1.1 100 Continue\r\n\r\n', []).message, 'no request');
});

test('end() forgets the requests expected', () => {
  const parser = expecting(['GET'])();
  parser.end();
  assert.throws(() => parser.push(bytes('HTTP/1.1 200 OK\r\n\r\n')), /no request/);
});

test('refuses malformed status lines', () => {
  assert.is(refusal('HTTP/1.1 2x0 OK\r\n\r\n').status, 400);
  assert.is(refusal('HTTP/1.1 099 Odd\r\n\r\n').status, 400);
  assert.is(refusal('HTTP/1.1 2000 OK\r\n\r\n').status, 400);
  assert.is(refusal('HTTP/1.1  200 OK\r\n\r\n').status, 400);
  assert.is(refusal('HTTP/1.1\r\n\r\n').status, 400);
  assert.is(refusal('HTTP/2.0 200 OK\r\n\r\n').status, 505);
  assert.is(refusal('ICY 200 OK\r\n\r\n').status, 400);
  assert.is(refusal('HTTP/1.1 200 O\x00K\r\n\r\n').status, 400);
  assert.is(refusal('HTTP/1.1 200 OK\nContent-Length: 0\n\n').status, 400);
  assert.is(refusal('HTTP/1.1 200 OK\r\nX: \x01\r\n\r\n').status, 400);
});

test('refuses framing that cannot be trusted', () => {
  assert.match(
    refusal('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n').message,
    'both',
  );
  assert.match(
    refusal('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n').message,
    'differing',
  );
  assert.match(refusal('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n').message, 'Content-Length');
  assert.match(refusal('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n').message, 'HTTP/1.0');
  assert.match(refusal('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n').message, 'chunk size');
});

test('never ends a response cut short', () => {
  for (const input of [
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab',
    'HTTP/1.1 200 OK\r\nContent-Le',
  ]) {
    atEverySplit(input, expecting(['GET']), ({ events, error }, label) => {
      assert.instance(error, HttpTruncatedError, label);
      assert.not.ok(
        events.some((e) => e.type === 'end'),
        label,
      );
    });
  }
});

test('limits the status line, the header section and an until-close body', () => {
  assert.match(
    refusal(`HTTP/1.1 200 ${'x'.repeat(30)}\r\n\r\n`, ['GET'], { maxStatusLine: 20 }).message,
    'status line',
  );
  assert.is(
    refusal(`HTTP/1.1 200 OK\r\nX: ${'x'.repeat(30)}\r\n\r\n`, ['GET'], { maxHeaderBytes: 20 }).status,
    431,
  );
  atEverySplit(
    'HTTP/1.1 200 OK\r\n\r\n0123456789',
    expecting(['GET'], { maxBodyBytes: 6 }),
    ({ events, error }, label) => {
      assert.is((error as HttpParseError).status, 413, label);
      assert.is(messages(events)[0]!.body, '012345', label);
    },
  );
  assert.throws(() => new ResponseParser({ maxStatusLine: -5 }), RangeError);
});

test.run();
