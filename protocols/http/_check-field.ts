/**
 * `checkField`: the serialisers' and `HttpHeaders`' guard against invalid fields and header
 * injection.
 *
 * @module
 */
import { allIn, FIELD_CONTENT, TOKEN } from './_chars.js';

/**
 * Throws a TypeError unless `name` is a token and `value` may be sent as a field value; returns
 * whether the value has obs-text (a character above U+007F, so the head must go out as latin1
 * bytes), found in the same pass.
 *
 * @example
 * ```ts
 * checkField('X-Evil', 'a\r\nSet-Cookie: x'); // throws TypeError
 * checkField('X-Latin', 'caf\u00e9');          // true
 * ```
 */
export function checkField(name: string, value: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || !allIn(name, TOKEN)) {
    throw new TypeError(`invalid HTTP field name: ${JSON.stringify(name)}`);
  }
  if (typeof value !== 'string') throw invalidValue(name, value);
  let wide = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff || FIELD_CONTENT[code] === 0) throw invalidValue(name, value);
    if (code > 0x7f) wide = true;
  }
  return wide;
}

function invalidValue(name: string, value: unknown): TypeError {
  return new TypeError(`invalid value for HTTP field ${name}: ${JSON.stringify(value)}`);
}
