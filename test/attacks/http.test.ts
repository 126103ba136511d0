/**
 * Attacks on the HTTP server (`httpServer`), each with the refusal it must meet, at the server:
 * - request smuggling: CL.TE, TE.CL, TE.TE obfuscations, Content-Length tricks, chunk-size
 *   tricks and request-line tricks, each fed at every split with a request behind it that must
 *   never reach the handler; then the whole codec corpus (malformed-requests.ts) at the server;
 * - slowloris (the header timeout, the header size bound), slow bodies (the body and request
 *   timeouts), header floods (431), and a pipelining flood from a client that never reads.
 *
 * Not asserted here: how many bytes the server reads and drops after a 431 (its lingering close
 * is being bounded by bytes separately).
 */
import { setImmediate as turn } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpHeaders } from '../../protocols/http/headers.js';
import type { RequestParserOptions } from '../../protocols/http/parse-request.js';
import { ResponseParser } from '../../protocols/http/parse-response.js';
import { type HttpServerOptions, httpServer } from '../../protocols/http/server.js';
import type { Connection } from '../../source/connection.js';
import { checkClean, connectedPair, StringTransport, trackedClock } from '../../source/testing/index.js';
import { malformedRequests } from '../protocols/http/malformed-requests.js';
import { chunkings } from '../support/chunkings.js';

const test = checkClean(suite('attacks/http'));

/** What the attacker hopes to slip past the server behind each attack. */
const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

/** The status and headers of each of the first `count` responses in `bytes`. */
function answers(bytes: Uint8Array, count = 8): { status: number; headers: HttpHeaders }[] {
  const parser = new ResponseParser();
  for (let n = 0; n < count; n++) parser.expect('POST');
  const heads: { status: number; headers: HttpHeaders }[] = [];
  for (const event of parser.push(bytes)) if (event.type === 'head') heads.push(event.head);
  return heads;
}

/**
 * A server on a tracked clock whose handler notes each request (`POST /upload: hello`, or the
 * name of the error its body met), reads the body whole and answers `ok`, serving `connection`.
 */
function serveOn(connection: Connection, options: HttpServerOptions = {}) {
  const clock = trackedClock();
  const seen: string[] = [];
  const app = httpServer(
    async (request) => {
      const at = seen.push(`${request.method} ${request.target}`) - 1;
      try {
        seen[at] += `: ${await request.text()}`;
      } catch (error) {
        seen[at] += `: ${(error as Error).name}`;
      }
      return { body: 'ok\n' };
    },
    { clock, ...options },
  );
  app.serve(connection);
  return { clock, seen };
}

/** `serveOn` a connection played by the test. */
function serve(options: HttpServerOptions = {}) {
  const transport = new StringTransport({ allowHalfOpen: true });
  return { transport, ...serveOn(transport, options) };
}

/** Lets the handler's body reads settle. */
async function settle(): Promise<void> {
  for (let n = 0; n < 2; n++) await turn();
}

/** One smuggling attempt: the bytes, the statuses the client gets, the requests the handler sees. */
interface Smuggling {
  readonly name: string;
  readonly input: string;
  readonly statuses: readonly number[];
  /** The requests the handler sees, each with its body or the error reading it met. Default none. */
  readonly seen?: readonly string[];
  /** The parser's limits, small enough to feed at every split. */
  readonly parser?: RequestParserOptions;
}

const post = (fields: string, body: string, version = '1.1'): string =>
  `POST /upload HTTP/${version}\r\nHost: x\r\n${fields}\r\n${body}`;
const chunked = (body: string): string => post('Transfer-Encoding: chunked\r\n', body);
/** The handler saw the head, then its body failed: it never looks complete. */
const brokenBody = ['POST /upload: HttpParseError'];

const smugglings: readonly Smuggling[] = [
  // CL.TE and TE.CL: both framings in one request.
  {
    name: 'CL.TE: Content-Length, then Transfer-Encoding: chunked',
    input: post('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\nG'),
    statuses: [400],
  },
  {
    name: 'TE.CL: Transfer-Encoding: chunked, then Content-Length',
    input: post(
      'Transfer-Encoding: chunked\r\nContent-Length: 4\r\n',
      '5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n',
    ),
    statuses: [400],
  },
  {
    name: 'CL.TE with chunked followed by a tab',
    input: post('Content-Length: 4\r\nTransfer-Encoding: chunked\t\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  // TE.TE: a Transfer-Encoding one parser reads as chunked and another does not.
  {
    name: 'TE.TE: chunked, identity',
    input: post('Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  { name: 'TE.TE: xchunked', input: post('Transfer-Encoding: xchunked\r\n', '0\r\n\r\n'), statuses: [400] },
  {
    name: 'TE.TE: chunked with a parameter',
    input: post('Transfer-Encoding: chunked;a=b\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: a space before the field name (a continuation line)',
    input: post(' Transfer-Encoding: chunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: a space before the field name, first of the section',
    input: `POST /upload HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: x\r\n\r\n0\r\n\r\n`,
    statuses: [400],
  },
  {
    name: 'TE.TE: a space before the colon',
    input: post('Transfer-Encoding : chunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: a vertical tab before chunked',
    input: post('Transfer-Encoding:\x0bchunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: a form feed before chunked',
    input: post('Transfer-Encoding: \x0cchunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: a no-break space (0xA0) after chunked',
    input: post('Transfer-Encoding: chunked\xa0\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: duplicated, chunked then x',
    input: post('Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: duplicated, chunked in two fields',
    input: post('Transfer-Encoding: chunked\r\nTRANSFER-ENCODING: chunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: chunked, chunked in one field',
    input: post('Transfer-Encoding: chunked, chunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: Transfer-Encoding in HTTP/1.0',
    input: post('Transfer-Encoding: chunked\r\n', '0\r\n\r\n', '1.0'),
    statuses: [400],
  },
  {
    name: 'TE.TE: obs-fold, chunked on a continuation line',
    input: post('Transfer-Encoding:\r\n chunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: a bare LF between the name and the colon',
    input: post('Transfer-Encoding\n: chunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: a bare LF ending the field before Transfer-Encoding',
    input: post('X: X\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
    statuses: [400],
  },
  {
    name: 'TE.TE: gzip, chunked (a coding not implemented)',
    input: post('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n'),
    statuses: [501],
  },
  {
    name: 'TE.TE: Transfer_Encoding is another field: the chunked bytes after the request are refused',
    input: post('Transfer_Encoding: chunked\r\n', '0\r\n\r\n'),
    statuses: [200, 400],
    seen: ['POST /upload: '],
  },
  // Content-Length: one value, digits only.
  {
    name: 'two Content-Length fields that differ',
    input: post('Content-Length: 5\r\nContent-Length: 6\r\n', 'hello!'),
    statuses: [400],
  },
  {
    name: 'a Content-Length list that differs',
    input: post('Content-Length: 5, 6\r\n', 'hello!'),
    statuses: [400],
  },
  {
    name: 'Content-Length with a plus sign',
    input: post('Content-Length: +5\r\n', 'hello'),
    statuses: [400],
  },
  {
    name: 'Content-Length with a minus sign',
    input: post('Content-Length: -5\r\n', 'hello'),
    statuses: [400],
  },
  {
    name: 'Content-Length with a space inside',
    input: post('Content-Length: 1 0\r\n', 'hellohello'),
    statuses: [400],
  },
  { name: 'Content-Length in hex', input: post('Content-Length: 0x5\r\n', 'hello'), statuses: [400] },
  {
    name: 'Content-Length with a NUL after it',
    input: post('Content-Length: 5\x00\r\n', 'hello'),
    statuses: [400],
  },
  { name: 'an empty Content-Length', input: post('Content-Length:\r\n', ''), statuses: [400] },
  {
    name: 'Content-Length past 2^53',
    input: post('Content-Length: 9007199254740993\r\n', ''),
    statuses: [400],
  },
  // Chunk-size tricks: the handler has the head; its body fails, never complete.
  {
    name: 'a chunk size that overflows',
    input: chunked('fffffffffffffffff\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a chunk size with 0x',
    input: chunked('0x5\r\nhello\r\n0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a negative chunk size',
    input: chunked('-5\r\nhello\r\n0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a chunk extension with a bare CR',
    input: chunked('5;a\rb\r\nhello\r\n0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a chunk extension with a bare LF',
    input: chunked('5;a\nb\r\nhello\r\n0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a quoted chunk extension with CR LF inside',
    input: chunked('5;a="b\r\nc"\r\nhello\r\n0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'no CR LF after the chunk data',
    input: chunked('5\r\nhello0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a bare LF after the chunk data',
    input: chunked('5\r\nhello\n0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a bare LF after the chunk size',
    input: chunked('5\nhello\r\n0\r\n\r\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a last chunk ended by bare LFs',
    input: chunked('5\r\nhello\r\n0\n\n'),
    statuses: [400],
    seen: brokenBody,
  },
  {
    name: 'a chunk size line past maxChunkLine',
    input: chunked(`5;${'e'.repeat(40)}\r\nhello\r\n0\r\n\r\n`),
    statuses: [400],
    seen: brokenBody,
    parser: { maxChunkLine: 32 },
  },
  // Request-line tricks.
  { name: 'bare LF line ends', input: 'GET / HTTP/1.1\nHost: x\n\n', statuses: [400] },
  { name: 'two spaces after the method', input: 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n', statuses: [400] },
  { name: 'a space after the version', input: 'GET / HTTP/1.1 \r\nHost: x\r\n\r\n', statuses: [400] },
  { name: 'a space inside the target', input: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', statuses: [400] },
  { name: 'a NUL in the target', input: 'GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n', statuses: [400] },
  { name: 'an HTTP/0.9 request (no version)', input: 'GET /\r\n\r\n', statuses: [400] },
  { name: 'HTTP/1.1 without Host', input: 'GET / HTTP/1.1\r\n\r\n', statuses: [400] },
  { name: 'two Host fields', input: 'GET / HTTP/1.1\r\nHost: x\r\nHost: evil\r\n\r\n', statuses: [400] },
  // Junk after a valid request: the valid one is answered, the rest refused.
  {
    name: 'junk after a whole chunked request (GPOST)',
    input: `${chunked('5\r\nhello\r\n0\r\n\r\n')}GPOST / HTTP/1.1\r\n\r\n`,
    statuses: [200, 400],
    seen: ['POST /upload: hello'],
  },
];

test('the smuggling catalogue holds 50 attacks, each named once', () => {
  assert.ok(smugglings.length >= 50, `${smugglings.length} attacks`);
  assert.is(new Set(smugglings.map((attack) => attack.name)).size, smugglings.length);
});

for (const { name, input, statuses, seen = [], parser } of smugglings) {
  test(`smuggling, ${name}: ${statuses.at(-1)}, Connection: close, nothing smuggled, at every split`, async () => {
    for (const { label, chunks } of chunkings(Buffer.from(input + smuggled, 'latin1'))) {
      const server = serve({ parser });
      for (const chunk of chunks) server.transport.receive(chunk);
      await settle();
      const got = answers(server.transport.value());
      assert.equal(
        got.map((answer) => answer.status),
        statuses,
        label,
      );
      assert.is(got.at(-1)?.headers.get('connection'), 'close', label);
      assert.ok(server.transport.ended, `${label}: the server sent its FIN`);
      assert.equal(server.seen, seen, label);
      server.transport.receiveEnd();
      assert.ok(server.transport.closedByProtocol, label);
    }
  });
}

test('framings every RFC 9112 parser reads alike are taken: the bytes after the body are the next request', async () => {
  const taken = [
    post('Transfer-Encoding: chunked\t\r\n', '5\r\nhello\r\n0\r\n\r\n'), // OWS around a value is no part of it
    post('Transfer-Encoding:  chunked \r\n', '5\r\nhello\r\n0\r\n\r\n'),
    post('Transfer-Encoding: CHUNKED\r\n', '5\r\nhello\r\n0\r\n\r\n'), // codings are case-insensitive
    post('Content-Length: 5\r\nContent-Length: 5\r\n', 'hello'), // the same value twice (RFC 9112 §6.3)
    post('Content-Length: 5, 5\r\n', 'hello'),
    post('Content-Length:\t005 \r\n', 'hello'),
    chunked('0000000000000000005;name="v"\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n'),
  ];
  for (const input of taken) {
    for (const chunks of [[input + smuggled], [...(input + smuggled)]]) {
      const server = serve();
      for (const chunk of chunks) server.transport.receive(Buffer.from(chunk, 'latin1'));
      await settle();
      assert.equal(server.seen, ['POST /upload: hello', 'GET /smuggled: '], JSON.stringify(input));
      assert.equal(
        answers(server.transport.value()).map((answer) => answer.status),
        [200, 200],
      );
      server.transport.loseConnection();
    }
  }
});

test('the codec corpus at the server: each malformed request gets its status and the close, the requests after it never reach the handler', async () => {
  const corpus = malformedRequests.filter((malformed) => malformed.truncated !== true);
  assert.ok(corpus.length >= 90, `${corpus.length} requests`);
  for (const { name, input, status, answered = 0, options } of corpus) {
    const bytes = Buffer.from(input + smuggled, 'latin1');
    for (const chunks of [[bytes], [...bytes].map((byte) => Uint8Array.of(byte))]) {
      const label = `${name}, in ${chunks.length} chunks`;
      const server = serve({ parser: options });
      for (const chunk of chunks) server.transport.receive(chunk);
      await settle();
      const got = answers(server.transport.value());
      assert.equal(
        got.map((answer) => answer.status),
        [...Array<number>(answered).fill(200), status],
        label,
      );
      assert.is(got.at(-1)?.headers.get('connection'), 'close', label);
      assert.ok(server.transport.ended, label);
      assert.not.ok(
        server.seen.some((request) => request.startsWith('GET /smuggled')),
        label,
      );
      server.transport.loseConnection();
    }
  }
});

test('slowloris: 100 connections trickling a head a byte every 5 s all get 408 at headerTimeout, the handler never called', () => {
  const clock = trackedClock();
  let called = 0;
  const app = httpServer(
    () => {
      called++;
      return { body: 'ok\n' };
    },
    { clock, headerTimeout: 30 },
  );
  const head = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
  const transports = Array.from({ length: 100 }, () => {
    const transport = new StringTransport({ allowHalfOpen: true });
    app.serve(transport);
    return transport;
  });
  for (let at = 0; at < 10 && clock.seconds() < 29; at++) {
    for (const transport of transports) transport.receive(head.subarray(at, at + 1));
    clock.advance(5);
  }
  assert.is(clock.seconds(), 30);
  for (const transport of transports) {
    assert.match(transport.text(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.ok(transport.ended);
    transport.receiveEnd();
    assert.ok(transport.closedByProtocol);
  }
  assert.is(called, 0);
});

test('slowloris, faster than the timeout: the head is bounded by maxHeaderBytes (431), however slowly it comes', () => {
  const { clock, transport, seen } = serve({ parser: { maxHeaderBytes: 1024 } });
  transport.receive('GET / HTTP/1.1\r\nHost: x\r\n');
  let sent = 0;
  while (!transport.ended && sent < 10_000) {
    transport.receive('X-Slow: abcdefghijklmnopqrstuvwxyz\r\n');
    sent += 32;
    clock.advance(0.1);
  }
  assert.ok(sent <= 1024 + 32, `${sent} bytes of header taken before the refusal`);
  assert.match(transport.text(), /^HTTP\/1\.1 431 /);
  assert.equal(seen, []);
  transport.loseConnection();
});

test('a slow body: stalled past bodyTimeout, or trickled under it past requestTimeout, gets 408 and the body errors', async () => {
  const stalled = serve({ bodyTimeout: 30 });
  stalled.transport.receive('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
  await settle();
  stalled.clock.advance(30);
  await settle();
  assert.equal(stalled.seen, ['POST /upload: TimeoutError']);
  assert.match(stalled.transport.text(), /^HTTP\/1\.1 408 /);
  assert.ok(stalled.transport.ended);
  stalled.transport.receiveEnd();

  const trickled = serve({ bodyTimeout: 30, requestTimeout: 120 });
  trickled.transport.receive('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
  await settle();
  while (!trickled.transport.ended && trickled.clock.seconds() < 200) {
    trickled.clock.advance(5);
    if (trickled.clock.seconds() % 25 === 0) trickled.transport.receive('x'); // under bodyTimeout
    await settle();
  }
  assert.is(trickled.clock.seconds(), 120, 'refused at requestTimeout');
  assert.equal(trickled.seen, ['POST /upload: TimeoutError']);
  assert.match(trickled.transport.text(), /^HTTP\/1\.1 408 /);
  trickled.transport.receiveEnd();
});

test('header floods: many small fields, or one huge field, get 431 and the handler never sees them', () => {
  const many = serve();
  many.transport.receive(`GET / HTTP/1.1\r\nHost: x\r\n${'A: b\r\n'.repeat(10_000)}\r\n`);
  assert.match(many.transport.text(), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  assert.match(many.transport.text(), 'Connection: close');
  assert.ok(many.transport.ended);

  const huge = serve();
  huge.transport.receive('GET / HTTP/1.1\r\nHost: x\r\nX-Huge: ');
  for (let n = 0; n < 100 && !huge.transport.ended; n++) huge.transport.receive('h'.repeat(1024));
  assert.match(huge.transport.text(), /^HTTP\/1\.1 431 /);
  assert.equal([...many.seen, ...huge.seen], []);
  many.transport.loseConnection();
  huge.transport.loseConnection();
});

test('a pipelining flood from a client that never reads: the server stops taking requests, then answers them all in order', async () => {
  const { client, server, flush } = connectedPair({ highWaterMark: 16 * 1024 });
  const { clock, seen } = serveOn(server, { maxPipelined: 16 });
  const total = 2000;
  let request = '';
  for (let n = 0; n < total; n++) request += `GET /${n} HTTP/1.1\r\nHost: x\r\n\r\n`;
  client.write(request);
  await flush();
  const taken = seen.length;
  assert.ok(taken <= 400, `${taken} of ${total} requests taken while nobody reads the answers`);
  await flush();
  assert.is(seen.length, taken, 'and no more while it stays so');
  const received: Uint8Array[] = [];
  client.data$.subscribe({ next: (chunk) => received.push(chunk), error: () => {} });
  for (let turns = 0; turns < 100_000 && seen.length < total; turns++) {
    clock.advance(0); // the server's turns of requestsPerTurn requests each
    await turn();
  }
  assert.is(seen.length, total);
  await flush();
  assert.is(answers(Buffer.concat(received), total).length, total);
  assert.equal(
    seen,
    Array.from({ length: total }, (_, n) => `GET /${n}: `),
    'in order',
  );
  client.close();
  await flush();
});

test.run();
