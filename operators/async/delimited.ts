/**
 * `delimited`, ix flavour: splits an async iterable of bytes into frames ended by one byte value.
 *
 * @module
 */
import { DelimitedDecoder, type DelimitedOptions } from '../delimited.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';
import { decode } from './decode.js';

/**
 * Splits an async iterable of bytes into frames ended by the byte `delimiter`, yielding each
 * frame's bytes without it: the pull twin of the rxjs `delimited`, over the same
 * `DelimitedDecoder`.
 *
 * A frame that arrived whole inside one chunk is a view of that chunk (no copy). A frame longer
 * than `maxLength` throws LineTooLongError as soon as the bytes prove it; an unterminated fragment
 * at the end of the source is dropped. The source is released on any early exit.
 *
 * ```text
 * source:        -[a 0 b]-[b 0 c]-|
 * delimited(0):  -a-------bb------|    ('c' had no delimiter: dropped)
 * ```
 *
 * @throws LineTooLongError, past `maxLength`; the signal's reason, once aborted.
 * @see DelimitedDecoder, the state machine.
 * @example
 * ```ts
 * import { delimited } from 'spindle/operators/async';
 *
 * for await (const frame of delimited(0, { maxLength: 65536 })(conn)) console.log(frame.length);
 * ```
 */
export function delimited(
  delimiter: number,
  options?: DelimitedOptions & WithSignal,
): AsyncOperator<Uint8Array, Uint8Array> {
  new DelimitedDecoder(delimiter, options); // validate the arguments now, not at iteration
  return decode(() => new DelimitedDecoder(delimiter, options), options);
}
