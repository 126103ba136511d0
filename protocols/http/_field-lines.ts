/**
 * `FieldSection`: a head's field lines as wire text, with what they say about framing and the
 * connection, for the serialisers (the one loop over a head's fields that every head written
 * goes through). Private to protocols/http.
 *
 * @module
 */
import { hasObsText, sameToken } from './_chars.js';
import { checkField } from './_check-field.js';
import { connectionOptions } from './_framing.js';
import { HttpHeaders, type HttpHeadersInit } from './headers.js';
import type { BodyFraming, HttpVersion } from './message.js';

/**
 * How a field section is written: `message` copies every field (a request or response head
 * whose caller owns all its fields); `trailers` refuses the framing fields; `server` reads the
 * fields a server owns (Connection, Transfer-Encoding, Content-Length) without copying them, and
 * notes whether a Date is given.
 */
export type FieldMode = 'message' | 'trailers' | 'server';

/**
 * A Content-Length value a caller gave, as a number.
 *
 * @throws TypeError unless it is decimal digits (up to 15).
 * @example
 * ```ts
 * declaredLength('12'); // 12
 * ```
 */
export function declaredLength(value: string): number {
  const digits = value.trim();
  if (!/^\d{1,15}$/.test(digits)) throw new TypeError(`invalid Content-Length ${JSON.stringify(value)}`);
  return Number(digits);
}

/**
 * The field lines of a head after its start line, checked (no header injection), and what they
 * say: the Content-Length and Transfer-Encoding given, the Connection options, whether there is
 * a Date, and whether a value has obs-text (a character above U+007F: the head must go out as
 * latin1 bytes).
 *
 * @example
 * ```ts
 * const section = new FieldSection('HTTP/1.1 200 OK\r\n', 'message');
 * section.addAll({ 'Content-Type': 'text/plain' });
 * section.text; // 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n'
 * ```
 */
export class FieldSection {
  /** The Content-Length value given, if any. */
  length: string | undefined = undefined;
  /** The Transfer-Encoding value given, if any. */
  coding: string | undefined = undefined;
  /** The options of the Connection fields given (`CLOSE`, `KEEP_ALIVE`, `UPGRADE` bits). */
  connection = 0;
  hasDate = false;
  wide = false;

  constructor(
    public text: string,
    private readonly _mode: FieldMode,
  ) {}

  /** Adds every field of `headers`, in order. */
  addAll(headers: HttpHeadersInit | undefined): void {
    if (headers === undefined) return;
    if (headers instanceof HttpHeaders) {
      this._addHeaders(headers);
    } else if (Symbol.iterator in headers) {
      for (const [name, value] of headers as Iterable<readonly [string, string]>) this.add(name, value);
    } else {
      const record = headers as Readonly<Record<string, string | readonly string[]>>;
      for (const name in record) {
        const value = record[name]!;
        if (typeof value === 'string') this.add(name, value);
        else if (Array.isArray(value)) for (const each of value) this.add(name, each);
        else this.add(name, value as unknown as string);
      }
    }
  }

  /** Checks and adds `name: value`, unless the mode says the field is the server's. */
  add(name: string, value: string): void {
    const wide = checkField(name, value);
    if (this._note(name, value)) {
      if (wide) this.wide = true;
      this.text += `${name}: ${value}\r\n`;
    }
  }

  /** HttpHeaders were checked when set: they go in as one string unless some field is the server's. */
  private _addHeaders(headers: HttpHeaders): void {
    const owned =
      this._mode === 'server' &&
      (headers.has('connection') || headers.has('transfer-encoding') || headers.has('content-length'));
    if (owned) {
      for (const [name, value] of headers.raw()) this.add(name, value);
      return;
    }
    const text = headers.toString();
    this.text += text;
    if (this._mode === 'server') {
      this.hasDate ||= headers.has('date');
      if (!this.wide && hasObsText(text)) this.wide = true;
    } else {
      for (const value of headers.getAll('content-length')) this._note('content-length', value);
      for (const value of headers.getAll('transfer-encoding')) this._note('transfer-encoding', value);
    }
  }

  /** Notes what a field says; false when it is not to be copied (a field the server owns). */
  private _note(name: string, value: string): boolean {
    switch (name.length) {
      case 4:
        if (sameToken(name, 'date')) this.hasDate = true;
        return true;
      case 10:
        if (this._mode !== 'server' || !sameToken(name, 'connection')) return true;
        this.connection |= connectionOptions(value);
        return false;
      case 14:
        if (!sameToken(name, 'content-length')) return true;
        if (this._mode === 'trailers') throw new TypeError('Content-Length is not allowed in trailers');
        if (this.length !== undefined && this.length.trim() !== value.trim()) {
          throw new TypeError(`differing Content-Length values ${this.length} and ${value}`);
        }
        this.length = value;
        return this._mode !== 'server';
      case 17:
        if (!sameToken(name, 'transfer-encoding')) return true;
        if (this._mode === 'trailers') throw new TypeError('Transfer-Encoding is not allowed in trailers');
        this.coding = value;
        return this._mode !== 'server';
      default:
        return true;
    }
  }
}

/**
 * `start` (a start line, or the last chunk's size line), then the field lines of `headers` in the
 * order given, each ended by CRLF, then the line `framing` needs when absent (`Content-Length: n`
 * or `Transfer-Encoding: chunked`), then the empty line: a whole head as one string. In
 * `trailers`, Content-Length and Transfer-Encoding are refused (they frame nothing there); in a
 * `request` without a body, so are Transfer-Encoding and a Content-Length other than 0 (a
 * response without one may keep them: they describe the body a HEAD or 304 leaves out). In
 * `version` 1.0, which has no transfer codings, so are Transfer-Encoding and chunked framing.
 *
 * @throws TypeError for an invalid field, a Content-Length that is not the framing's length, a
 * Content-Length with chunked or until-close framing, a Transfer-Encoding whose final coding is
 * not chunked with chunked framing, a Transfer-Encoding with length framing or ending in chunked
 * with until-close framing, a framing field announcing a body in a request without one, or a
 * transfer coding in HTTP/1.0.
 * @example
 * ```ts
 * fieldLines('HTTP/1.1 200 OK\r\n', { 'Content-Type': 'text/plain' }, { kind: 'length', length: 2 }, 'response');
 * // 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n'
 * ```
 */
export function fieldLines(
  start: string,
  headers: HttpHeadersInit | undefined,
  framing: BodyFraming,
  section: 'request' | 'response' | 'trailers',
  version: HttpVersion = '1.1',
): string {
  const fields = new FieldSection(start, section === 'trailers' ? 'trailers' : 'message');
  fields.addAll(headers);
  const { text, length, coding } = fields;
  if (version === '1.0' && (coding !== undefined || framing.kind === 'chunked')) {
    throw new TypeError('HTTP/1.0 has no transfer codings: no Transfer-Encoding, no chunked body');
  }
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
      if (!endsChunked(coding)) {
        throw new TypeError(`Transfer-Encoding ${JSON.stringify(coding)} does not end with chunked`);
      }
      break;
    case 'until-close':
      if (length !== undefined) throw new TypeError('Content-Length given for a body that ends at close');
      if (coding !== undefined && endsChunked(coding)) {
        throw new TypeError(
          `Transfer-Encoding ${JSON.stringify(coding)} given for a body that ends at close`,
        );
      }
      break;
    case 'none':
      if (section !== 'request') break;
      if (coding !== undefined) throw new TypeError('Transfer-Encoding given for a request without a body');
      if (length !== undefined && length.trim() !== '0') {
        throw new TypeError(`Content-Length ${length} given for a request without a body`);
      }
      break;
  }
  return `${text}\r\n`;
}

/** Whether a Transfer-Encoding value's final coding is chunked (so the body is framed by chunks). */
function endsChunked(coding: string): boolean {
  return sameToken(coding.slice(coding.lastIndexOf(',') + 1).trim(), 'chunked');
}
