/**
 * `netstrings`, ix flavour: decodes an async iterable of bytes as netstrings (`5:hello,`).
 *
 * @module
 */
import { NetstringDecoder, type NetstringsOptions } from '../netstrings.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';
import { decode } from './decode.js';

/**
 * Decodes an async iterable of bytes as netstrings (`<length>:<data>,`), yielding each one's data:
 * the pull twin of the rxjs `netstrings`, over the same `NetstringDecoder`.
 *
 * Malformed input (a bad or empty length, a leading zero, a missing comma) throws ProtocolError; a
 * length over `maxLength` throws LineTooLongError as soon as its digits prove it; a source that
 * ends inside a netstring throws ProtocolError. The source is released on any early exit.
 *
 * ```text
 * source:        -[5:he]-[llo,0:]-[,]-|
 * netstrings():  --------hello----''--|
 * ```
 *
 * @throws ProtocolError, LineTooLongError; the signal's reason, once aborted.
 * @see NetstringDecoder, the state machine.
 * @example
 * ```ts
 * import { netstrings } from 'spindle/operators/async';
 *
 * for await (const data of netstrings({ maxLength: 1024 })(conn)) console.log(Buffer.from(data).toString());
 * ```
 */
export function netstrings(options?: NetstringsOptions & WithSignal): AsyncOperator<Uint8Array, Uint8Array> {
  new NetstringDecoder(options); // validate the options now, not at iteration
  return decode(() => new NetstringDecoder(options), options);
}
