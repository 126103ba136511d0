/**
 * Async-iterable test doubles for the ix-flavour operators: sources that record how they are
 * used, and `collect`, which drains an async iterable.
 *
 * @module
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';

/** What an async iterable gave before it stopped. */
export interface Collected<T> {
  readonly values: T[];
  readonly error: unknown;
}

/**
 * Drains `iterable`, keeping its values and the error it threw, if any.
 *
 * @example
 * ```ts
 * const { values, error } = await collect(lines()(source));
 * ```
 */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<Collected<T>> {
  const values: T[] = [];
  try {
    for await (const value of iterable) values.push(value);
  } catch (error) {
    return { values, error };
  }
  return { values, error: undefined };
}

/**
 * Lets every pending promise callback run.
 *
 * @example
 * ```ts
 * clock.advance(1); await settle();
 * ```
 */
export async function settle(): Promise<void> {
  await nextMacrotask();
}

/** An async iterable whose `next()` calls the test answers by hand, counting `return()` calls. */
export interface ManualSource<T> extends AsyncIterable<T> {
  /** Answers the oldest pending `next()` (or the next one to come) with a value. */
  push(value: T): void;
  /** Answers it with `done`. */
  end(): void;
  /** Rejects it with `error`. */
  fail(error: unknown): void;
  /** How many times `next()` was called. */
  readonly nexts: number;
  /** How many times `return()` was called. */
  readonly returns: number;
}

/**
 * A source the test drives step by step; `values` are answered at once, followed by `done` when
 * `ends` is set.
 *
 * @example
 * ```ts
 * const source = manualSource<Uint8Array>();
 * const it = lines()(source)[Symbol.asyncIterator]();
 * const line = it.next(); source.push(Buffer.from('a\r\n')); await line;
 * ```
 */
export function manualSource<T>(values: readonly T[] = [], { ends = false } = {}): ManualSource<T> {
  const answers: Promise<IteratorResult<T>>[] = values.map((value) =>
    Promise.resolve({ value, done: false }),
  );
  if (ends) answers.push(Promise.resolve({ value: undefined, done: true }));
  const waiting: ((answer: Promise<IteratorResult<T>>) => void)[] = [];
  let nexts = 0;
  let returns = 0;
  const answer = (result: Promise<IteratorResult<T>>): void => {
    result.catch(() => {}); // the test decides whether anyone is listening
    const resolve = waiting.shift();
    if (resolve === undefined) answers.push(result);
    else resolve(result);
  };
  const iterator: AsyncIterator<T> = {
    next() {
      nexts++;
      const ready = answers.shift();
      return ready ?? new Promise((resolve) => waiting.push(resolve));
    },
    async return() {
      returns++;
      return { value: undefined, done: true };
    },
  };
  return {
    [Symbol.asyncIterator]: () => iterator,
    push: (value) => answer(Promise.resolve({ value, done: false })),
    end: () => answer(Promise.resolve({ value: undefined, done: true })),
    fail: (error) => answer(Promise.reject(error)),
    get nexts() {
      return nexts;
    },
    get returns() {
      return returns;
    },
  };
}
