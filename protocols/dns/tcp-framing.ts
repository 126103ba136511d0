/**
 * DNS over TCP and TLS (RFC 1035 section 4.2.2, RFC 7766, RFC 7858): each message preceded by
 * its length on two octets. `dnsTcpFrames` (rxjs) and `dnsTcpFramesAsync` (ix) split a byte
 * stream into message frames; `encodeTcpFrame` prefixes one message.
 *
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import type { AsyncOperator, WithSignal } from '../../operators/async/async-operator.js';
import { lengthPrefixed as lengthPrefixedAsync } from '../../operators/async/length-prefixed.js';
import { LengthPrefixedEncoder } from '../../operators/encode-length-prefixed.js';
import { lengthPrefixed } from '../../operators/length-prefixed.js';
import { maxMessageSize } from './_wire-writer.js';

const framing = { bytes: 2, maxLength: maxMessageSize } as const;

/**
 * Splits a DNS-over-TCP byte stream into the messages' bytes, undecoded, so the caller decodes
 * each and can answer a bad one with FORMERR. A frame that arrived whole in one chunk is a view
 * of that chunk. A stream ending inside a frame errors with ProtocolError.
 *
 * ```text
 * chunks:          -[0 3 a b]-[c 0 1 d]-|
 * dnsTcpFrames():  ----------(abc d)----|
 * ```
 *
 * @throws ProtocolError (as an error notification) when the stream ends inside a frame.
 * @see lengthPrefixed, which it is, with a 2-byte prefix and the 65535-octet limit.
 * @example
 * ```ts
 * import { decodeMessage, dnsTcpFrames } from 'spindle/protocols/dns';
 *
 * connection.data$.pipe(dnsTcpFrames()).subscribe((frame) => handle(decodeMessage(frame)));
 * ```
 */
export function dnsTcpFrames(): OperatorFunction<Uint8Array, Uint8Array> {
  return lengthPrefixed(framing);
}

/**
 * `dnsTcpFrames` for `for await` pipelines: the same frames out of an async iterable of bytes.
 *
 * ```text
 * source:               -[0 3 a b]-[c 0 1 d]-|
 * dnsTcpFramesAsync():  ----------(abc d)----|
 * ```
 *
 * @throws ProtocolError when the source ends inside a frame; the signal's reason, once aborted.
 * @example
 * ```ts
 * import { dnsTcpFramesAsync } from 'spindle/protocols/dns';
 *
 * for await (const frame of dnsTcpFramesAsync()(connection)) handle(decodeMessage(frame));
 * ```
 */
export function dnsTcpFramesAsync(options?: WithSignal): AsyncOperator<Uint8Array, Uint8Array> {
  return lengthPrefixedAsync({ ...options, ...framing });
}

/**
 * The bytes of `message` preceded by its length on two octets, ready for a TCP or TLS stream.
 *
 * @throws RangeError for a message over 65535 octets.
 * @see LengthPrefixedEncoder, which it uses.
 * @example
 * ```ts
 * connection.write(encodeTcpFrame(encodeMessage(reply)));
 * ```
 */
export function encodeTcpFrame(message: Uint8Array): Uint8Array {
  return encoder.encode(message);
}

const encoder = new LengthPrefixedEncoder({ bytes: 2 });
