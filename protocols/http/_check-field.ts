/**
 * `checkField`: the serialisers' and `HttpHeaders`' guard against invalid fields and header
 * injection.
 *
 * @module
 */
import { allIn, FIELD_CONTENT, TOKEN } from './_chars.js';

/**
 * Throws a TypeError unless `name` is a token and `value` may be sent as a field value.
 *
 * @example
 * ```ts
 * checkField('X-Evil', 'a\r\nSet-Cookie: x'); // throws TypeError
 * ```
 */
export function checkField(name: string, value: string): void {
  if (typeof name !== 'string' || name.length === 0 || !allIn(name, TOKEN)) {
    throw new TypeError(`invalid HTTP field name: ${JSON.stringify(name)}`);
  }
  if (typeof value !== 'string' || !allIn(value, FIELD_CONTENT)) {
    throw new TypeError(`invalid value for HTTP field ${name}: ${JSON.stringify(value)}`);
  }
}
