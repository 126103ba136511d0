/**
 * The header fields that frame a message (RFC 9112 §6, §9.3): Content-Length, Transfer-Encoding
 * and the options of Connection, read strictly, as the request smuggling literature asks.
 *
 * @module
 */
import { HTAB, SP, sameToken } from './_chars.js';
import { HttpParseError } from './http-error.js';

/** `Connection: close`. */
export const CLOSE = 1;
/** `Connection: keep-alive`. */
export const KEEP_ALIVE = 2;
/** `Connection: upgrade`. */
export const UPGRADE = 4;

const isOws = (code: number): boolean => code === SP || code === HTAB;

/** The bounds of `text[start, stop)` without surrounding spaces and tabs. */
function trim(text: string, start: number, stop: number): [number, number] {
  while (start < stop && isOws(text.charCodeAt(start))) start++;
  while (stop > start && isOws(text.charCodeAt(stop - 1))) stop--;
  return [start, stop];
}

/**
 * Calls `each` with the bounds of every element of a comma-separated list (RFC 9110 §5.6.1),
 * trimmed; empty elements are skipped, as the RFC asks of a recipient.
 */
function forEachElement(text: string, each: (start: number, stop: number) => void): void {
  let from = 0;
  for (;;) {
    const comma = text.indexOf(',', from);
    const [start, stop] = trim(text, from, comma < 0 ? text.length : comma);
    if (stop > start) each(start, stop);
    if (comma < 0) return;
    from = comma + 1;
  }
}

/**
 * The body length the Content-Length fields `values` give: each is a number of decimal digits
 * (leading zeros allowed) or a list of such numbers, and all must be equal.
 *
 * @throws HttpParseError 400 for an empty value or element, anything but digits (a sign, `0x`,
 * spaces inside the number), differing values, or a length past 2^53 - 1.
 * @example
 * ```ts
 * contentLength(['0010', '10, 10']); // 10
 * ```
 */
export function contentLength(values: readonly string[]): number {
  let length = -1;
  for (const value of values) {
    let from = 0;
    for (;;) {
      const comma = value.indexOf(',', from);
      const [start, stop] = trim(value, from, comma < 0 ? value.length : comma);
      if (start === stop)
        throw new HttpParseError(400, `empty Content-Length element in ${JSON.stringify(value)}`);
      let n = 0;
      for (let i = start; i < stop; i++) {
        const digit = value.charCodeAt(i) - 0x30;
        if (digit < 0 || digit > 9)
          throw new HttpParseError(400, `invalid Content-Length ${JSON.stringify(value)}`);
        n = n * 10 + digit;
        if (n > Number.MAX_SAFE_INTEGER) {
          throw new HttpParseError(400, `Content-Length ${JSON.stringify(value)} is too large`);
        }
      }
      if (length >= 0 && n !== length) {
        throw new HttpParseError(400, `differing Content-Length values (${length} and ${n})`);
      }
      length = n;
      if (comma < 0) break;
      from = comma + 1;
    }
  }
  return length;
}

/**
 * Reads the Transfer-Encoding fields `values` as one list of codings and says whether the final
 * coding is `chunked` (without parameters). For a request (`request`), anything else is refused:
 * a message whose final coding is not chunked cannot be framed (RFC 9112 §6.3), and codings
 * under the chunked one (`gzip, chunked`) are not implemented. A response whose final coding is
 * not chunked is read until the connection closes, so the answer is `false` there.
 *
 * @throws HttpParseError 400 for an empty list, `chunked` applied twice or not last (request),
 * 501 for a coding other than chunked under it (request).
 * @example
 * ```ts
 * finalCodingIsChunked(['chunked'], true); // true
 * finalCodingIsChunked(['chunked, identity'], true); // throws HttpParseError 400
 * ```
 */
export function finalCodingIsChunked(values: readonly string[], request: boolean): boolean {
  const codings: string[] = [];
  for (const value of values) forEachElement(value, (start, stop) => codings.push(value.slice(start, stop)));
  if (codings.length === 0) throw new HttpParseError(400, 'empty Transfer-Encoding');
  const last = codings.length - 1;
  for (let i = 0; i < last; i++) {
    if (sameToken(codingName(codings[i]!), 'chunked')) {
      throw new HttpParseError(
        400,
        `chunked is not the final transfer coding in ${JSON.stringify(values.join(', '))}`,
      );
    }
  }
  const chunked = sameToken(codings[last]!, 'chunked');
  if (!request) return chunked;
  if (!chunked) {
    throw new HttpParseError(
      400,
      `the final transfer coding is not chunked in ${JSON.stringify(values.join(', '))}: the body cannot be framed`,
    );
  }
  if (last > 0)
    throw new HttpParseError(501, `transfer coding ${JSON.stringify(codings[0])} is not implemented`);
  return true;
}

/** A coding's name, without parameters. */
function codingName(coding: string): string {
  const semicolon = coding.indexOf(';');
  if (semicolon < 0) return coding;
  const [start, stop] = trim(coding, 0, semicolon);
  return coding.slice(start, stop);
}

/**
 * The connection options (`CLOSE`, `KEEP_ALIVE`, `UPGRADE`, or-ed) named in a Connection
 * field's value; other options are ignored.
 *
 * @example
 * ```ts
 * connectionOptions('keep-alive, Upgrade'); // KEEP_ALIVE | UPGRADE
 * ```
 */
export function connectionOptions(value: string): number {
  if (sameToken(value, 'keep-alive')) return KEEP_ALIVE;
  if (sameToken(value, 'close')) return CLOSE;
  let options = 0;
  forEachElement(value, (start, stop) => {
    const option = value.slice(start, stop);
    if (sameToken(option, 'close')) options |= CLOSE;
    else if (sameToken(option, 'keep-alive')) options |= KEEP_ALIVE;
    else if (sameToken(option, 'upgrade')) options |= UPGRADE;
  });
  return options;
}
