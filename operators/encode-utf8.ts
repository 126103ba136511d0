/**
 * `encodeUtf8`: turns text into UTF-8 bytes, the other direction of `decodeUtf8`.
 *
 * @module
 */
import { map, type OperatorFunction } from 'rxjs';

/**
 * Encodes each string as UTF-8, one Uint8Array per string. A lone surrogate becomes U+FFFD
 * (`ef bf bd`), as the WHATWG encoder does.
 *
 * ```text
 * texts:         -h-----é---|
 * encodeUtf8():  -[68]-[c3 a9]-|
 * ```
 *
 * @see decodeUtf8, for the other direction.
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { encodeUtf8 } from 'spindle/operators';
 *
 * of('héllo\r\n').pipe(encodeUtf8()).subscribe((bytes) => console.log(bytes));
 * ```
 */
export function encodeUtf8(): OperatorFunction<string, Uint8Array> {
  return map((text) => Buffer.from(text, 'utf8'));
}
