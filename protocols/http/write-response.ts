/**
 * `writeResponseHead`: the status line and header section of a response as bytes, exactly as
 * given; and `writeServerResponseHead`, the same serialiser applying a server's rules (framing,
 * `Connection`, `Date`), which is what `httpServer` writes.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { allIn, FIELD_CONTENT, hasObsText } from './_chars.js';
import { declaredLength, FieldSection, fieldLines } from './_field-lines.js';
import { CLOSE } from './_framing.js';
import type { HttpHeadersInit } from './headers.js';
import type { BodyFraming, HttpVersion, ResponseHeadInit } from './message.js';

const statusLines = { '1.0': new Map<number, string>(), '1.1': new Map<number, string>() };

/** `HTTP/<version> <status> <reason>\r\n`, from a cache for the standard reasons. */
function statusLine(version: HttpVersion, status: number, reason: string | undefined): string {
  const cache = statusLines[version];
  if (cache === undefined) throw new TypeError(`unsupported HTTP version ${version}`);
  if (reason === undefined) {
    let line = cache.get(status);
    if (line === undefined) {
      line = `HTTP/${version} ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
      cache.set(status, line);
    }
    return line;
  }
  if (typeof reason !== 'string' || !allIn(reason, FIELD_CONTENT)) {
    throw new TypeError(`invalid reason phrase ${JSON.stringify(reason)}`);
  }
  return `HTTP/${version} ${status} ${reason}\r\n`;
}

/**
 * Whether a response with `status` never has a body (RFC 9110 §6.4.1): 1xx, 204, 304.
 *
 * @example
 * ```ts
 * statusHasNoBody(304); // true
 * ```
 */
export function statusHasNoBody(status: number): boolean {
  return status === 204 || status === 304 || status < 200;
}

/**
 * Serialises a response head: `HTTP/1.1 status reason CRLF` (the standard reason phrase unless
 * one is given; status lines are cached), the fields in the order given (names cased as given),
 * the framing field the body needs when absent (`Content-Length: n` for `length`,
 * `Transfer-Encoding: chunked` for `chunked`; nothing for `none` or `until-close`), and the empty
 * line, as one small Buffer. Date, Server and Connection are the caller's to add (or see
 * `writeServerResponseHead`).
 *
 * @throws TypeError for a status outside 100-999, a reason or field with CR, LF or another
 * forbidden character (no header injection), a 1xx or 204 with a body framing, framing fields
 * that contradict `framing`, or, in HTTP/1.0, a Transfer-Encoding or chunked framing.
 * @example
 * ```ts
 * writeResponseHead({ status: 200, headers: { 'Content-Type': 'text/plain' } }, { kind: 'length', length: 12 });
 * // 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n'
 * ```
 */
export function writeResponseHead(head: ResponseHeadInit, framing: BodyFraming): Uint8Array {
  const { status } = head;
  if (!Number.isInteger(status) || status < 100 || status > 999)
    throw new TypeError(`invalid status ${status}`);
  if ((status < 200 || status === 204) && framing.kind !== 'none') {
    throw new TypeError(`a ${status} response has no body, so no ${framing.kind} framing`);
  }
  const version = head.version ?? '1.1';
  const line = statusLine(version, status, head.reason);
  return Buffer.from(fieldLines(line, head.headers, framing, 'response', version), 'latin1');
}

/**
 * What a server knows of the exchange when it writes a response head.
 *
 * @example
 * ```ts
 * const context: ResponseContext = { version: '1.1', keepAlive: true, date: 'Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n' };
 * ```
 */
export interface ResponseContext {
  /** The request's version: an HTTP/1.0 client gets no chunked body, and `Connection: keep-alive`. */
  readonly version: HttpVersion;
  /** Whether the connection may carry another exchange after this one, as far as the server knows. */
  readonly keepAlive: boolean;
  /** The `Date` line (CRLF included) added unless the head has a Date field. */
  readonly date: string;
}

/**
 * A response head as a server sends it, and what follows from it.
 *
 * @example
 * ```ts
 * const { head, framing, close } = writeServerResponseHead({ status: 200 }, 12, context);
 * ```
 */
export interface ServerResponseHead {
  /** The head, CRLF CRLF included: text when it is all ASCII, latin1 bytes when a value has obs-text. */
  readonly head: string | Uint8Array;
  /** How the body after it is framed (for a stream: its declared length, chunked, or until close). */
  readonly framing: BodyFraming;
  /** Whether the head says `Connection: close`: the connection closes after this response. */
  readonly close: boolean;
}

/**
 * Serialises a response head as a server sends it, for a body of `size` bytes (`undefined` for a
 * stream of unknown length; `-1` for no body at all, as for a HEAD request's): the server owns
 * framing, `Connection` and (unless given) `Date`. The head's `Transfer-Encoding` is dropped; its
 * `Connection` is read (`close` is honoured) and replaced; its `Content-Length` is checked against
 * a known size, kept for a stream (which must then produce exactly that many bytes) and for a
 * 304. A stream with no length goes out chunked to an HTTP/1.1 client and until the connection
 * closes to an HTTP/1.0 one. The status line always says HTTP/1.1.
 *
 * ```text
 * { status: 200, headers: { 'Content-Type': 'text/plain' } }, 12, keep-alive
 *   → HTTP/1.1 200 OK / Content-Type: text/plain / Content-Length: 12 / Date: … / (empty line)
 * ```
 *
 * @throws TypeError for a status outside 200-999, an invalid field or reason, or a
 * Content-Length that is not digits or not the body's size.
 * @example
 * ```ts
 * const { head, close } = writeServerResponseHead(
 *   { status: 200, headers: { 'Content-Type': 'text/plain' } },
 *   12,
 *   { version: '1.1', keepAlive: true, date: dateField.line() },
 * );
 * output.write(head);
 * ```
 */
export function writeServerResponseHead(
  head: { readonly status?: number; readonly reason?: string; readonly headers?: HttpHeadersInit },
  size: number | undefined,
  context: ResponseContext,
): ServerResponseHead {
  const status = head.status ?? 200;
  if (!(Number.isInteger(status) && status >= 200 && status <= 999)) {
    throw new TypeError(`invalid response status ${status}`);
  }
  const reason = head.reason;
  const fields = new FieldSection(statusLine('1.1', status, reason), 'server');
  fields.addAll(head.headers);
  if (reason !== undefined && hasObsText(reason)) fields.wide = true;
  const given = fields.length === undefined ? -1 : declaredLength(fields.length);
  let text = fields.text;
  let close = (fields.connection & CLOSE) !== 0 || !context.keepAlive;
  let framing: BodyFraming;
  if (statusHasNoBody(status)) {
    framing = { kind: 'none' };
    if (status === 304 && given >= 0) text += `Content-Length: ${given}\r\n`;
  } else if (size === undefined) {
    if (given >= 0) {
      framing = { kind: 'length', length: given };
      text += `Content-Length: ${given}\r\n`;
    } else if (context.version === '1.1') {
      framing = { kind: 'chunked' };
      text += 'Transfer-Encoding: chunked\r\n';
    } else {
      framing = { kind: 'until-close' };
      close = true;
    }
  } else {
    const length = size < 0 ? Math.max(given, 0) : size;
    if (size >= 0 && given >= 0 && given !== size) {
      throw new TypeError(`Content-Length ${given} given for a body of ${size} bytes`);
    }
    framing = { kind: 'length', length };
    text += `Content-Length: ${length}\r\n`;
  }
  if (close) text += 'Connection: close\r\n';
  else if (context.version === '1.0') text += 'Connection: keep-alive\r\n';
  if (!fields.hasDate) text += context.date;
  text += '\r\n';
  return { head: fields.wide ? Buffer.from(text, 'latin1') : text, framing, close };
}

/** The chunked coding, shared with requests: a response body is chunked the same way. */
export { encodeChunk, encodeLastChunk } from './write-request.js';
