/**
 * `spindle/operators/async`: the ix flavour of `spindle/operators`, for `for await` pipelines with
 * backpressure by not pulling. The same names as the rxjs operators, as plain functions from an
 * async iterable to an async iterable, written as native async generators over the same sans-I/O
 * decoders; each takes an optional `AbortSignal` and releases its source on any early exit. They
 * work on their own (`lines()(conn)`) and in IxJS's `from(conn).pipe(lines())`. `decode` runs any
 * `Decoder` the same way, one per iteration (`decode(() => new RequestParser())(conn)`); the
 * framing operators are built on it. `timeout` and `delay` replace IxJS's own, which read the
 * global timers, with versions on an injected clock. To chain several, use `pipe(conn, …)`: IxJS's
 * `from(conn).pipe(…)` runs them but, typing each operator as returning its own `AsyncIterableX`,
 * type-checks only one of ours at a time.
 *
 * @example
 * ```ts
 * import { from } from 'ix/asynciterable';
 * import { lines, pipe, timeout } from 'spindle/operators/async';
 *
 * for await (const line of pipe(conn, timeout(30, reactor), lines({ maxLength: 1024 }))) console.log(line);
 * for await (const line of from(conn).pipe(lines())) console.log(line);
 * ```
 * @module
 */
export type { Decoder } from '../decoder.js';
export type { AsyncOperator, WithSignal } from './async-operator.js';
export { decode } from './decode.js';
export { decodeUtf8 } from './decode-utf8.js';
export { delay } from './delay.js';
export { delimited } from './delimited.js';
export { encodeDelimited } from './encode-delimited.js';
export { encodeLengthPrefixed } from './encode-length-prefixed.js';
export { encodeLines } from './encode-lines.js';
export { encodeNetstrings } from './encode-netstrings.js';
export { encodeUtf8 } from './encode-utf8.js';
export {
  type BoundedAsyncIterable,
  type FromObservableOptions,
  fromObservable,
  type OverflowPolicy,
} from './from-observable.js';
export { lengthPrefixed } from './length-prefixed.js';
export { lines } from './lines.js';
export { netstrings } from './netstrings.js';
export { pipe } from './pipe.js';
export { timeout } from './timeout.js';
