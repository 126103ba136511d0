/**
 * `writeRequestHead`, the request line and header section as bytes, and `encodeChunk` /
 * `encodeLastChunk`, the chunked transfer coding (RFC 9112 §7.1) both directions use.
 *
 * @module
 */
import { allIn, TARGET, TOKEN } from './_chars.js';
import { fieldLines } from './_field-lines.js';
import { targetProblem } from './_request-target.js';
import type { HttpHeadersInit } from './headers.js';
import type { BodyFraming, RequestHeadInit } from './message.js';

const CRLF = 0x0d0a;

/**
 * Serialises a request head: `method SP target SP HTTP/1.1 CRLF`, the fields in the order given
 * (names cased as given), the framing field the body needs when absent (`Content-Length: n` for
 * `length`, `Transfer-Encoding: chunked` for `chunked`; nothing for `none`), and the empty line.
 * Host is the caller's to give: an HTTP/1.1 request without one is refused by servers.
 *
 * @throws TypeError for a method that is not a token, a target with a space, control or
 * non-ASCII character or of a form its method does not take (origin-form `/…` or an absolute
 * URI; `*` for OPTIONS only, `host:port` for CONNECT only: RFC 9112 §3.2), an invalid field (CR
 * or LF in a value cannot inject a line), `until-close` framing (a request body cannot end at
 * close), framing fields that contradict `framing` (for `none`: a Transfer-Encoding, or a
 * Content-Length other than 0), or, in HTTP/1.0, a Transfer-Encoding or chunked framing.
 * @example
 * ```ts
 * connection.write(writeRequestHead({ method: 'GET', target: '/', headers: { Host: 'example.com' } }, { kind: 'none' }));
 * ```
 */
export function writeRequestHead(head: RequestHeadInit, framing: BodyFraming): Uint8Array {
  const { method, target } = head;
  if (typeof method !== 'string' || method.length === 0 || !allIn(method, TOKEN)) {
    throw new TypeError(`invalid method ${JSON.stringify(method)}`);
  }
  if (typeof target !== 'string' || target.length === 0 || !allIn(target, TARGET)) {
    throw new TypeError(`invalid request target ${JSON.stringify(target)}`);
  }
  const problem = targetProblem(method, target);
  if (problem !== undefined) throw new TypeError(problem);
  const version = head.version ?? '1.1';
  if (version !== '1.1' && version !== '1.0') throw new TypeError(`unsupported HTTP version ${version}`);
  if (framing.kind === 'until-close')
    throw new TypeError('a request body cannot be framed by closing the connection');
  return Buffer.from(
    fieldLines(`${method} ${target} HTTP/${version}\r\n`, head.headers, framing, 'request', version),
    'latin1',
  );
}

/**
 * One chunk of a chunked body: the size in hex, CRLF, `data`, CRLF, in one array. Empty `data`
 * gives empty output, never a zero-size chunk (which would end the body early).
 *
 * @example
 * ```ts
 * Buffer.from(encodeChunk(Buffer.from('hello'))).toString(); // '5\r\nhello\r\n'
 * ```
 */
export function encodeChunk(data: Uint8Array): Uint8Array {
  const size = data.length;
  if (size === 0) return new Uint8Array(0);
  const hex = size.toString(16);
  const out = Buffer.allocUnsafe(hex.length + size + 4);
  out.write(hex, 0, 'latin1');
  out.writeUInt16BE(CRLF, hex.length);
  out.set(data, hex.length + 2);
  out.writeUInt16BE(CRLF, hex.length + 2 + size);
  return out;
}

/**
 * The end of a chunked body: the zero-size chunk, the trailer fields if any (validated as header
 * fields; Content-Length and Transfer-Encoding are refused), and the empty line.
 *
 * @throws TypeError for an invalid or framing trailer field.
 * @example
 * ```ts
 * Buffer.from(encodeLastChunk()).toString(); // '0\r\n\r\n'
 * Buffer.from(encodeLastChunk({ 'Server-Timing': 'db;dur=53' })).toString(); // '0\r\nServer-Timing: db;dur=53\r\n\r\n'
 * ```
 */
export function encodeLastChunk(trailers?: HttpHeadersInit): Uint8Array {
  return Buffer.from(fieldLines('0\r\n', trailers, { kind: 'none' }, 'trailers'), 'latin1');
}
