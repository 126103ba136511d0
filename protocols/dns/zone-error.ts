/**
 * The errors of zone data: record data that cannot be read from its presentation form
 * (`RecordSyntaxError`), a zone whose records break a rule of the DNS (`ZoneError`), and a zone
 * file refused at a line (`ZoneFileError`).
 *
 * @module
 */
import { SpindleError } from '../../source/errors.js';

/**
 * Record data in presentation form that cannot be read: a bad IPv4 or IPv6 address, a number out
 * of range, a string over 255 octets, a missing or extra field, a bad name. `index` is the data
 * token at fault, when one is.
 *
 * @example
 * ```ts
 * try { parseRecordData('A', [{ text: '300.1.1.1', quoted: false }], 'example.test'); }
 * catch (e) { if (e instanceof RecordSyntaxError) console.log(e.message); } // bad IPv4 address "300.1.1.1"
 * ```
 */
export class RecordSyntaxError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DNS_RECORD_SYNTAX';
  /** The position of the data token at fault among those given, when one is. */
  readonly index: number | undefined;

  constructor(message: string, index?: number) {
    super(message);
    this.index = index;
  }
}

/**
 * A zone whose records break a rule: no SOA, an SOA below the apex or a second one, a name outside
 * the zone, a CNAME beside other data (RFC 2181 section 10.1) or a second CNAME, a TTL out of
 * range, a class other than IN; also a name asked of a zone that does not hold it, and two zones
 * with one origin given to an `Authority`. `owner` is the name at fault.
 *
 * @example
 * ```ts
 * try { new Zone(records); } catch (e) { if (e instanceof ZoneError) console.log(e.owner, e.reason); }
 * ```
 */
export class ZoneError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DNS_ZONE';
  /** What is wrong, without the owner name. */
  readonly reason: string;
  /** The owner name at fault (the origin for a problem of the whole zone). */
  readonly owner: string;

  constructor(owner: string, reason: string) {
    super(`${owner || '.'}: ${reason}`);
    this.owner = owner;
    this.reason = reason;
  }
}

/**
 * A zone file refused: its message is `<file>:<line>: <reason>`, as compilers and BIND's
 * `named-checkzone` write them. The same rules as `ZoneError`, plus the file's own syntax: an
 * unknown type or class, bad record data, unbalanced parentheses or quotes, an unknown directive.
 *
 * @example
 * ```ts
 * loadZoneFile('db.example').addErrback((f) => {
 *   f.trap(ZoneFileError);
 *   const error = f.value as ZoneFileError;
 *   console.error(error.file, error.line, error.reason);
 * });
 * ```
 */
export class ZoneFileError extends SpindleError {
  static override readonly code: string = 'SPINDLE_DNS_ZONE_FILE';
  /** The file, as named to the parser (`<zone>` when it was given text without a name). */
  readonly file: string;
  /** The line, counting from 1; 0 when the fault is the whole file's (no SOA, too big), and the message names no line. */
  readonly line: number;
  /** What is wrong there. */
  readonly reason: string;

  constructor(file: string, line: number, reason: string, options?: ErrorOptions) {
    super(line === 0 ? `${file}: ${reason}` : `${file}:${line}: ${reason}`, options);
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
