/**
 * Cookies (RFC 6265): `parseCookies` and `requestCookies` read the `Cookie` request header;
 * `serializeCookie` and `withCookies` write `Set-Cookie` fields, refusing what a browser would
 * drop or misread. Sessions are not here.
 *
 * @module
 */
import { allIn, TOKEN } from '../http/_chars.js';
import { HttpHeaders } from '../http/headers.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';

/**
 * The attributes of a `Set-Cookie` field. With neither `expires` nor `maxAge`, the cookie lasts
 * the browser session.
 *
 * @example
 * ```ts
 * const attributes: CookieAttributes = { path: '/', maxAge: 3600, secure: true, httpOnly: true, sameSite: 'Lax' };
 * ```
 */
export interface CookieAttributes {
  /** When it expires, sent as an HTTP date (`Expires=Wed, 21 Oct 2026 07:28:00 GMT`). */
  readonly expires?: Date;
  /** Seconds until it expires (a whole number; 0 or less: at once, which deletes it). Wins over `expires`. */
  readonly maxAge?: number;
  /** The host and its subdomains it goes to (a host name: letters, digits, `-` and dots). Default: this host only. */
  readonly domain?: string;
  /** The paths it goes to (starting with `/`). Default: the request's directory. */
  readonly path?: string;
  /** Sent over HTTPS only. */
  readonly secure?: boolean;
  /** Hidden from scripts (`document.cookie`). */
  readonly httpOnly?: boolean;
  /** Whether cross-site requests carry it; `None` must be `secure` (browsers drop it otherwise). */
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
}

/**
 * A cookie to set: its name, its value and its attributes.
 *
 * @example
 * ```ts
 * const cookie: Cookie = { name: 'theme', value: 'dark', path: '/', maxAge: 31_536_000 };
 * ```
 */
export interface Cookie extends CookieAttributes {
  readonly name: string;
  readonly value: string;
}

/** RFC 6265 §4.1.1 cookie-octet: visible ASCII but `"`, `,`, `;` and `\`. */
const cookieOctets = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
/** What a received value may hold: cookie-octets, and inside it the spaces and commas scripts can set. */
const receivedOctets =
  /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]([\x20-\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]*[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e])?$/;
const hostName = /^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const pathOctets = /^\/[\x20-\x3a\x3c-\x7e]*$/;
const edges = /^[ \t]+|[ \t]+$/g;
/** The longest name and value together that browsers keep (RFC 6265 §6.1 asks for at least 4096). */
const maxCookieBytes = 4096;

/**
 * The cookies of a `Cookie` header (`a=1; b="2"`), by name, in order. A pair whose name is not a
 * token, that has no `=`, or whose value holds a byte a cookie cannot (a control, a `"` inside,
 * `;`, `\`, non-ASCII) is skipped; a value in double quotes loses them. Values are not
 * percent-decoded (use `decodeURIComponent` for values set encoded). When a name comes twice, the
 * first is kept: browsers send the cookie with the longest path first (RFC 6265 §5.4), the one
 * meant for this resource. Inside a value, spaces and commas are taken, as browsers let scripts
 * set them.
 *
 * @example
 * ```ts
 * parseCookies('sid=abc; theme="dark"; bad name=1; sid=older');
 * // Map { 'sid' => 'abc', 'theme' => 'dark' }
 * ```
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header !== undefined) parseInto(header, cookies);
  return cookies;
}

/**
 * The cookies of every `Cookie` field of `request`, as `parseCookies` reads one (a client may
 * send several fields; they are not joined with commas, which `headers.get` would do).
 *
 * @example
 * ```ts
 * const session = requestCookies(request).get('sid');
 * ```
 */
export function requestCookies(request: HttpRequest): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of request.headers.getAll('cookie')) parseInto(header, cookies);
  return cookies;
}

function parseInto(header: string, cookies: Map<string, string>): void {
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).replace(edges, '');
    if (name.length === 0 || !allIn(name, TOKEN) || cookies.has(name)) continue;
    let value = pair.slice(equals + 1).replace(edges, '');
    if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) {
      value = value.slice(1, -1);
    }
    if (value.length === 0 || receivedOctets.test(value)) cookies.set(name, value);
  }
}

/**
 * A `Set-Cookie` field value: `name=value` and the attributes, in the order `Expires`,
 * `Max-Age`, `Domain`, `Path`, `Secure`, `HttpOnly`, `SameSite`.
 *
 * Nothing a browser would drop or misread goes out; instead it throws. The name must be a token;
 * the value cookie-octets (RFC 6265 §4.1.1: visible ASCII but `"`, `,`, `;` and `\`), maybe in
 * double quotes: it is refused, not encoded, so what the browser sends back is what was set (give
 * `encodeURIComponent(value)` for any text). `SameSite=None` needs `secure`; a `__Secure-` name
 * needs `secure`, and a `__Host-` name `secure`, `path: '/'` and no `domain` (the cookie
 * prefixes). Name and value together are at most 4096 bytes.
 *
 * @throws TypeError for a name, value or attribute that breaks these rules.
 * @throws RangeError for a `maxAge` that is not a whole number, an invalid `expires` date, or a
 * cookie over 4096 bytes.
 * @example
 * ```ts
 * serializeCookie('sid', 'abc123', { path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
 * // 'sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax'
 * ```
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes = {}): string {
  if (typeof name !== 'string' || name.length === 0 || !allIn(name, TOKEN)) {
    throw new TypeError(`a cookie's name must be a token: ${JSON.stringify(name)}`);
  }
  const bare =
    typeof value === 'string' && value.length >= 2 && value.startsWith('"') && value.endsWith('"')
      ? value.slice(1, -1)
      : value;
  if (typeof bare !== 'string' || !cookieOctets.test(bare)) {
    throw new TypeError(`cookie ${name}'s value is not cookie-octets (encode it): ${JSON.stringify(value)}`);
  }
  if (name.length + value.length > maxCookieBytes) {
    throw new RangeError(`cookie ${name} is longer than ${maxCookieBytes} bytes`);
  }
  const { expires, maxAge, domain, path, secure, httpOnly, sameSite } = attributes;
  let field = `${name}=${value}`;
  if (expires !== undefined) {
    if (!(expires instanceof Date) || Number.isNaN(expires.getTime())) {
      throw new RangeError(`cookie ${name}'s expires is not a valid date`);
    }
    field += `; Expires=${expires.toUTCString()}`;
  }
  if (maxAge !== undefined) {
    if (!Number.isSafeInteger(maxAge))
      throw new RangeError(`cookie ${name}'s maxAge must be whole seconds, not ${maxAge}`);
    field += `; Max-Age=${Math.max(maxAge, 0)}`;
  }
  if (domain !== undefined) {
    if (!hostName.test(domain))
      throw new TypeError(`cookie ${name}'s domain is not a host name: ${JSON.stringify(domain)}`);
    field += `; Domain=${domain}`;
  }
  if (path !== undefined) {
    if (!pathOctets.test(path))
      throw new TypeError(`cookie ${name}'s path must be '/' and ASCII without ';': ${JSON.stringify(path)}`);
    field += `; Path=${path}`;
  }
  if (secure === true) field += '; Secure';
  if (httpOnly === true) field += '; HttpOnly';
  if (sameSite !== undefined) {
    if (sameSite !== 'Strict' && sameSite !== 'Lax' && sameSite !== 'None') {
      throw new TypeError(
        `cookie ${name}'s sameSite is Strict, Lax or None, not ${JSON.stringify(sameSite)}`,
      );
    }
    if (sameSite === 'None' && secure !== true)
      throw new TypeError(`cookie ${name} has SameSite=None but is not secure`);
    field += `; SameSite=${sameSite}`;
  }
  checkPrefix(name, attributes);
  return field;
}

/** The cookie prefixes (RFC 6265bis §4.1.3), matched without regard to case as browsers do. */
function checkPrefix(name: string, { secure, path, domain }: CookieAttributes): void {
  const lower = name.slice(0, 9).toLowerCase();
  if (lower.startsWith('__secure-') && secure !== true) {
    throw new TypeError(`cookie ${name} has the __Secure- prefix but is not secure`);
  }
  if (lower.startsWith('__host-') && (secure !== true || path !== '/' || domain !== undefined)) {
    throw new TypeError(
      `cookie ${name} has the __Host- prefix: it must be secure, with path '/' and no domain`,
    );
  }
}

/**
 * `response` with a `Set-Cookie` field added for each cookie (one field each: Set-Cookie values
 * are never joined), after its own headers.
 *
 * @throws TypeError, RangeError as `serializeCookie` does.
 * @example
 * ```ts
 * return withCookies(respond(200, 'signed in\n'), [
 *   { name: 'sid', value: token, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' },
 *   { name: 'theme', value: 'dark', path: '/', maxAge: 31_536_000 },
 * ]);
 * ```
 */
export function withCookies(response: HttpResponse, cookies: readonly Cookie[]): HttpResponse {
  const headers = new HttpHeaders(response.headers);
  for (const { name, value, ...attributes } of cookies) {
    headers.append('Set-Cookie', serializeCookie(name, value, attributes));
  }
  return { ...response, headers };
}
