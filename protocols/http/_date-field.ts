/**
 * `DateField`: the `Date` header line of a response, made once per second of a clock.
 * Private to protocols/http.
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';

/**
 * The `Date: <IMF-fixdate>\r\n` line for the clock's current second (RFC 9110 §6.6.1), cached
 * until the second changes, so a busy server formats a date once a second rather than per
 * response (as node:http does).
 *
 * @example
 * ```ts
 * const date = new DateField(new Clock());
 * date.line(); // 'Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n'
 * ```
 */
export class DateField {
  private _second = Number.NaN;
  private _line = '';

  constructor(private readonly _clock: ReactorTime) {}

  /** The header line, CRLF included. */
  line(): string {
    const second = Math.floor(this._clock.seconds());
    if (second !== this._second) {
      this._second = second;
      this._line = `Date: ${new Date(second * 1000).toUTCString()}\r\n`;
    }
    return this._line;
  }
}
