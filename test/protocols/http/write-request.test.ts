import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BodyFraming } from '../../../protocols/http/message.js';
import { RequestParser } from '../../../protocols/http/parse-request.js';
import { encodeChunk, encodeLastChunk, writeRequestHead } from '../../../protocols/http/write-request.js';
import { messages } from './_feed.js';

const test = suite('protocols/http/write-request');
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

test('writes a request line, the fields as given, and the framing field', () => {
  assert.is(
    text(
      writeRequestHead(
        { method: 'GET', target: '/a?b=c', headers: { Host: 'example.com' } },
        { kind: 'none' },
      ),
    ),
    'GET /a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n',
  );
  assert.is(
    text(writeRequestHead({ method: 'POST', target: '/', version: '1.0' }, { kind: 'length', length: 0 })),
    'POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n',
  );
  assert.is(
    text(writeRequestHead({ method: 'PUT', target: '/f', headers: [['host', 'a']] }, { kind: 'chunked' })),
    'PUT /f HTTP/1.1\r\nhost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
  );
});

test('refuses invalid methods, targets, versions and framings with a TypeError', () => {
  const none: BodyFraming = { kind: 'none' };
  for (const head of [
    { method: '', target: '/' },
    { method: 'GE T', target: '/' },
    { method: 'GET', target: '' },
    { method: 'GET', target: '/a b' },
    { method: 'GET', target: '/a\r\nHost: evil' },
    { method: 'GET', target: '/é' },
    { method: 'GET', target: '/', version: '0.9' as '1.0' },
    { method: 'GET', target: '/', headers: { Host: 'a\r\nX: b' } },
  ]) {
    assert.throws(() => writeRequestHead(head, none), TypeError, JSON.stringify(head));
  }
  assert.throws(() => writeRequestHead({ method: 'GET', target: '/' }, { kind: 'until-close' }), TypeError);
});

test('encodes chunks with their size in hex, and nothing for empty data', () => {
  assert.is(text(encodeChunk(Buffer.from('hello'))), '5\r\nhello\r\n');
  assert.is(text(encodeChunk(new Uint8Array(300).fill(0x61))), `12c\r\n${'a'.repeat(300)}\r\n`);
  assert.is(encodeChunk(new Uint8Array(0)).length, 0);
});

test('ends a chunked body, with trailers if any, refusing framing trailers', () => {
  assert.is(text(encodeLastChunk()), '0\r\n\r\n');
  assert.is(text(encodeLastChunk([['X-Sum', '1']])), '0\r\nX-Sum: 1\r\n\r\n');
  assert.throws(() => encodeLastChunk({ 'Content-Length': '5' }), TypeError);
  assert.throws(() => encodeLastChunk({ 'Transfer-Encoding': 'chunked' }), TypeError);
  assert.throws(() => encodeLastChunk({ 'X-A': 'a\r\n' }), TypeError);
});

test('writes requests the request parser reads back', () => {
  const wire = Buffer.concat([
    writeRequestHead({ method: 'POST', target: '/up', headers: { Host: 'a' } }, { kind: 'chunked' }),
    encodeChunk(Buffer.from('he')),
    encodeChunk(Buffer.from('llo')),
    encodeLastChunk({ 'X-Sum': '5' }),
    writeRequestHead({ method: 'PUT', target: '/f', headers: { Host: 'a' } }, { kind: 'length', length: 2 }),
    Buffer.from('ok'),
  ]);
  const [first, second] = messages(new RequestParser().push(wire));
  assert.is(first!.head.method, 'POST');
  assert.is(first!.body, 'hello');
  assert.equal(first!.trailers, [['X-Sum', '5']]);
  assert.equal(second!.head.framing, { kind: 'length', length: 2 });
  assert.is(second!.body, 'ok');
});

test('regression: wrote `! :0 HTTP/1.1`, a target of no form for its method, which the parser refuses', () => {
  const none: BodyFraming = { kind: 'none' };
  for (const [method, target] of [
    ['!', ':0'],
    ['GET', 'a'],
    ['GET', '*'],
    ['GET', '1a:b'],
    ['CONNECT', '/'],
    ['CONNECT', 'example.com'],
  ] as const) {
    assert.throws(() => writeRequestHead({ method, target }, none), TypeError, `${method} ${target}`);
  }
  for (const [method, target] of [
    ['OPTIONS', '*'],
    ['CONNECT', 'example.com:443'],
    ['GET', 'http://example.com/'],
  ] as const) {
    const head = writeRequestHead({ method, target, headers: { Host: 'a' } }, none);
    assert.is(messages(new RequestParser().push(head))[0]!.head.target, target);
  }
});

test('regression: wrote `Content-Length: 1` (or Transfer-Encoding) for a request framed as having no body', () => {
  const none: BodyFraming = { kind: 'none' };
  for (const headers of [[['Content-Length', '1']], [['Transfer-Encoding', 'chunked']]] as const) {
    assert.throws(() => writeRequestHead({ method: 'GET', target: '/', headers }, none), TypeError);
  }
  const head = writeRequestHead({ method: 'GET', target: '/', headers: { 'Content-Length': ' 0' } }, none);
  assert.is(text(head), 'GET / HTTP/1.1\r\nContent-Length:  0\r\n\r\n');
});

test('regression: wrote an HTTP/1.0 request with Transfer-Encoding: chunked, which the request parser refuses', () => {
  assert.throws(
    () => writeRequestHead({ method: 'POST', target: '/', version: '1.0' }, { kind: 'chunked' }),
    TypeError,
  );
  assert.throws(
    () =>
      writeRequestHead(
        { method: 'POST', target: '/', version: '1.0', headers: [['Transfer-Encoding', 'chunked']] },
        { kind: 'chunked' },
      ),
    TypeError,
  );
});

test.run();
