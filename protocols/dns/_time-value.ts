/**
 * Time values as zone files write them: seconds (`3600`) or BIND's units (`1h`, `2d`, `1w3d`,
 * `1h30m`), for TTLs and the SOA's timers.
 *
 * @module
 */
import { RecordSyntaxError } from './zone-error.js';

/** The largest TTL (RFC 2181 section 8: 2^31 - 1). */
export const maxTtl = 0x7fffffff;

const unitSeconds: Readonly<Record<string, number>> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/**
 * The seconds `text` stands for, at most `max`.
 *
 * @throws RecordSyntaxError for anything but digits with optional units, or a value over `max`.
 * @example
 * ```ts
 * timeValue('1w3d', maxTtl); // 864000
 * ```
 */
export function timeValue(text: string, max: number, what = 'TTL'): number {
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else if (/^(\d+[wdhms])+$/i.test(text)) {
    seconds = 0;
    for (const [, count, unit] of text.matchAll(/(\d+)([wdhms])/gi)) {
      seconds += Number(count) * (unitSeconds[(unit as string).toLowerCase()] as number);
    }
  } else {
    throw new RecordSyntaxError(`bad ${what} "${text}"`);
  }
  if (seconds > max) throw new RecordSyntaxError(`${what} ${text} out of range (at most ${max})`);
  return seconds;
}

/**
 * Whether `text` is written as a time value (starts with a digit), as opposed to a class or a
 * type: how a zone file's optional TTL is told apart.
 *
 * @example
 * ```ts
 * looksLikeTime('1h'); // true
 * looksLikeTime('IN'); // false
 * ```
 */
export function looksLikeTime(text: string): boolean {
  return /^\d/.test(text);
}
