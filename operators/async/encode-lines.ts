/**
 * `encodeLines`, ix flavour: turns an async iterable of strings into delimited lines of bytes.
 *
 * @module
 */
import { type EncodeLinesOptions, LineEncoder } from '../encode-lines.js';
import { mapEach } from './_map-each.js';
import type { AsyncOperator, WithSignal } from './async-operator.js';

/**
 * Encodes each string as a line, its bytes followed by the delimiter: the pull twin of the rxjs
 * `encodeLines`, over the same `LineEncoder`. A line containing the delimiter throws RangeError
 * instead of going out as two lines. The source is released on any early exit.
 *
 * ```text
 * source:         -a-------bc---------|
 * encodeLines():  -[a\r\n]-[bc\r\n]---|
 * ```
 *
 * @throws RangeError, for a line holding the delimiter; the signal's reason, once aborted.
 * @see LineEncoder, the encoding function.
 * @example
 * ```ts
 * import { encodeLines } from 'spindle/operators/async';
 *
 * for await (const bytes of encodeLines()(['HELO a.example', 'QUIT'])) console.log(bytes);
 * ```
 */
export function encodeLines(options?: EncodeLinesOptions & WithSignal): AsyncOperator<string, Uint8Array> {
  const encoder = new LineEncoder(options);
  return (source) => mapEach(source, (line) => encoder.encode(line), options?.signal);
}
