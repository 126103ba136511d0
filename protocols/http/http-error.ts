/**
 * `HttpParseError`, thrown by the HTTP/1.1 parsers at the first byte that breaks RFC 9112 or a
 * limit, and `HttpTruncatedError`, thrown when the input ends in the middle of a message.
 *
 * @module
 */
import { ProtocolError } from '../../source/errors.js';

/** The status a server answers a refused request with. */
export type HttpErrorStatus = 400 | 413 | 414 | 431 | 501 | 505;

/**
 * A message broke HTTP/1.1's syntax or one of the parser's limits. `status` (also the error's
 * `protocolCode`) is what a server answers with before it closes the connection: 400 for bad
 * syntax and for framing that could smuggle a request, 413 for a body over `maxBodyBytes`, 414 for
 * a request line over `maxRequestLine`, 431 for a header (or trailer) section over its limits, 501
 * for a transfer coding the parser does not implement, 505 for an HTTP version other than 1.x. The
 * message names what was wrong and where.
 *
 * A client's `ResponseParser` throws the same class; the status then only classifies the fault.
 *
 * @example
 * ```ts
 * try { parser.push(bytes, events); }
 * catch (e) { if (e instanceof HttpParseError) reply(e.status, e.message); }
 * ```
 */
export class HttpParseError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_HTTP_PARSE';
  /** The status to answer with. */
  readonly status: HttpErrorStatus;

  constructor(status: HttpErrorStatus, message: string, options?: ErrorOptions) {
    super(message, { ...options, protocolCode: status });
    this.status = status;
  }
}

/**
 * The input ended (the peer closed its side) in the middle of a message: its head, or its body
 * before the declared length or the last chunk. The message's `end` event was never emitted, so
 * nothing treats the partial body as complete. A server usually just closes; `status` is 400 for
 * one that answers.
 *
 * @example
 * ```ts
 * try { parser.end(); } catch (e) { if (e instanceof HttpTruncatedError) connection.close(); }
 * ```
 */
export class HttpTruncatedError extends HttpParseError {
  static override readonly code: string = 'SPINDLE_HTTP_TRUNCATED';

  constructor(message: string) {
    super(400, message);
  }
}
