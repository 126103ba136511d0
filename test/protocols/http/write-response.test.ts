import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpHeaders } from '../../../protocols/http/headers.js';
import type { BodyFraming } from '../../../protocols/http/message.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { encodeChunk, encodeLastChunk, writeResponseHead } from '../../../protocols/http/write-response.js';
import { messages } from './_feed.js';

const test = suite('protocols/http/write-response');
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const length = (n: number): BodyFraming => ({ kind: 'length', length: n });

test('writes a hello-world head as one small Buffer', () => {
  const head = writeResponseHead({ status: 200, headers: { 'Content-Type': 'text/plain' } }, length(12));
  assert.ok(Buffer.isBuffer(head));
  assert.is(text(head), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n');
});

test('uses the standard reason phrase unless given one, and an empty one for unknown statuses', () => {
  assert.is(
    text(writeResponseHead({ status: 404 }, length(0))),
    'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
  );
  assert.is(
    text(writeResponseHead({ status: 404 }, length(0))),
    'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
  );
  assert.is(
    text(writeResponseHead({ status: 200, reason: 'Fine' }, { kind: 'none' })),
    'HTTP/1.1 200 Fine\r\n\r\n',
  );
  assert.is(text(writeResponseHead({ status: 299 }, { kind: 'none' })), 'HTTP/1.1 299 \r\n\r\n');
  assert.is(
    text(writeResponseHead({ status: 200, version: '1.0' }, { kind: 'none' })),
    'HTTP/1.0 200 OK\r\n\r\n',
  );
});

test('keeps the fields in the order and casing given, from any kind of headers', () => {
  const expected = 'HTTP/1.1 200 OK\r\nx-b: 1\r\nX-A: 2\r\nx-b: 3\r\n\r\n';
  const pairs: [string, string][] = [
    ['x-b', '1'],
    ['X-A', '2'],
    ['x-b', '3'],
  ];
  assert.is(text(writeResponseHead({ status: 200, headers: pairs }, { kind: 'none' })), expected);
  assert.is(
    text(writeResponseHead({ status: 200, headers: new HttpHeaders(pairs) }, { kind: 'none' })),
    expected,
  );
  assert.is(
    text(writeResponseHead({ status: 200, headers: { 'x-b': ['1', '3'], 'X-A': '2' } }, { kind: 'none' })),
    'HTTP/1.1 200 OK\r\nx-b: 1\r\nx-b: 3\r\nX-A: 2\r\n\r\n',
  );
});

test('adds the framing field a body needs, unless given', () => {
  assert.is(
    text(writeResponseHead({ status: 200 }, { kind: 'chunked' })),
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
  );
  assert.is(
    text(writeResponseHead({ status: 200, headers: { 'content-length': '3' } }, length(3))),
    'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n',
  );
  assert.is(
    text(writeResponseHead({ status: 200, headers: new HttpHeaders({ 'Content-Length': '3' }) }, length(3))),
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n',
  );
  assert.is(
    text(
      writeResponseHead(
        { status: 200, headers: { 'Transfer-Encoding': 'gzip, chunked' } },
        { kind: 'chunked' },
      ),
    ),
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
  );
  assert.is(text(writeResponseHead({ status: 200 }, { kind: 'until-close' })), 'HTTP/1.1 200 OK\r\n\r\n');
  assert.is(
    text(writeResponseHead({ status: 304, headers: { 'Content-Length': '10' } }, { kind: 'none' })),
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
  );
});

test('refuses framing fields that contradict the framing', () => {
  const refuses = (headers: Record<string, string>, framing: BodyFraming) =>
    assert.throws(() => writeResponseHead({ status: 200, headers }, framing), TypeError);
  refuses({ 'Content-Length': '4' }, length(3));
  refuses({ 'Content-Length': '3', 'content-length': '4' }, length(3));
  refuses({ 'Transfer-Encoding': 'chunked' }, length(3));
  refuses({ 'Content-Length': '3' }, { kind: 'chunked' });
  refuses({ 'Transfer-Encoding': 'chunked, gzip' }, { kind: 'chunked' });
  refuses({ 'Content-Length': '3' }, { kind: 'until-close' });
  assert.throws(() => writeResponseHead({ status: 200 }, length(-1)), TypeError);
  assert.throws(() => writeResponseHead({ status: 200 }, length(1.5)), TypeError);
});

test('refuses a body framing for 1xx and 204', () => {
  assert.throws(() => writeResponseHead({ status: 204 }, length(0)), TypeError);
  assert.throws(() => writeResponseHead({ status: 103 }, { kind: 'chunked' }), TypeError);
  assert.is(text(writeResponseHead({ status: 100 }, { kind: 'none' })), 'HTTP/1.1 100 Continue\r\n\r\n');
});

test('refuses header injection and invalid heads with a TypeError', () => {
  const refuses = (head: Parameters<typeof writeResponseHead>[0]) =>
    assert.throws(() => writeResponseHead(head, { kind: 'none' }), TypeError);
  refuses({ status: 200, headers: { 'X-A': 'a\r\nSet-Cookie: evil=1' } });
  refuses({ status: 200, headers: [['X-A', 'a\nb']] });
  refuses({ status: 200, headers: { 'Bad Name': 'x' } });
  refuses({ status: 200, headers: { 'X-A': 3 as unknown as string } });
  refuses({ status: 200, reason: 'OK\r\nX: y' });
  refuses({ status: 200, reason: 5 as unknown as string });
  refuses({ status: 99 });
  refuses({ status: 1000 });
  refuses({ status: 200.5 });
  refuses({ status: 200, version: '2.0' as '1.1' });
});

test('writes heads the response parser reads back', () => {
  const parser = new ResponseParser();
  parser.expect('GET');
  parser.expect('GET');
  const events = parser.push(
    Buffer.concat([
      writeResponseHead({ status: 201, headers: { Location: '/x' } }, length(2)),
      Buffer.from('ok'),
      writeResponseHead({ status: 200, headers: [['Trailer', 'X-Sum']] }, { kind: 'chunked' }),
      encodeChunk(Buffer.from('hel')),
      encodeChunk(new Uint8Array(0)),
      encodeChunk(Buffer.from('lo')),
      encodeLastChunk({ 'X-Sum': '42' }),
    ]),
  );
  const [first, second] = messages(events);
  assert.equal(first!.head.headers, [
    ['Location', '/x'],
    ['Content-Length', '2'],
  ]);
  assert.is(first!.body, 'ok');
  assert.is(second!.body, 'hello');
  assert.equal(second!.trailers, [['X-Sum', '42']]);
});

test('regression: wrote an HTTP/1.0 response with Transfer-Encoding: chunked, which the response parser refuses', () => {
  const chunked: BodyFraming = { kind: 'chunked' };
  assert.throws(() => writeResponseHead({ status: 200, version: '1.0' }, chunked), TypeError);
  assert.throws(
    () =>
      writeResponseHead(
        { status: 200, version: '1.0', headers: { 'Transfer-Encoding': 'gzip' } },
        { kind: 'until-close' },
      ),
    TypeError,
  );
  const head = writeResponseHead({ status: 200, version: '1.0' }, { kind: 'length', length: 0 });
  const parser = new ResponseParser();
  parser.expect('GET');
  assert.equal(messages(parser.push(head))[0]!.head.framing, { kind: 'length', length: 0 });
});

test('regression: wrote Transfer-Encoding: chunked for a 600 response framed until close, read as chunked', () => {
  const untilClose: BodyFraming = { kind: 'until-close' };
  for (const coding of ['chunked', 'gzip, Chunked']) {
    const headers = { 'Transfer-Encoding': coding };
    assert.throws(() => writeResponseHead({ status: 600, headers }, untilClose), TypeError, coding);
  }
  const head = writeResponseHead({ status: 200, headers: { 'Transfer-Encoding': 'gzip' } }, untilClose);
  const parser = new ResponseParser();
  parser.expect('GET');
  assert.equal(messages(parser.push(head))[0]!.head.framing, untilClose);
});

test.run();
