/**
 * `decodeUtf8`, ix flavour: turns an async iterable of bytes into text.
 *
 * @module
 */
import { type DecodeUtf8Options, Utf8Decoder } from '../decode-utf8.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';
import { decode } from './decode.js';

/**
 * Decodes an async iterable of bytes as UTF-8, yielding the text each chunk completes: the pull
 * twin of the rxjs `decodeUtf8`, over the same `Utf8Decoder`. A character split across chunks is
 * yielded whole; invalid bytes become U+FFFD, or with `{ fatal: true }` throw ProtocolError. The
 * source is released on any early exit.
 *
 * ```text
 * source:        -[68 c3]-[a9]-|
 * decodeUtf8():  -h-------é----|
 * ```
 *
 * @throws ProtocolError, with `fatal`, for invalid UTF-8; the signal's reason, once aborted.
 * @see Utf8Decoder, the state machine.
 * @example
 * ```ts
 * import { decodeUtf8 } from 'spindle/operators/async';
 *
 * let text = '';
 * for await (const piece of decodeUtf8({ fatal: true })(conn)) text += piece;
 * ```
 */
export function decodeUtf8(options?: DecodeUtf8Options & WithSignal): AsyncOperator<Uint8Array, string> {
  return decode(() => new Utf8Decoder(options), options);
}
