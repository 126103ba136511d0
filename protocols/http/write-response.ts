/**
 * `writeResponseHead`: the status line and header section of a response as bytes.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { allIn, FIELD_CONTENT } from './_chars.js';
import { fieldLines } from './_field-lines.js';
import type { BodyFraming, ResponseHeadInit } from './message.js';

const statusLines = { '1.0': new Map<number, string>(), '1.1': new Map<number, string>() };

/**
 * Serialises a response head: `HTTP/1.1 status reason CRLF` (the standard reason phrase unless
 * one is given; status lines are cached), the fields in the order given (names cased as given),
 * the framing field the body needs when absent (`Content-Length: n` for `length`,
 * `Transfer-Encoding: chunked` for `chunked`; nothing for `none` or `until-close`), and the empty
 * line, as one small Buffer. Date, Server and Connection are the caller's to add.
 *
 * @throws TypeError for a status outside 100-999, a reason or field with CR, LF or another
 * forbidden character (no header injection), a 1xx or 204 with a body framing, or framing
 * fields that contradict `framing`.
 * @example
 * ```ts
 * writeResponseHead({ status: 200, headers: { 'Content-Type': 'text/plain' } }, { kind: 'length', length: 12 });
 * // 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n'
 * ```
 */
export function writeResponseHead(head: ResponseHeadInit, framing: BodyFraming): Uint8Array {
  const { status, reason } = head;
  if (!Number.isInteger(status) || status < 100 || status > 999)
    throw new TypeError(`invalid status ${status}`);
  const version = head.version ?? '1.1';
  const cache = statusLines[version];
  if (cache === undefined) throw new TypeError(`unsupported HTTP version ${version}`);
  if ((status < 200 || status === 204) && framing.kind !== 'none') {
    throw new TypeError(`a ${status} response has no body, so no ${framing.kind} framing`);
  }
  let line: string | undefined;
  if (reason === undefined) {
    line = cache.get(status);
    if (line === undefined) {
      line = `HTTP/${version} ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
      cache.set(status, line);
    }
  } else if (typeof reason === 'string' && allIn(reason, FIELD_CONTENT)) {
    line = `HTTP/${version} ${status} ${reason}\r\n`;
  } else {
    throw new TypeError(`invalid reason phrase ${JSON.stringify(reason)}`);
  }
  return Buffer.from(fieldLines(line, head.headers, framing, false), 'latin1');
}

/** The chunked coding, shared with requests: a response body is chunked the same way. */
export { encodeChunk, encodeLastChunk } from './write-request.js';
