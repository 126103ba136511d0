/**
 * `Failure`: what a Deferred's errbacks receive (Twisted's `twisted.python.failure.Failure`). It
 * wraps the original error as `value`; `check` and `trap` test its type.
 *
 * @module
 */
import { NonErrorThrownError } from './errors.js';

/** A class of error, for `check` and `trap`. */
export type ErrorType<E extends Error = Error> = abstract new (...args: never[]) => E;

/**
 * An error travelling down a Deferred's errback chain. It is itself an `Error` (so `trap` can
 * rethrow it and the chain goes on with the same Failure); `value` is the original error, and a
 * promise made from a Deferred rejects with `value`, never with the Failure.
 *
 * @example
 * ```ts
 * d.addErrback(failure => {
 *   failure.trap(TimeoutError);        // any other failure goes on down the chain
 *   return 'gave up waiting';
 * });
 * ```
 */
export class Failure extends Error {
  /** The original error. A thrown non-Error is wrapped in `NonErrorThrownError`. */
  readonly value: Error;

  constructor(error: unknown) {
    const value = error instanceof Error ? error : new NonErrorThrownError(error);
    super(value.message, { cause: value });
    this.name = 'Failure';
    this.value = value;
    this.stack = value.stack;
  }

  /**
   * Wraps `error` in a Failure, or returns it as it is when it is one already.
   *
   * @example
   * ```ts
   * Failure.from(new Error('x')).value.message; // 'x'
   * ```
   */
  static from(error: unknown): Failure {
    return error instanceof Failure ? error : new Failure(error);
  }

  /** The class of the original error. */
  get type(): Function {
    return this.value.constructor;
  }

  /**
   * The first of `types` that `value` is an instance of, or `undefined`.
   *
   * @example
   * ```ts
   * if (failure.check(ConnectionDone, ConnectionLost)) reconnect();
   * ```
   */
  check<E extends Error>(...types: ErrorType<E>[]): ErrorType<E> | undefined {
    for (const type of types) if (this.value instanceof type) return type;
    return undefined;
  }

  /**
   * Like `check`, but when no type matches it throws this Failure, so an errback that traps
   * passes every other failure on down the chain unchanged.
   *
   * @throws this Failure, when `value` is none of `types`.
   * @example
   * ```ts
   * d.addErrback(f => { f.trap(CancelledError); return undefined; });
   * ```
   */
  trap<E extends Error>(...types: ErrorType<E>[]): ErrorType<E> {
    const type = this.check(...types);
    if (type === undefined) throw this;
    return type;
  }

  /** `"Name: message"` of the original error. */
  getErrorMessage(): string {
    return `${this.value.name}: ${this.value.message}`;
  }

  /** The original error's stack, readable as it is (Twisted's `getTraceback`). */
  getTraceback(): string {
    return this.value.stack ?? this.getErrorMessage();
  }

  override toString(): string {
    return `[Failure ${this.getErrorMessage()}]`;
  }
}
