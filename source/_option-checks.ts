/**
 * Checks of the numeric options servers take: a number of seconds, a count.
 *
 * @module
 */

/**
 * `value` (or `fallback` when it is not given), a positive number of seconds.
 *
 * @throws RangeError for a value that is not a positive number.
 * @example
 * ```ts
 * const idle = seconds('idleTimeout', options.idleTimeout, 300);
 * ```
 */
export function seconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number of seconds, not ${value}`);
  return value;
}

/**
 * `value` (or `fallback` when it is not given), a positive whole number or infinity.
 *
 * @throws RangeError for anything else.
 * @example
 * ```ts
 * const max = count('maxConnections', options.maxConnections, 1000);
 * ```
 */
export function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value > 0) && value !== Number.POSITIVE_INFINITY) {
    throw new RangeError(`${name} must be a positive whole number, not ${value}`);
  }
  return value;
}
