/**
 * Logging as a stream (Twisted's `twisted.logger`): every record goes to `logRecords$`, which a
 * program subscribes to and formats as it likes. While nobody subscribes, warnings and errors are
 * written to `console.error` so they are never lost silently.
 *
 * @example
 * ```ts
 * import { logRecords$, Logger } from 'spindle';
 * logRecords$.subscribe(r => console.log(r.level, r.namespace, r.message));
 * new Logger('my.app').info('started');
 * ```
 * @module
 */
import { type Observable, Subject } from 'rxjs';
import { SpindleError } from './errors.js';
import { Failure } from './failure.js';

/** How serious a log record is. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One log record. */
export interface LogRecord {
  readonly level: LogLevel;
  /** Who logged it: a dotted name such as `spindle.deferred` or `spindle.http.server`. */
  readonly namespace: string;
  readonly message: string;
  /** The error (or Failure) the record is about, if any. */
  readonly error?: unknown;
  /** Extra structured fields (a connection's peer, a request's method …). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Wall-clock time of the record, in seconds since the epoch. */
  readonly time: number;
}

const records = new Subject<LogRecord>();

/**
 * Every log record Spindle and its users emit, as a hot stream.
 *
 * @example
 * ```ts
 * logRecords$.pipe(filter(r => r.level === 'error')).subscribe(r => alert(r.message));
 * ```
 */
export const logRecords$: Observable<LogRecord> = records.asObservable();

/**
 * Publishes a record to `logRecords$` (or to `console.error` for warnings and errors while nobody
 * listens: one line, and the stack under it unless the error is a Spindle error, whose message
 * says what and where).
 *
 * @example
 * ```ts
 * publishLog({ level: 'info', namespace: 'app', message: 'hi', time: Date.now() / 1000 });
 * ```
 */
export function publishLog(record: LogRecord): void {
  if (records.observed) {
    records.next(record);
  } else if (record.level === 'warn' || record.level === 'error') {
    const stack = failureStack(record.error);
    console.error(
      `[${record.namespace}] ${record.level}: ${record.message}${stack === undefined ? '' : `\n${stack}`}`,
    );
  }
}

/**
 * The stack to print under a record about `error`: none (`undefined`) for a Spindle error (a
 * condition with a type and a message that says it all: an address in use, a refused
 * connection), the stack for anything else (a bug: a TypeError in a handler).
 *
 * @example
 * ```ts
 * failureStack(new ConnectionRefusedError('refused')); // undefined
 * failureStack(new TypeError('x is undefined'));      // 'TypeError: x is undefined\n    at …'
 * ```
 */
export function failureStack(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  const value = error instanceof Failure ? error.value : error;
  if (value instanceof SpindleError) return undefined;
  return String((value as Error)?.stack ?? value);
}

/**
 * A named source of log records.
 *
 * @example
 * ```ts
 * const log = new Logger('spindle.http.server');
 * log.error('handler failed', { error, fields: { peer: '127.0.0.1:5000' } });
 * ```
 */
export class Logger {
  constructor(readonly namespace: string) {}

  /** Emits a record at `level`. */
  emit(
    level: LogLevel,
    message: string,
    extra?: { error?: unknown; fields?: Record<string, unknown> },
  ): void {
    publishLog({ level, namespace: this.namespace, message, ...extra, time: Date.now() / 1000 });
  }

  /** Emits a debug record. */
  debug(message: string, extra?: { error?: unknown; fields?: Record<string, unknown> }): void {
    this.emit('debug', message, extra);
  }

  /** Emits an info record. */
  info(message: string, extra?: { error?: unknown; fields?: Record<string, unknown> }): void {
    this.emit('info', message, extra);
  }

  /** Emits a warning record. */
  warn(message: string, extra?: { error?: unknown; fields?: Record<string, unknown> }): void {
    this.emit('warn', message, extra);
  }

  /** Emits an error record. */
  error(message: string, extra?: { error?: unknown; fields?: Record<string, unknown> }): void {
    this.emit('error', message, extra);
  }
}
