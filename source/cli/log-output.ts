/**
 * How the `spindle` command writes the log stream: human-readable lines or JSON lines, from a
 * level up, to standard error (standard output carries only `listening on` lines and what a
 * command prints for the user).
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import { Failure } from '../failure.js';
import { failureStack, type LogLevel, type LogRecord, logRecords$ } from '../log.js';

/** The two shapes of a log line: `text` for people, `json` for programs. */
export type LogFormat = 'text' | 'json';

/** The log levels, least serious first. */
export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * The namespace of the web access log. Its records' message is the request in the Combined Log
 * Format (what Apache, nginx and Twisted write), and text lines show that message alone.
 */
export const accessLogNamespace = 'spindle.web.access';

/** The error a record is about, unwrapped from its Failure. */
function errorOf(record: LogRecord): unknown {
  return record.error instanceof Failure ? record.error.value : record.error;
}

/**
 * A record as one human-readable line (level, time, system, message), with the stack under it
 * when the error is a bug rather than an expected condition. An access log record is its
 * Combined Log Format line alone.
 *
 * @example
 * ```ts
 * formatTextRecord({ level: 'info', namespace: 'spindle.reactor', message: 'SIGTERM: shutting down', time: 0 });
 * // 'INFO  1970-01-01T00:00:00.000Z [spindle.reactor] SIGTERM: shutting down'
 * ```
 */
export function formatTextRecord(record: LogRecord): string {
  if (record.namespace === accessLogNamespace) return record.message;
  const time = new Date(record.time * 1000).toISOString();
  const line = `${record.level.toUpperCase().padEnd(5)} ${time} [${record.namespace}] ${record.message}`;
  const error = errorOf(record);
  if (error === undefined) return line;
  const stack = failureStack(error);
  const reason = error instanceof Error ? error.message : String(error);
  const said = reason !== '' && record.message.includes(reason);
  return stack === undefined ? (said ? line : `${line}: ${reason}`) : `${line}\n${stack}`;
}

/** A field's value as JSON can hold it: kept if it serialises, else its text. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return String(value);
  if (typeof value !== 'object' || value === null) return value;
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return String(value);
  }
}

/**
 * A record as one JSON object, with stable field names: `time` (ISO 8601), `level`, `system`,
 * `message`, `pid`, then `error` (`{ type, code?, message, stack? }`, the stack only for a bug)
 * and `fields` when the record has them.
 *
 * @example
 * ```ts
 * JSON.parse(formatJsonRecord(record)).system; // 'spindle.http.server'
 * ```
 */
export function formatJsonRecord(record: LogRecord): string {
  const error = errorOf(record);
  const stack = failureStack(error);
  const described =
    error === undefined
      ? undefined
      : error instanceof Error
        ? {
            type: error.name,
            ...((error as { code?: unknown }).code !== undefined && {
              code: (error as { code?: unknown }).code,
            }),
            message: error.message,
            ...(stack !== undefined && { stack }),
          }
        : { type: typeof error, message: String(error) };
  return JSON.stringify({
    time: new Date(record.time * 1000).toISOString(),
    level: record.level,
    system: record.namespace,
    message: record.message,
    pid: process.pid,
    ...(described !== undefined && { error: described }),
    ...(record.fields !== undefined && {
      fields: Object.fromEntries(Object.entries(record.fields).map(([key, value]) => [key, jsonSafe(value)])),
    }),
  });
}

/** Options of `writeLogRecords`. */
export interface LogOutputOptions {
  readonly format: LogFormat;
  /** The least serious level written. */
  readonly level: LogLevel;
  /** Where the lines go. Default: standard error. */
  readonly write?: (line: string) => void;
}

/**
 * Writes every log record from `level` up, one line each in `format`, until unsubscribed.
 *
 * @example
 * ```ts
 * const output = writeLogRecords({ format: 'json', level: 'info' });
 * // …
 * output.unsubscribe();
 * ```
 */
export function writeLogRecords(options: LogOutputOptions): Subscription {
  const least = logLevels.indexOf(options.level);
  const format = options.format === 'json' ? formatJsonRecord : formatTextRecord;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  return logRecords$.subscribe((record) => {
    if (logLevels.indexOf(record.level) >= least) write(format(record));
  });
}
