/**
 * `fieldLines`: a head (start line and field section) as wire text, with the framing field a
 * body needs added, for the serialisers. Private to protocols/http.
 *
 * @module
 */
import { sameToken } from './_chars.js';
import { checkField } from './_check-field.js';
import { HttpHeaders, type HttpHeadersInit } from './headers.js';
import type { BodyFraming } from './message.js';

/** Field lines being written after a start line, and the framing fields seen among them. */
class FieldText {
  length: string | undefined = undefined;
  coding: string | undefined = undefined;

  constructor(
    public text: string,
    readonly trailers: boolean,
  ) {}

  /** Checks and appends `name: value`, noting Content-Length and Transfer-Encoding. */
  add(name: string, value: string): void {
    checkField(name, value);
    this.note(name, value);
    this.text += `${name}: ${value}\r\n`;
  }

  /** Notes a framing field (refused in trailers, and Content-Length must not vary). */
  note(name: string, value: string): void {
    if (name.length === 14 && sameToken(name, 'content-length')) {
      if (this.trailers) throw new TypeError('Content-Length is not allowed in trailers');
      if (this.length !== undefined && this.length !== value) {
        throw new TypeError(`differing Content-Length values ${this.length} and ${value}`);
      }
      this.length = value;
    } else if (name.length === 17 && sameToken(name, 'transfer-encoding')) {
      if (this.trailers) throw new TypeError('Transfer-Encoding is not allowed in trailers');
      this.coding = value;
    }
  }
}

/**
 * `start` (a start line, or the last chunk's size line), then the field lines of `headers` in the
 * order given, each ended by CRLF, then the line `framing` needs when absent (`Content-Length: n`
 * or `Transfer-Encoding: chunked`), then the empty line: a whole head as one string. With
 * `trailers`, Content-Length and Transfer-Encoding are refused (they frame nothing there).
 *
 * @throws TypeError for an invalid field, a Content-Length that is not the framing's length, a
 * Content-Length with chunked or until-close framing, a Transfer-Encoding whose final coding is
 * not chunked with chunked framing, or a Transfer-Encoding with length framing.
 * @example
 * ```ts
 * fieldLines('HTTP/1.1 200 OK\r\n', { 'Content-Type': 'text/plain' }, { kind: 'length', length: 2 }, false);
 * // 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n'
 * ```
 */
export function fieldLines(
  start: string,
  headers: HttpHeadersInit | undefined,
  framing: BodyFraming,
  trailers: boolean,
): string {
  const fields = new FieldText(start, trailers);
  if (headers instanceof HttpHeaders) {
    fields.text += headers.toString();
    for (const value of headers.getAll('content-length')) fields.note('content-length', value);
    for (const value of headers.getAll('transfer-encoding')) fields.note('transfer-encoding', value);
  } else if (headers !== undefined) {
    if (Symbol.iterator in headers) {
      for (const [name, value] of headers as Iterable<readonly [string, string]>) fields.add(name, value);
    } else {
      const record = headers as Readonly<Record<string, string | readonly string[]>>;
      for (const name of Object.keys(record)) {
        const value = record[name]!;
        if (typeof value === 'string') fields.add(name, value);
        else if (Array.isArray(value)) for (const each of value) fields.add(name, each);
        else fields.add(name, value as unknown as string);
      }
    }
  }
  const { text, length, coding } = fields;
  switch (framing.kind) {
    case 'length': {
      const n = framing.length;
      if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`invalid body length ${n}`);
      if (coding !== undefined)
        throw new TypeError('Transfer-Encoding given for a body framed by its length');
      if (length === undefined) return `${text}Content-Length: ${n}\r\n\r\n`;
      if (length.trim() !== String(n))
        throw new TypeError(`Content-Length ${length} given for a ${n}-byte body`);
      break;
    }
    case 'chunked':
      if (length !== undefined) throw new TypeError('Content-Length given for a chunked body');
      if (coding === undefined) return `${text}Transfer-Encoding: chunked\r\n\r\n`;
      if (!sameToken(coding.slice(coding.lastIndexOf(',') + 1).trim(), 'chunked')) {
        throw new TypeError(`Transfer-Encoding ${JSON.stringify(coding)} does not end with chunked`);
      }
      break;
    case 'until-close':
      if (length !== undefined) throw new TypeError('Content-Length given for a body that ends at close');
      break;
  }
  return `${text}\r\n`;
}
