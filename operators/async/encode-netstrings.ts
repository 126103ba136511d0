/**
 * `encodeNetstrings`, ix flavour: wraps each frame of an async iterable as a netstring.
 *
 * @module
 */
import { NetstringEncoder } from '../encode-netstrings.js';
import { mapEach } from './_map-each.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Encodes each frame as a netstring, `<length>:<data>,` (string frames are encoded as UTF-8): the
 * pull twin of the rxjs `encodeNetstrings`, over the same `NetstringEncoder`. The source is
 * released on any early exit.
 *
 * ```text
 * source:              -hello------''----|
 * encodeNetstrings():  -[5:hello,]-[0:,]-|
 * ```
 *
 * @throws the signal's reason, once aborted.
 * @see NetstringEncoder, the encoding function.
 * @example
 * ```ts
 * import { encodeNetstrings } from 'spindle/operators/async';
 *
 * for await (const bytes of encodeNetstrings()(['hello', 'world'])) console.log(String(bytes));
 * ```
 */
export function encodeNetstrings(options?: WithSignal): AsyncOperator<Uint8Array | string, Uint8Array> {
  const encoder = new NetstringEncoder();
  return (source) => mapEach(source, (data) => encoder.encode(data), options?.signal);
}
