/**
 * The HTTP server's access log: one record per request answered (or given up on), as a stream a
 * program subscribes to, and `formatAccessLog`, which renders a record in the Combined Log Format
 * that Apache, nginx and Twisted's `combinedLogFormatter` write.
 *
 * @module
 */

/**
 * One request and what became of it. Times are in seconds on the server's clock (the reactor's
 * wall-clock time, or a test's virtual `Clock`).
 *
 * @example
 * ```ts
 * const server = httpServer(app);
 * server.accessLog$.subscribe((record: AccessLogRecord) => console.log(record.status, record.duration));
 * ```
 */
export interface AccessLogRecord {
  /** The request method, or `-` when the request could not be parsed. */
  readonly method: string;
  /** The request target as sent, or `-` when the request could not be parsed. */
  readonly target: string;
  /** The request's HTTP version, or `-` when the request could not be parsed. */
  readonly version: string;
  /** The response status sent, or 0 when the connection closed before any was. */
  readonly status: number;
  /** The response body bytes sent (the head not counted), as Common Log Format counts them. */
  readonly bytes: number;
  /** When the request head was read (or the error found), in clock seconds. */
  readonly time: number;
  /** Seconds from then until the response's last byte was queued (or the exchange was given up). */
  readonly duration: number;
  /** The peer's address, as `formatAddress` writes it (`127.0.0.1:50312`). */
  readonly peer: string;
  /** Whether the whole response was sent; false when the connection closed or failed first. */
  readonly completed: boolean;
  /** The request's `Referer` header, if it had one. */
  readonly referer?: string;
  /** The request's `User-Agent` header, if it had one. */
  readonly userAgent?: string;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `"value"` with quotes and backslashes escaped, or `"-"` when absent. */
function quoted(value: string | undefined): string {
  return value === undefined ? '"-"' : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Renders a record as a Combined Log Format line (no newline at the end): peer host, `-`, `-`,
 * the time in brackets (UTC), the quoted request line, status, body bytes, referer and user agent.
 *
 * @example
 * ```ts
 * server.accessLog$.subscribe((record) => console.log(formatAccessLog(record)));
 * // 127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/7.88.1"
 * ```
 */
export function formatAccessLog(record: AccessLogRecord): string {
  const at = new Date(record.time * 1000);
  const when =
    `${two(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:` +
    `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
  const host = record.peer.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const line = record.method === '-' ? '-' : `${record.method} ${record.target} HTTP/${record.version}`;
  return `${host} - - [${when}] ${quoted(line)} ${record.status || '-'} ${record.bytes || '-'} ${quoted(record.referer)} ${quoted(record.userAgent)}`;
}
