/**
 * `pipe`, ix flavour: chains async-iterable operators onto a source, typed from end to end.
 *
 * @module
 */
import type { AsyncOperator } from './async-operator.js';

/**
 * Applies `operators` to `source` in order, each to the output of the one before, and returns the
 * last one's output: `pipe(conn, timeout(30, reactor), lines())` is the same as
 * `lines()(timeout(30, reactor)(conn))`. The operators are applied at once; ours read nothing
 * until the result is iterated, and release the source through the whole chain on an early exit.
 *
 * It exists for the types: IxJS's `from(source).pipe(…)` types each operator as returning its own
 * `AsyncIterableX`, so a chain of two or more operators that return plain async iterables (ours)
 * does not type-check there, though it runs. Here each operator must take what the one before it
 * gives, for up to nine operators (as rxjs's `pipe`); past nine, the rest are not checked and the
 * result is `AsyncIterable<unknown>`.
 *
 * ```text
 * conn:                                     -[a\r\nb]-[\r\n]-|
 * pipe(conn, timeout(30, clock), lines()):  -a--------b------|
 * ```
 *
 * @example
 * ```ts
 * import { lines, pipe, timeout } from 'spindle/operators/async';
 *
 * const upper = async function* (source: AsyncIterable<string>) {
 *   for await (const line of source) yield line.toUpperCase();
 * };
 * for await (const line of pipe(conn, timeout(30, reactor), lines(), upper)) conn.write(`${line}\r\n`);
 * ```
 */
export function pipe<T>(source: AsyncIterable<T>): AsyncIterable<T>;
export function pipe<T, A>(source: AsyncIterable<T>, op1: AsyncOperator<T, A>): AsyncIterable<A>;
export function pipe<T, A, B>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
): AsyncIterable<B>;
export function pipe<T, A, B, C>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
): AsyncIterable<C>;
export function pipe<T, A, B, C, D>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
  op4: AsyncOperator<C, D>,
): AsyncIterable<D>;
export function pipe<T, A, B, C, D, E>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
  op4: AsyncOperator<C, D>,
  op5: AsyncOperator<D, E>,
): AsyncIterable<E>;
export function pipe<T, A, B, C, D, E, F>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
  op4: AsyncOperator<C, D>,
  op5: AsyncOperator<D, E>,
  op6: AsyncOperator<E, F>,
): AsyncIterable<F>;
export function pipe<T, A, B, C, D, E, F, G>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
  op4: AsyncOperator<C, D>,
  op5: AsyncOperator<D, E>,
  op6: AsyncOperator<E, F>,
  op7: AsyncOperator<F, G>,
): AsyncIterable<G>;
export function pipe<T, A, B, C, D, E, F, G, H>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
  op4: AsyncOperator<C, D>,
  op5: AsyncOperator<D, E>,
  op6: AsyncOperator<E, F>,
  op7: AsyncOperator<F, G>,
  op8: AsyncOperator<G, H>,
): AsyncIterable<H>;
export function pipe<T, A, B, C, D, E, F, G, H, I>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
  op4: AsyncOperator<C, D>,
  op5: AsyncOperator<D, E>,
  op6: AsyncOperator<E, F>,
  op7: AsyncOperator<F, G>,
  op8: AsyncOperator<G, H>,
  op9: AsyncOperator<H, I>,
): AsyncIterable<I>;
export function pipe<T, A, B, C, D, E, F, G, H, I>(
  source: AsyncIterable<T>,
  op1: AsyncOperator<T, A>,
  op2: AsyncOperator<A, B>,
  op3: AsyncOperator<B, C>,
  op4: AsyncOperator<C, D>,
  op5: AsyncOperator<D, E>,
  op6: AsyncOperator<E, F>,
  op7: AsyncOperator<F, G>,
  op8: AsyncOperator<G, H>,
  op9: AsyncOperator<H, I>,
  ...operators: AsyncOperator<never, unknown>[]
): AsyncIterable<unknown>;
export function pipe(
  source: AsyncIterable<unknown>,
  ...operators: AsyncOperator<never, unknown>[]
): AsyncIterable<unknown> {
  let piped = source;
  // The overloads checked that each operator takes what the one before it gives.
  for (const operator of operators) piped = operator(piped as AsyncIterable<never>);
  return piped;
}
