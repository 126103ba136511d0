/**
 * `encodeDelimited`, ix flavour: ends each frame of an async iterable with a delimiter byte.
 *
 * @module
 */
import { DelimitedEncoder } from '../encode-delimited.js';
import { mapEach } from './_map-each.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Ends each frame with the byte `delimiter` (string frames are encoded as UTF-8): the pull twin of
 * the rxjs `encodeDelimited`, over the same `DelimitedEncoder`. A frame containing the delimiter
 * throws RangeError. The source is released on any early exit.
 *
 * ```text
 * source:             -a-----bc-------|
 * encodeDelimited(0): -[a 0]-[b c 0]--|
 * ```
 *
 * @throws RangeError, for a frame holding the delimiter; the signal's reason, once aborted.
 * @see DelimitedEncoder, the encoding function.
 * @example
 * ```ts
 * import { encodeDelimited } from 'spindle/operators/async';
 *
 * for await (const bytes of encodeDelimited(0x0a)(['{"a":1}', '{"b":2}'])) console.log(bytes);
 * ```
 */
export function encodeDelimited(
  delimiter: number,
  options?: WithSignal,
): AsyncOperator<Uint8Array | string, Uint8Array> {
  const encoder = new DelimitedEncoder(delimiter);
  return (source) => mapEach(source, (frame) => encoder.encode(frame), options?.signal);
}
