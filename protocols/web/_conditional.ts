/**
 * Validators of a file (`ETag`, `Last-Modified`) and the conditional request headers that test
 * them (RFC 9110 §13): `If-Match`, `If-Unmodified-Since`, `If-None-Match`, `If-Modified-Since`
 * and `If-Range`. Private to protocols/web.
 *
 * @module
 */
import type { HttpHeaders } from '../http/headers.js';

/**
 * What a response's conditions are checked against: its entity tag (as sent, `W/` included when
 * weak) and its last modification, in whole seconds since the epoch.
 *
 * @example
 * ```ts
 * const validators: Validators = { etag: '"3e8-18bcfe56800"', lastModified: 1_700_000_000 };
 * ```
 */
export interface Validators {
  readonly etag: string;
  readonly lastModified: number;
}

/**
 * A strong entity tag for a file from its size and modification time (in milliseconds), as nginx
 * makes one (`"size-mtime"`, in hex): it changes when either does.
 *
 * @example
 * ```ts
 * entityTag(1000, 1_700_000_000_000); // '"3e8-18bcfe56800"'
 * ```
 */
export function entityTag(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/**
 * The `IMF-fixdate` (RFC 9110 §5.6.7) of a time in seconds since the epoch.
 *
 * @example
 * ```ts
 * httpDate(0); // 'Thu, 01 Jan 1970 00:00:00 GMT'
 * ```
 */
export function httpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec';
const month = `(${months.replaceAll(' ', '|')})`;
const time = '(\\d\\d):(\\d\\d):(\\d\\d)';
const imfFixdate = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d\\d) ${month} (\\d{4}) ${time} GMT$`);
const rfc850Date = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d\\d)-${month}-(\\d\\d) ${time} GMT$`,
);
const asctimeDate = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${month} ([ \\d]\\d) ${time} (\\d{4})$`);

/** Seconds since the epoch of a date in parts, or undefined when a part is out of range. */
function seconds(year: number, name: string, day: number, hour: number, minute: number, second: number) {
  const index = months.indexOf(name) / 4;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = Date.UTC(year, index, day, hour, minute, second);
  return new Date(date).getUTCDate() === day ? date / 1000 : undefined;
}

/**
 * An HTTP-date (RFC 9110 §5.6.7: the IMF-fixdate, or the obsolete RFC 850 and asctime forms, which
 * a recipient must accept) in seconds since the epoch; `undefined` for anything else. A two-digit
 * RFC 850 year is 19xx from 70, 20xx below.
 *
 * @example
 * ```ts
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'); // 784111777
 * parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'); // 784111777
 * parseHttpDate('Sun Nov  6 08:49:37 1994'); // 784111777
 * ```
 */
export function parseHttpDate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  let match = imfFixdate.exec(value);
  if (match !== null) {
    const [, day, name, year, hour, minute, second] = match;
    return seconds(Number(year), name!, Number(day), Number(hour), Number(minute), Number(second));
  }
  match = rfc850Date.exec(value);
  if (match !== null) {
    const [, day, name, yy, hour, minute, second] = match;
    const year = Number(yy) + (Number(yy) < 70 ? 2000 : 1900);
    return seconds(year, name!, Number(day), Number(hour), Number(minute), Number(second));
  }
  match = asctimeDate.exec(value);
  if (match !== null) {
    const [, name, day, hour, minute, second, year] = match;
    return seconds(Number(year), name!, Number(day), Number(hour), Number(minute), Number(second));
  }
  return undefined;
}

/** The entity tags of a list (`If-Match`, `If-None-Match`), each as sent (`W/` kept); stops at a malformed one. */
function entityTags(value: string): string[] {
  const tags: string[] = [];
  let at = 0;
  for (;;) {
    while (at < value.length && (value[at] === ' ' || value[at] === '\t' || value[at] === ',')) at++;
    if (at >= value.length) return tags;
    const start = at;
    if (value.startsWith('W/', at)) at += 2;
    if (value[at] !== '"') return tags;
    const close = value.indexOf('"', at + 1);
    if (close < 0) return tags;
    at = close + 1;
    tags.push(value.slice(start, at));
  }
}

const isWeak = (tag: string) => tag.startsWith('W/');
const opaque = (tag: string) => (isWeak(tag) ? tag.slice(2) : tag);

/** Whether the list `value` names `etag` (`*` names any), compared weakly or strongly (RFC 9110 §8.8.3.2). */
function listMatches(value: string, etag: string, strong: boolean): boolean {
  if (value.trim() === '*') return true;
  if (strong && isWeak(etag)) return false;
  const wanted = opaque(etag);
  return entityTags(value).some((tag) => (!strong || !isWeak(tag)) && opaque(tag) === wanted);
}

/**
 * What a GET or HEAD request's preconditions make of the response.
 *
 * @example
 * ```ts
 * const outcome: Precondition = 'not-modified'; // answer 304
 * ```
 */
export type Precondition = 'proceed' | 'not-modified' | 'failed';

/**
 * Evaluates a GET or HEAD request's preconditions in RFC 9110 §13.2.2's order: `If-Match`
 * (strong comparison) or else `If-Unmodified-Since` can fail it (412); then `If-None-Match` (weak
 * comparison, `*` and lists) or, only when that is absent, `If-Modified-Since` make it
 * `not-modified` (304). A date that is not a valid HTTP-date is ignored.
 *
 * @example
 * ```ts
 * evaluatePreconditions(new HttpHeaders({ 'If-None-Match': 'W/"x", "y"' }), { etag: '"x"', lastModified: 0 }); // 'not-modified'
 * ```
 */
export function evaluatePreconditions(headers: HttpHeaders, validators: Validators): Precondition {
  const ifMatch = headers.get('if-match');
  if (ifMatch !== undefined) {
    if (!listMatches(ifMatch, validators.etag, true)) return 'failed';
  } else {
    const since = parseHttpDate(headers.get('if-unmodified-since'));
    if (since !== undefined && validators.lastModified > since) return 'failed';
  }
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== undefined) {
    return listMatches(ifNoneMatch, validators.etag, false) ? 'not-modified' : 'proceed';
  }
  const since = parseHttpDate(headers.get('if-modified-since'));
  return since !== undefined && validators.lastModified <= since ? 'not-modified' : 'proceed';
}

/**
 * Whether an `If-Range` value lets a `Range` apply (RFC 9110 §13.1.5): an entity tag that matches
 * strongly (a weak tag never does), or a date equal to `Last-Modified` (compared exactly, as nginx
 * does). No `If-Range` lets it apply; anything else does not.
 *
 * @example
 * ```ts
 * ifRangeHolds('"x"', { etag: '"x"', lastModified: 0 }); // true
 * ifRangeHolds('W/"x"', { etag: '"x"', lastModified: 0 }); // false
 * ```
 */
export function ifRangeHolds(value: string | undefined, validators: Validators): boolean {
  if (value === undefined) return true;
  const text = value.trim();
  if (text.startsWith('"') || text.startsWith('W/')) {
    return !isWeak(text) && !isWeak(validators.etag) && text === validators.etag;
  }
  return parseHttpDate(text) === validators.lastModified;
}
