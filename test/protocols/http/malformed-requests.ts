/**
 * The corpus of malformed requests: each with the status a server must answer, and how many
 * valid requests before it must still be answered. Driven by malformed-requests.test.ts, which
 * feeds each at every split. Sources: RFC 9112 and RFC 9110's MUSTs, the request smuggling
 * classics (CL.TE, TE.CL, TE.TE obfuscations, from Linhart et al. 2005 and Kettle 2019), and the
 * cases nginx and llhttp refuse.
 *
 * @module
 */
import type { HttpErrorStatus } from '../../../protocols/http/http-error.js';
import type { RequestParserOptions } from '../../../protocols/http/parse-request.js';

/** One malformed request. */
export interface MalformedRequest {
  /** What is wrong, as the test names it. */
  readonly name: string;
  /** The bytes, as latin1 text. */
  readonly input: string;
  /** The status to answer with. */
  readonly status: HttpErrorStatus;
  /** How many requests come whole (head to end) before the error. Default 0. */
  readonly answered?: number;
  /** Whether the error comes only from `end()` (a request cut short). Default false. */
  readonly truncated?: boolean;
  /** Parser options, for limits small enough to feed at every split. */
  readonly options?: RequestParserOptions;
  /** A fragment the error message must contain. */
  readonly message?: string;
}

const host = 'Host: example.com\r\n';
const get = (fields: string, line = 'GET / HTTP/1.1'): string => `${line}\r\n${host}${fields}\r\n`;
const post = (fields: string, body: string): string => `POST /upload HTTP/1.1\r\n${host}${fields}\r\n${body}`;
const chunked = (body: string): string => post('Transfer-Encoding: chunked\r\n', body);

/** The corpus: every strict rule of the codec, each at least once. */
export const malformedRequests: readonly MalformedRequest[] = [
  // The request line: exactly `method SP target SP HTTP/x.y CRLF`.
  { name: 'two spaces after the method', input: get('', 'GET  / HTTP/1.1'), status: 400 },
  { name: 'two spaces before the version', input: get('', 'GET /  HTTP/1.1'), status: 400 },
  { name: 'a tab instead of a space', input: get('', 'GET\t/ HTTP/1.1'), status: 400 },
  { name: 'a space before the method', input: get('', ' GET / HTTP/1.1'), status: 400 },
  { name: 'a space after the version', input: get('', 'GET / HTTP/1.1 '), status: 400 },
  { name: 'no version (HTTP/0.9 style)', input: 'GET /\r\n\r\n', status: 400 },
  { name: 'a lowercase protocol name', input: get('', 'GET / http/1.1'), status: 400 },
  { name: 'a version with two-digit minor', input: get('', 'GET / HTTP/1.10'), status: 400 },
  { name: 'a version without a minor', input: get('', 'GET / HTTP/1'), status: 400 },
  { name: 'a non-digit version', input: get('', 'GET / HTTP/1.x'), status: 400 },
  { name: 'HTTP/2.0 (the h2 preface)', input: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: 505 },
  { name: 'HTTP/0.9 spelled out', input: get('', 'GET / HTTP/0.9'), status: 505 },
  { name: 'HTTP/3.0', input: get('', 'GET / HTTP/3.0'), status: 505 },
  { name: 'a parenthesis in the method', input: get('', 'GE(T / HTTP/1.1'), status: 400 },
  { name: 'a non-ASCII method', input: get('', 'G\xc9T / HTTP/1.1'), status: 400 },
  {
    name: 'a TLS handshake on the plain port',
    input: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
    status: 400,
    message: 'TLS',
  },
  { name: 'NUL in the target', input: get('', 'GET /a\x00b HTTP/1.1'), status: 400 },
  { name: 'DEL in the target', input: get('', 'GET /a\x7f HTTP/1.1'), status: 400 },
  { name: 'a raw non-ASCII byte in the target', input: get('', 'GET /caf\xe9 HTTP/1.1'), status: 400 },
  { name: 'a target that is no URI form', input: get('', 'GET index.html HTTP/1.1'), status: 400 },
  { name: 'the * target with GET', input: get('', 'GET * HTTP/1.1'), status: 400 },
  { name: 'CONNECT with an origin-form target', input: get('', 'CONNECT /x HTTP/1.1'), status: 400 },
  { name: 'CONNECT without a port', input: get('', 'CONNECT example.com HTTP/1.1'), status: 400 },
  { name: 'bare CR ending the request line', input: `GET / HTTP/1.1\r${host}\r\n`, status: 400 },
  { name: 'bare LF ending the request line', input: 'GET / HTTP/1.1\nHost: a\n\n', status: 400 },
  { name: 'bare LF before the request line', input: `\nGET / HTTP/1.1\r\n${host}\r\n`, status: 400 },
  {
    name: 'a request line past the limit',
    input: get('', `GET /${'a'.repeat(60)} HTTP/1.1`),
    status: 414,
    options: { maxRequestLine: 64 },
  },
  // Host: exactly one in HTTP/1.1.
  {
    name: 'HTTP/1.1 without Host',
    input: 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n',
    status: 400,
    message: 'Host',
  },
  { name: 'two Host fields', input: get('Host: evil.example\r\n'), status: 400, message: 'Host' },
  {
    name: 'two Host fields in HTTP/1.0',
    input: get('Host: evil.example\r\n', 'GET / HTTP/1.0'),
    status: 400,
  },
  { name: 'a Host with a slash', input: 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', status: 400 },
  { name: 'a Host with a space', input: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', status: 400 },
  {
    name: 'a Host that lists two hosts',
    input: 'GET / HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n',
    status: 400,
  },
  // Field lines.
  {
    name: 'a space between a field name and its colon',
    input: get('Content-Type : text/plain\r\n'),
    status: 400,
  },
  { name: 'a tab between a field name and its colon', input: get('X-Test\t: 1\r\n'), status: 400 },
  {
    name: 'obs-fold (a continuation line)',
    input: get('X-Test: a\r\n b\r\n'),
    status: 400,
    message: 'obs-fold',
  },
  { name: 'whitespace before the first field', input: `GET / HTTP/1.1\r\n ${host}\r\n`, status: 400 },
  { name: 'a field line without a colon', input: get('X-Test\r\n'), status: 400, message: 'colon' },
  { name: 'an empty field name', input: get(': value\r\n'), status: 400 },
  { name: 'an @ in a field name', input: get('X@Test: 1\r\n'), status: 400 },
  { name: 'NUL in a field name', input: get('X\x00Test: 1\r\n'), status: 400 },
  { name: 'a non-ASCII field name', input: get('X-T\xe9st: 1\r\n'), status: 400 },
  { name: 'bare CR inside a field value', input: get('X-Test: a\rb\r\n'), status: 400, message: 'bare CR' },
  { name: 'bare LF inside a field value', input: get('X-Test: a\nb\r\n'), status: 400, message: 'bare LF' },
  { name: 'bare LF ending a field line', input: `GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n`, status: 400 },
  { name: 'bare CR ending the header section', input: `GET / HTTP/1.1\r\n${host}\rX`, status: 400 },
  { name: 'NUL in a field value', input: get('X-Test: a\x00b\r\n'), status: 400, message: '0x00' },
  { name: 'a vertical tab in a field value', input: get('X-Test: \x0bb\r\n'), status: 400 },
  { name: 'DEL in a field value', input: get('X-Test: a\x7f\r\n'), status: 400 },
  {
    name: 'more fields than allowed',
    input: get('A: 1\r\nB: 2\r\nC: 3\r\n'),
    status: 431,
    options: { maxHeaders: 3 },
  },
  {
    name: 'a header section past the limit',
    input: get(`X-Big: ${'b'.repeat(80)}\r\n`),
    status: 431,
    options: { maxHeaderBytes: 64 },
  },
  // Content-Length: digits only, one value.
  { name: 'Content-Length with a plus sign', input: post('Content-Length: +5\r\n', 'hello'), status: 400 },
  { name: 'Content-Length with a minus sign', input: post('Content-Length: -5\r\n', 'hello'), status: 400 },
  { name: 'Content-Length in hex', input: post('Content-Length: 0x10\r\n', 'x'.repeat(16)), status: 400 },
  {
    name: 'Content-Length in exponent form',
    input: post('Content-Length: 1e1\r\n', 'x'.repeat(10)),
    status: 400,
  },
  {
    name: 'Content-Length with a space inside',
    input: post('Content-Length: 1 0\r\n', 'x'.repeat(10)),
    status: 400,
  },
  { name: 'an empty Content-Length', input: post('Content-Length:\r\n', ''), status: 400 },
  {
    name: 'a Content-Length list of differing values',
    input: post('Content-Length: 1, 2\r\n', 'ab'),
    status: 400,
  },
  {
    name: 'a Content-Length list with an empty element',
    input: post('Content-Length: 2,,2\r\n', 'ab'),
    status: 400,
  },
  {
    name: 'differing duplicate Content-Length fields',
    input: post('Content-Length: 5\r\nContent-Length: 6\r\n', 'hello!'),
    status: 400,
    message: 'differing',
  },
  {
    name: 'a Content-Length past 2^53',
    input: post('Content-Length: 99999999999999999999\r\n', ''),
    status: 400,
    message: 'too large',
  },
  {
    name: 'a Content-Length over maxBodyBytes',
    input: post('Content-Length: 11\r\n', 'hello world'),
    status: 413,
    options: { maxBodyBytes: 10 },
  },
  // Transfer-Encoding: chunked last, no Content-Length beside it.
  {
    name: 'CL.TE: Content-Length then Transfer-Encoding',
    input: post('Content-Length: 6\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\nG'),
    status: 400,
    message: 'smuggling',
  },
  {
    name: 'TE.CL: Transfer-Encoding then Content-Length',
    input: post('Transfer-Encoding: chunked\r\nContent-Length: 3\r\n', '8\r\nSMUGGLED\r\n0\r\n\r\n'),
    status: 400,
  },
  {
    name: 'TE.TE: chunked, identity',
    input: post('Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'),
    status: 400,
    message: 'final transfer coding',
  },
  {
    name: 'TE.TE: a second Transfer-Encoding field that is not chunked',
    input: post('Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n', '0\r\n\r\n'),
    status: 400,
  },
  { name: 'Transfer-Encoding: identity', input: post('Transfer-Encoding: identity\r\n', ''), status: 400 },
  {
    name: 'Transfer-Encoding: xchunked',
    input: post('Transfer-Encoding: xchunked\r\n', '0\r\n\r\n'),
    status: 400,
  },
  {
    name: 'Transfer-Encoding: chunked with a parameter',
    input: post('Transfer-Encoding: chunked;a=b\r\n', '0\r\n\r\n'),
    status: 400,
  },
  {
    name: 'Transfer-Encoding: chunked with a parameter, then chunked',
    input: post('Transfer-Encoding: chunked;x=1, chunked\r\n', '0\r\n\r\n'),
    status: 400,
  },
  {
    name: 'Transfer-Encoding: chunked, chunked',
    input: post('Transfer-Encoding: chunked, chunked\r\n', '0\r\n\r\n'),
    status: 400,
  },
  { name: 'an empty Transfer-Encoding', input: post('Transfer-Encoding: \r\n', ''), status: 400 },
  {
    name: 'Transfer-Encoding: gzip, chunked',
    input: post('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n'),
    status: 501,
  },
  {
    name: 'a space before the colon of Transfer-Encoding',
    input: post('Transfer-Encoding : chunked\r\n', '0\r\n\r\n'),
    status: 400,
  },
  {
    name: 'Transfer-Encoding folded onto the next line',
    input: post('Transfer-Encoding:\r\n chunked\r\n', '0\r\n\r\n'),
    status: 400,
  },
  {
    name: 'a vertical tab before chunked',
    input: post('Transfer-Encoding: \x0bchunked\r\n', '0\r\n\r\n'),
    status: 400,
  },
  {
    name: 'Transfer-Encoding in HTTP/1.0',
    input: `POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  // Chunked bodies.
  { name: 'a chunk size that is not hex', input: chunked('zz\r\n'), status: 400, message: 'chunk size' },
  { name: 'a chunk size with 0x', input: chunked('0x5\r\nhello\r\n0\r\n\r\n'), status: 400 },
  { name: 'a negative chunk size', input: chunked('-1\r\n'), status: 400 },
  { name: 'an empty chunk size line', input: chunked('\r\nhello\r\n'), status: 400 },
  { name: 'a space before the chunk size', input: chunked(' 5\r\nhello\r\n0\r\n\r\n'), status: 400 },
  { name: 'a space after the chunk size', input: chunked('5 \r\nhello\r\n0\r\n\r\n'), status: 400 },
  {
    name: 'a chunk size that overflows',
    input: chunked('fffffffffffffffff\r\n'),
    status: 400,
    message: 'overflow',
  },
  { name: 'bare LF after a chunk size', input: chunked('5\nhello\r\n0\r\n\r\n'), status: 400 },
  { name: 'chunk data longer than its size', input: chunked('3\r\nhello\r\n0\r\n\r\n'), status: 400 },
  { name: 'bare CR after chunk data', input: chunked('5\r\nhello\rX'), status: 400 },
  { name: 'a control in a chunk extension', input: chunked('5;a=\x01\r\nhello\r\n0\r\n\r\n'), status: 400 },
  {
    name: 'a chunk size line past the limit',
    input: chunked(`5;${'e'.repeat(40)}\r\nhello\r\n0\r\n\r\n`),
    status: 400,
    options: { maxChunkLine: 32 },
  },
  {
    name: 'chunks over maxBodyBytes',
    input: chunked('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
    status: 413,
    options: { maxBodyBytes: 10 },
  },
  { name: 'bare CR inside a trailer', input: chunked('0\r\nX: a\rb\r\n\r\n'), status: 400 },
  { name: 'obs-fold in a trailer', input: chunked('0\r\nX: a\r\n b\r\n\r\n'), status: 400 },
  // Valid requests followed by garbage: the valid ones are answered first.
  {
    name: 'a valid request followed by garbage',
    input: `${get('')}\x00\x01garbage\r\n\r\n`,
    status: 400,
    answered: 1,
  },
  {
    name: 'two valid requests followed by an invalid one',
    input: `${get('')}${get('')}${get('', 'GET / HTTP/1.1 ')}`,
    status: 400,
    answered: 2,
  },
  {
    name: 'a valid chunked request followed by smuggled bytes',
    input: `${chunked('0\r\n\r\n')}GPOST / HTTP/1.1\r\n\r\n`,
    status: 400,
    answered: 1,
  },
  // Bodies cut short by EOF: never delivered as complete.
  { name: 'a body cut short', input: post('Content-Length: 10\r\n', 'abc'), status: 400, truncated: true },
  { name: 'a chunked body cut short', input: chunked('5\r\nhel'), status: 400, truncated: true },
  {
    name: 'a chunked body without its last chunk',
    input: chunked('5\r\nhello\r\n'),
    status: 400,
    truncated: true,
  },
  { name: 'a trailer section cut short', input: chunked('0\r\nX-Sum: 1'), status: 400, truncated: true },
  { name: 'a head cut short', input: 'GET / HTTP/1.1\r\nHost: a', status: 400, truncated: true },
];
