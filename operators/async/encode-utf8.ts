/**
 * `encodeUtf8`, ix flavour: turns an async iterable of text into UTF-8 bytes.
 *
 * @module
 */
import { mapEach } from './_map-each.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Encodes each string as UTF-8, one Uint8Array per string: the pull twin of the rxjs
 * `encodeUtf8`. A lone surrogate becomes U+FFFD. The source is released on any early exit.
 *
 * ```text
 * source:        -h-----é--------|
 * encodeUtf8():  -[68]--[c3 a9]--|
 * ```
 *
 * @throws the signal's reason, once aborted.
 * @example
 * ```ts
 * import { encodeUtf8 } from 'spindle/operators/async';
 *
 * for await (const bytes of encodeUtf8()(['héllo'])) console.log(bytes); // <Buffer 68 c3 a9 6c 6c 6f>
 * ```
 */
export function encodeUtf8(options?: WithSignal): AsyncOperator<string, Uint8Array> {
  return (source) => mapEach(source, (text) => Buffer.from(text, 'utf8'), options?.signal);
}
