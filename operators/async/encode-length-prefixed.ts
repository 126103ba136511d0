/**
 * `encodeLengthPrefixed`, ix flavour: prefixes each frame of an async iterable with its length.
 *
 * @module
 */
import { type EncodeLengthPrefixedOptions, LengthPrefixedEncoder } from '../encode-length-prefixed.js';
import { mapEach } from './_map-each.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Prefixes each frame with its length as a big-endian unsigned integer of `bytes` bytes (string
 * frames are encoded as UTF-8): the pull twin of the rxjs `encodeLengthPrefixed`, over the same
 * `LengthPrefixedEncoder`. A frame too long for the prefix throws RangeError. The source is
 * released on any early exit.
 *
 * ```text
 * source:                              -hi--------|
 * encodeLengthPrefixed({ bytes: 2 }):  -[0 2 h i]-|
 * ```
 *
 * @throws RangeError, for a frame too long for the prefix; the signal's reason, once aborted.
 * @see LengthPrefixedEncoder, the encoding function.
 * @example
 * ```ts
 * import { encodeLengthPrefixed } from 'spindle/operators/async';
 *
 * for await (const bytes of encodeLengthPrefixed({ bytes: 2 })(['hello'])) console.log(bytes);
 * ```
 */
export function encodeLengthPrefixed(
  options?: EncodeLengthPrefixedOptions & WithSignal,
): AsyncOperator<Uint8Array | string, Uint8Array> {
  const encoder = new LengthPrefixedEncoder(options);
  return (source) => mapEach(source, (frame) => encoder.encode(frame), options?.signal);
}
