/**
 * Byte classes of HTTP/1.1 (RFC 9110 §5.6, RFC 9112), as 256-entry lookup tables, so the parser
 * and the serialisers test a byte with one indexed load instead of a chain of comparisons.
 *
 * @module
 */

/** Carriage return. */
export const CR = 0x0d;
/** Line feed. */
export const LF = 0x0a;
/** Space. */
export const SP = 0x20;
/** Horizontal tab. */
export const HTAB = 0x09;

function table(accepts: (byte: number) => boolean): Uint8Array {
  const bytes = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) bytes[byte] = accepts(byte) ? 1 : 0;
  return bytes;
}

const isAlphaNumeric = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);

/** `tchar`: the bytes of a token (a method, a field name, a transfer coding). */
export const TOKEN = table(
  (byte) => isAlphaNumeric(byte) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(byte)),
);

/**
 * The bytes of a field value, a reason phrase or a chunk extension: HTAB, SP, VCHAR and
 * obs-text. Everything else (NUL, CR, LF, the other controls, DEL) is refused.
 */
export const FIELD_CONTENT = table((byte) => byte === HTAB || (byte >= 0x20 && byte !== 0x7f));

/** The bytes of a request target: visible ASCII (RFC 3986 characters and the few it leaves out). */
export const TARGET = table((byte) => byte > 0x20 && byte < 0x7f);

/**
 * The bytes of a Host value: unreserved, sub-delims but the comma (so `Host: a, b` cannot pass for
 * a list of two hosts), `%`, `:` and the brackets of an IPv6 literal.
 */
export const HOST = table(
  (byte) => isAlphaNumeric(byte) || "-._~!$&'()*+;=%:[]".includes(String.fromCharCode(byte)),
);

/** Each byte's value as a hexadecimal digit, or -1. */
export const HEX = (() => {
  const values = new Int8Array(256).fill(-1);
  for (let digit = 0; digit < 16; digit++) values[digit.toString(16).charCodeAt(0)] = digit;
  for (let digit = 10; digit < 16; digit++) values[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
  return values;
})();

/**
 * Whether `name` (already known to be a token) is `lower`, ignoring ASCII case. `lower` must be
 * lowercase; only letters are folded (so `^` never matches `~`, which differ by the same bit).
 *
 * @example
 * ```ts
 * sameToken('Content-Length', 'content-length'); // true
 * ```
 */
export function sameToken(name: string, lower: string): boolean {
  return sameTokenAt(name, 0, name.length, lower);
}

/**
 * Whether `text[start, end)` (already known to be a token) is `lower`, ignoring ASCII case, as
 * `sameToken` does.
 *
 * @example
 * ```ts
 * sameTokenAt('Host: a', 0, 4, 'host'); // true
 * ```
 */
export function sameTokenAt(text: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const have = text.charCodeAt(start + i);
    const want = lower.charCodeAt(i);
    if (have !== want && ((have | 0x20) !== want || want < 0x61 || want > 0x7a)) return false;
  }
  return true;
}

/**
 * Whether every character of `text` is in `bytes` (characters above U+00FF never are).
 *
 * @example
 * ```ts
 * allIn('text/plain', FIELD_CONTENT); // true
 * ```
 */
export function allIn(text: string, bytes: Uint8Array): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff || bytes[code] === 0) return false;
  }
  return true;
}

/**
 * Describes a byte for an error message: the character when printable, its hex code otherwise.
 *
 * @example
 * ```ts
 * describeByte(0); // '0x00'
 * ```
 */
export function describeByte(byte: number): string {
  return byte > 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `0x${byte.toString(16).padStart(2, '0')}`;
}

const obsText = /[^\0-\x7f]/;

/**
 * Whether `text` has obs-text, a character above U+007F (RFC 9110 §5.5): a head holding one must
 * go out as latin1 bytes, not as a string the socket encodes as UTF-8.
 *
 * @example
 * ```ts
 * hasObsText('caf\u00e9'); // true
 * ```
 */
export function hasObsText(text: string): boolean {
  return obsText.test(text);
}
