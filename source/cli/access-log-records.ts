/**
 * The web access log as log records: each request an HTTP server answers becomes an `info`
 * record of `spindle.web.access` whose message is its Combined Log Format line.
 *
 * @module
 */
import { type AccessLogRecord, formatAccessLog } from '../../protocols/http/access-log.js';
import { Logger } from '../log.js';
import { accessLogNamespace } from './log-output.js';

const log = new Logger(accessLogNamespace);

/**
 * Logs `record` (an `httpServer`'s `accessLog` option takes this function): the Combined Log
 * Format line as the message, the record's fields beside it for JSON lines.
 *
 * @example
 * ```ts
 * listen('tcp:8080', httpServer(site, { accessLog: logAccess }));
 * ```
 */
export function logAccess(record: AccessLogRecord): void {
  log.info(formatAccessLog(record), { fields: { ...record } });
}
