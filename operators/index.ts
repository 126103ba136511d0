/**
 * `spindle/operators`: protocol-agnostic stream operators for rxjs pipelines. Framing (`lines`,
 * `netstrings`, `lengthPrefixed`, `delimited`) with their encoders, UTF-8 text (`decodeUtf8`,
 * `encodeUtf8`) and idle timeouts (`idleTimeout`). Each decoder's sans-I/O state machine is
 * exported too, for parsers that do their own I/O; they all have the `Decoder` shape, and
 * `decode` turns any decoder of that shape into an operator (the framing operators are built on
 * it, and it runs the HTTP parsers: `decode(() => new RequestParser())`). The ix (async-iterable)
 * flavour of the same operators is `spindle/operators/async`.
 *
 * @example
 * ```ts
 * import { map } from 'rxjs';
 * import { encodeLines, idleTimeout, lines } from 'spindle/operators';
 *
 * conn.data$
 *   .pipe(idleTimeout(60, reactor), lines(), map((line) => line.toUpperCase()), encodeLines())
 *   .subscribe(conn);
 * ```
 * @module
 */
export { decode } from './decode.js';
export { type DecodeUtf8Options, decodeUtf8, Utf8Decoder } from './decode-utf8.js';
export type { Decoder } from './decoder.js';
export { DelimitedDecoder, type DelimitedOptions, delimited } from './delimited.js';
export { DelimitedEncoder, encodeDelimited } from './encode-delimited.js';
export {
  type EncodeLengthPrefixedOptions,
  encodeLengthPrefixed,
  LengthPrefixedEncoder,
} from './encode-length-prefixed.js';
export { type EncodeLinesOptions, encodeLines, LineEncoder } from './encode-lines.js';
export { encodeNetstrings, NetstringEncoder } from './encode-netstrings.js';
export { encodeUtf8 } from './encode-utf8.js';
export { idleTimeout } from './idle-timeout.js';
export { LengthPrefixedDecoder, type LengthPrefixedOptions, lengthPrefixed } from './length-prefixed.js';
export { LineDecoder, type LineEncoding, type LinesOptions, lines } from './lines.js';
export { NetstringDecoder, type NetstringsOptions, netstrings } from './netstrings.js';
