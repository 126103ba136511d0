/**
 * Reading a parsed command line's values with their checks: each bad value is a `UsageError`
 * that names the option and says what it takes.
 *
 * @module
 */
import type { OptionValues } from './command.js';
import { UsageError } from './usage-error.js';

/**
 * The value of the string option `name`, or `fallback`.
 *
 * @example
 * ```ts
 * const root = text(values, 'root', '.');
 * ```
 */
export function text(values: OptionValues, name: string, fallback: string): string;
export function text(values: OptionValues, name: string): string | undefined;
export function text(values: OptionValues, name: string, fallback?: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : fallback;
}

/**
 * The values of the repeatable option `name` (an empty list when absent), or `fallback` when absent.
 *
 * @example
 * ```ts
 * const endpoints = texts(values, 'listen', ['tcp:8080:interface=127.0.0.1']);
 * ```
 */
export function texts(
  values: OptionValues,
  name: string,
  fallback: readonly string[] = [],
): readonly string[] {
  const value = values[name];
  return Array.isArray(value) && value.length > 0 ? value : fallback;
}

/**
 * Whether the flag `name` was given.
 *
 * @example
 * ```ts
 * if (flag(values, 'anonymous-write')) anonymous = 'write';
 * ```
 */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/**
 * The string option `name`, which the command cannot do without.
 *
 * @throws UsageError when it is missing.
 * @example
 * ```ts
 * const maildir = required(values, 'maildir', 'DIR');
 * ```
 */
export function required(values: OptionValues, name: string, placeholder: string): string {
  const value = text(values, name);
  if (value === undefined) throw new UsageError(`--${name} ${placeholder} is required`);
  return value;
}

/**
 * The option `name` as a number within `min`…`max` (a whole one unless `fraction`), or `fallback`.
 *
 * @throws UsageError naming the option when the value is not such a number.
 * @example
 * ```ts
 * const grace = numberValue(values, 'grace', { min: 0, max: 3600, fraction: true }, 10);
 * ```
 */
export function numberValue(
  values: OptionValues,
  name: string,
  range: { readonly min: number; readonly max: number; readonly fraction?: boolean },
  fallback: number,
): number {
  const given = text(values, name);
  if (given === undefined) return fallback;
  const value = given.trim() === '' ? Number.NaN : Number(given);
  const whole = range.fraction === true || Number.isInteger(value);
  if (!Number.isFinite(value) || !whole || value < range.min || value > range.max) {
    const kind = range.fraction === true ? 'a number' : 'a whole number';
    throw new UsageError(
      `--${name} takes ${kind} from ${range.min} to ${range.max}, not ${JSON.stringify(given)}`,
    );
  }
  return value;
}

/**
 * The repeatable option `name` as `left<separator>right` pairs (`name:password`,
 * `PREFIX=URL`), split at the first separator; neither side may be empty.
 *
 * @throws UsageError naming the option and the shape it takes.
 * @example
 * ```ts
 * pairs(values, 'user', ':', 'name:password'); // [['alice', 's3cret']]
 * ```
 */
export function pairs(
  values: OptionValues,
  name: string,
  separator: string,
  shape: string,
): readonly (readonly [string, string])[] {
  return texts(values, name).map((pair) => {
    const at = pair.indexOf(separator);
    if (at <= 0 || at === pair.length - 1) {
      throw new UsageError(`--${name} takes ${shape}, not ${JSON.stringify(pair)}`);
    }
    return [pair.slice(0, at), pair.slice(at + separator.length)] as const;
  });
}

/**
 * The option `name` as one of `choices`, or `fallback`.
 *
 * @throws UsageError listing the choices.
 * @example
 * ```ts
 * const format = choice(values, 'log-format', ['text', 'json'], 'text');
 * ```
 */
export function choice<T extends string>(
  values: OptionValues,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const given = text(values, name);
  if (given === undefined) return fallback;
  if (!(choices as readonly string[]).includes(given)) {
    throw new UsageError(`--${name} takes ${choices.join(', ')}, not ${JSON.stringify(given)}`);
  }
  return given as T;
}
