/**
 * `lengthPrefixed`, ix flavour: splits an async iterable of bytes into length-prefixed frames.
 *
 * @module
 */
import { LengthPrefixedDecoder, type LengthPrefixedOptions } from '../length-prefixed.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';
import { decode } from './decode.js';

/**
 * Splits an async iterable of bytes into frames prefixed with their big-endian length of `bytes`
 * bytes (Twisted's `Int8/16/32StringReceiver`), yielding each frame's data: the pull twin of the
 * rxjs `lengthPrefixed`, over the same `LengthPrefixedDecoder`.
 *
 * A prefix announcing more than `maxLength` throws LineTooLongError before any of the data is
 * buffered; a source ending inside a frame throws ProtocolError. The source is released on any
 * early exit.
 *
 * ```text
 * source:                        -[0 0 0 2 h]-[i 0 0 0 0]-|
 * lengthPrefixed({ bytes: 4 }):  -------------(hi '')----|
 * ```
 *
 * @throws LineTooLongError, ProtocolError; the signal's reason, once aborted.
 * @see LengthPrefixedDecoder, the state machine.
 * @example
 * ```ts
 * import { lengthPrefixed } from 'spindle/operators/async';
 *
 * for await (const frame of lengthPrefixed({ bytes: 2, maxLength: 4096 })(conn)) console.log(frame);
 * ```
 */
export function lengthPrefixed(
  options?: LengthPrefixedOptions & WithSignal,
): AsyncOperator<Uint8Array, Uint8Array> {
  new LengthPrefixedDecoder(options); // validate the options now, not at iteration
  return decode(() => new LengthPrefixedDecoder(options), options);
}
