/**
 * `lines`, ix flavour: splits an async iterable of bytes into lines (Twisted's `LineReceiver`).
 *
 * @module
 */
import { LineDecoder, type LineEncoding, type LinesOptions } from '../lines.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';
import { decode } from './decode.js';

/**
 * Splits an async iterable of bytes into lines, without their delimiters: the pull twin of the rxjs
 * `lines`, over the same `LineDecoder`.
 *
 * Lines are decoded only when whole, so multi-byte characters split across chunks stay whole. A
 * line longer than `maxLength` throws LineTooLongError as soon as the bytes received prove it,
 * without waiting for its delimiter. An unterminated fragment at the end of the source is dropped,
 * as Twisted does. The source is released (its iterator's `return()`) on any early exit.
 *
 * ```text
 * source:   -[a\r]-[\nbb\r\nc]-[c\r\nd]-|
 * lines():  --------(a bb)----cc-------|     ('d' had no delimiter: dropped)
 * ```
 *
 * @throws LineTooLongError, past `maxLength`; the signal's reason, once aborted.
 * @see LineDecoder, the state machine.
 * @example
 * ```ts
 * import { from } from 'ix/asynciterable';
 * import { lines } from 'spindle/operators/async';
 *
 * for await (const line of from([Buffer.from('HELO a\r\nQUIT\r\n')]).pipe(lines({ maxLength: 512 }))) {
 *   console.log(line); // 'HELO a', 'QUIT'
 * }
 * ```
 */
export function lines(
  options: LinesOptions & WithSignal & { readonly encoding: null },
): AsyncOperator<Uint8Array, Uint8Array>;
export function lines(
  options?: LinesOptions & WithSignal & { readonly encoding?: LineEncoding },
): AsyncOperator<Uint8Array, string>;
export function lines(options?: LinesOptions & WithSignal): AsyncOperator<Uint8Array, string | Uint8Array>;
export function lines(options?: LinesOptions & WithSignal): AsyncOperator<Uint8Array, string | Uint8Array> {
  new LineDecoder(options); // validate the options now, not at iteration
  return decode(() => new LineDecoder<string | Uint8Array>(options), options);
}
