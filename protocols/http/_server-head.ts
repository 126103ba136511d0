/**
 * `responseHead`: a server response's head as text, with the fields the server adds (Date,
 * Content-Length or Transfer-Encoding, Connection) and the handler's fields checked. Private to
 * protocols/http.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { allIn, FIELD_CONTENT, sameToken } from './_chars.js';
import { checkField } from './_check-field.js';
import { CLOSE, connectionOptions } from './_framing.js';
import { HttpHeaders, type HttpHeadersInit } from './headers.js';
import type { HttpVersion } from './message.js';

/**
 * How the body after a head is framed: no body, `length` bytes, chunked, or until the connection
 * closes.
 *
 * @example
 * ```ts
 * if (head.framing === 'chunked') output.write(`${n.toString(16)}\r\n`);
 * ```
 */
export type ResponseFraming = 'none' | 'length' | 'chunked' | 'until-close';

/**
 * What `responseHead` needs to know about the exchange.
 *
 * @example
 * ```ts
 * const request: HeadRequest = { version: '1.1', keepAlive: true, date: dateField.line() };
 * ```
 */
export interface HeadRequest {
  /** The request's version: an HTTP/1.0 client gets no chunked body, and `Connection: keep-alive`. */
  readonly version: HttpVersion;
  /** Whether the connection may carry another exchange after this one (as far as the server knows). */
  readonly keepAlive: boolean;
  /** The `Date` line (CRLF included), from the server's clock. */
  readonly date: string;
}

/**
 * A response head, and what the server must do after it.
 *
 * @example
 * ```ts
 * const { head, framing, length, close } = responseHead(200, undefined, {}, 12, request);
 * ```
 */
export interface ResponseHeadText {
  /** The head, CRLF CRLF included; text when ASCII, latin1 bytes when a value has obs-text. */
  readonly head: string | Uint8Array;
  readonly framing: ResponseFraming;
  /** The body length, for `length` framing. */
  readonly length: number;
  /** Whether the head says `Connection: close`: the connection closes after this response. */
  readonly close: boolean;
}

const statusLines = new Map<number, string>();

/** `HTTP/1.1 <status> <reason>\r\n`, from a cache for the standard reasons. */
function statusLine(status: number, reason: string | undefined): string {
  if (reason === undefined) {
    let line = statusLines.get(status);
    if (line === undefined) {
      line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
      statusLines.set(status, line);
    }
    return line;
  }
  if (typeof reason !== 'string' || !allIn(reason, FIELD_CONTENT)) {
    throw new TypeError(`invalid reason phrase ${JSON.stringify(reason)}`);
  }
  return `HTTP/1.1 ${status} ${reason}\r\n`;
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

/** The Content-Length a handler gave, as a number. */
function declaredLength(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new TypeError(`invalid Content-Length ${JSON.stringify(value)}`);
  return Number(value);
}

/** The handler's fields as head lines, and what the server learns from them. */
class FieldLines {
  text = '';
  /** Whether a line has a character above U+007F (sent as latin1). */
  wide = false;
  close = false;
  /** The Content-Length given (-1: none). */
  length = -1;
  hasDate = false;

  /** Adds a field after checking it. */
  check(name: string, value: string): void {
    checkField(name, value);
    if (!this.wide) {
      for (let i = 0; i < value.length; i++) {
        if (value.charCodeAt(i) > 0x7f) {
          this.wide = true;
          break;
        }
      }
    }
    this.add(name, value);
  }

  /** Adds a checked field, unless the server makes that field itself. */
  add(name: string, value: string): void {
    switch (name.length) {
      case 4:
        if (sameToken(name, 'date')) this.hasDate = true;
        break;
      case 10:
        if (sameToken(name, 'connection')) {
          if ((connectionOptions(value) & CLOSE) !== 0) this.close = true;
          return;
        }
        break;
      case 14:
        if (sameToken(name, 'content-length')) {
          const n = declaredLength(value);
          if (this.length >= 0 && n !== this.length) {
            throw new TypeError(`differing Content-Length values ${this.length} and ${n}`);
          }
          this.length = n;
          return;
        }
        break;
      case 17:
        if (sameToken(name, 'transfer-encoding')) return;
        break;
    }
    this.text += `${name}: ${value}\r\n`;
  }
}

/**
 * Builds the head of a response with `status` whose body is `size` bytes long (`undefined` for a
 * stream of unknown length; `-1` for no body at all, as for a HEAD request's `null`). The
 * handler's `Transfer-Encoding` is dropped, its `Connection` read (`close` is honoured) and
 * replaced, its `Content-Length` kept for a stream (which must then match) and checked against a
 * known size; `Date` is added unless given.
 *
 * @throws TypeError for an invalid field, reason, status or Content-Length.
 * @example
 * ```ts
 * const { head, framing } = responseHead(200, undefined, { 'Content-Type': 'text/plain' }, 12, request);
 * ```
 */
export function responseHead(
  status: number,
  reason: string | undefined,
  headers: HttpHeadersInit | undefined,
  size: number | undefined,
  request: HeadRequest,
): ResponseHeadText {
  if (!(Number.isInteger(status) && status >= 200 && status <= 999)) {
    throw new TypeError(`invalid response status ${status}`);
  }
  const fields = new FieldLines();
  if (headers !== undefined) {
    if (headers instanceof HttpHeaders) {
      for (const [name, value] of headers.raw()) fields.check(name, value);
    } else if (Symbol.iterator in headers) {
      for (const [name, value] of headers as Iterable<readonly [string, string]>) fields.check(name, value);
    } else {
      const record = headers as Readonly<Record<string, string | readonly string[]>>;
      for (const name in record) {
        const value = record[name]!;
        if (typeof value === 'string') fields.check(name, value);
        else for (const each of value) fields.check(name, each);
      }
    }
  }
  if (reason !== undefined && /[^\0-\x7f]/.test(reason)) fields.wide = true;
  let text = statusLine(status, reason) + fields.text;
  let close = fields.close || !request.keepAlive;
  let length = fields.length;
  let framing: ResponseFraming;
  if (statusHasNoBody(status)) {
    framing = 'none';
    if (status === 304 && length >= 0) text += `Content-Length: ${length}\r\n`;
  } else if (size === undefined) {
    if (length >= 0) {
      framing = 'length';
      text += `Content-Length: ${length}\r\n`;
    } else if (request.version === '1.1') {
      framing = 'chunked';
      text += 'Transfer-Encoding: chunked\r\n';
    } else {
      framing = 'until-close';
      close = true;
    }
  } else {
    if (size < 0) size = Math.max(length, 0);
    else if (length >= 0 && length !== size) {
      throw new TypeError(`Content-Length ${length} given for a body of ${size} bytes`);
    }
    framing = 'length';
    length = size;
    text += `Content-Length: ${size}\r\n`;
  }
  if (close) text += 'Connection: close\r\n';
  else if (request.version === '1.0') text += 'Connection: keep-alive\r\n';
  if (!fields.hasDate) text += request.date;
  text += '\r\n';
  return {
    head: fields.wide ? Buffer.from(text, 'latin1') : text,
    framing,
    length: framing === 'length' ? length : 0,
    close,
  };
}
