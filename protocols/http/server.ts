/**
 * `httpServer`: HTTP/1.1 as a protocol that `listen` runs: each connection's bytes become
 * requests for a handler, and the handler's responses bytes again, with keep-alive, pipelining,
 * `100 Continue`, timeouts on the reactor's clock, an access log stream and graceful draining.
 *
 * @module
 */
import { type Observable, type Observer, Subject } from 'rxjs';
import { count, seconds } from '../../source/_option-checks.js';
import { turnOptions } from '../../source/_turn-budget.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import type { CooperatorScheduler } from '../../source/cooperate.js';
import { Logger } from '../../source/log.js';
import type { Protocol } from '../../source/protocol.js';
import { reactor } from '../../source/reactor.js';
import { DateField } from './_date-field.js';
import { ServerConnection, type ServerSettings } from './_server-connection.js';
import type { AccessLogRecord } from './access-log.js';
import type { RequestParserOptions } from './parse-request.js';
import type { HttpRequest } from './request.js';
import type { HttpResponse } from './response.js';

/**
 * What answers requests: a function from a request to a response, returned as it is, as a
 * promise, or as a Deferred. A throw or a rejection answers 500 (no detail goes to the client)
 * and is logged on `logRecords$` (namespace `spindle.http.server`) with the request and the peer;
 * an `HttpParseError` thrown on answers its own status instead, and a `BodyTooLargeError` (from
 * reading a body over `maxBodyBytes`) answers 413.
 *
 * @example
 * ```ts
 * const hello: HttpHandler = (request) =>
 *   request.path === '/' ? { body: 'hello world\n' } : { status: 404, body: 'not found\n' };
 * ```
 */
export type HttpHandler = (request: HttpRequest) => HttpResponse | PromiseLike<HttpResponse>;

/**
 * Options of `httpServer`. Times are in seconds, on `clock`.
 *
 * @example
 * ```ts
 * const app = httpServer(handler, { idleTimeout: 15, maxBodyBytes: 10 * 1024 * 1024, parser: { maxHeaderBytes: 8192 } });
 * ```
 */
export interface HttpServerOptions {
  /** The clock timeouts run on, and the `Date` header reads. Default the reactor. */
  clock?: ReactorTime;
  /**
   * The longest a request head may take to arrive, from its first byte (and, on a new connection,
   * from the connection): against slowloris. Past it, 408 and close. Default 30.
   */
  headerTimeout?: number;
  /** How long a keep-alive connection may sit idle between requests before it is closed. Default 5. */
  idleTimeout?: number;
  /**
   * The longest pause between two bytes of a request body while the server waits for them. Time
   * the server itself holds the body back does not count: the handler not reading it, or the
   * connection's write buffer full because the client does not read what it is sent (a streamed
   * echo). Past it, the body errors with TimeoutError, the answer is 408 (or, once an answer has
   * begun, the connection is cut) and the connection closes. Default 30.
   */
  bodyTimeout?: number;
  /**
   * The longest the client may take, in all, to send one request's head and body (node:http's
   * `requestTimeout`): against a client that keeps a body alive with a byte now and then. Time
   * the server itself holds the body back (backpressure, a full write buffer, a `100 Continue` not
   * sent yet) does not count. Past it, 408 and close. Default 300.
   */
  requestTimeout?: number;
  /**
   * The most bytes `text()`, `json()`, `arrayBuffer()` and `bytes()` read; a longer body makes
   * them fail with BodyTooLargeError, answered 413 (without `100 Continue`, when its length is
   * declared).
   * Streamed bodies have no limit but `parser.maxBodyBytes`. Default 1 MiB.
   */
  maxBodyBytes?: number;
  /**
   * The most requests of one connection taken but not answered yet (pipelining); past it, the
   * connection is not read until the oldest is answered. Nor is a request taken while the
   * connection's write buffer is full (a client that pipelines and does not read). Default 16.
   */
  maxPipelined?: number;
  /**
   * Requests of one connection taken per read and per turn of the event loop: the rest of a
   * pipelined flood waits, the connection unread, for the next turns. Default 64.
   */
  requestsPerTurn?: number;
  /** Runs a connection's next turn of requests. Default `work => clock.callLater(0, work)`. */
  scheduler?: CooperatorScheduler;
  /** The request parser's limits (request line, header section, body, chunk line). */
  parser?: RequestParserOptions;
  /** Also sends each access log record here: an Observer (a Subject) or a function. */
  accessLog?: Observer<AccessLogRecord> | ((record: AccessLogRecord) => void);
}

/**
 * An HTTP server: a request/response protocol for `listen` (it keeps connections writable after
 * the client's FIN, so a client that half-closes after its request still gets the answer, and
 * each connection drains gracefully when the server closes), with its access log.
 *
 * @example
 * ```ts
 * const app = httpServer(handler);
 * app.accessLog$.subscribe((record) => console.log(formatAccessLog(record)));
 * const server = listen('tcp:8080', app);
 * ```
 */
export interface HttpServer extends Protocol {
  readonly name: 'http';
  readonly halfClose: true;
  /**
   * A record for each exchange once it is over (answered, or given up on), while subscribed:
   * method, target, status, body bytes, time, duration, peer.
   */
  readonly accessLog$: Observable<AccessLogRecord>;
  /** Serves HTTP on one connection; the session drains (answers what it took, then closes) when the server closes. */
  serve(connection: Connection): ServerConnection;
}

const log = new Logger('spindle.http.server');

/**
 * Serves HTTP/1.1 with `handler`, as a protocol: `listen('tcp:8080', httpServer(handler))`.
 *
 * Each connection's bytes are parsed into requests (strictly: see `RequestParser`); each request
 * goes to the handler as soon as its head is in, its body following as a stream with
 * backpressure. Responses go out in request order: `Content-Length` when the body's size is known,
 * chunked otherwise (to HTTP/1.0 clients: until close), a `Date` header, nothing for HEAD, 204 and
 * 304 but the same headers, and the responses to pipelined requests that are ready together in one
 * write. Keep-alive follows RFC 9112 (HTTP/1.1 unless `Connection: close`; HTTP/1.0 with
 * `Connection: keep-alive`). Bad input gets its status (400, 408, 413, 414, 431, 501, 505) and
 * `Connection: close` after the answers to the requests before it; a body cut short errors its
 * stream and never looks complete. Only that connection suffers; an exception in the handler
 * answers 500 and the connection goes on. What a client sends once no more of its requests are
 * taken (after a 431, say) is read and dropped, for at most `idleTimeout` after the last answer
 * and at most 64 KiB: then the connection closes (and stops being read while that answer is not
 * out yet), so a flood costs a bounded read.
 *
 * When the server closes (or the reactor shuts down), each connection drains: idle ones close at
 * once, busy ones after answering the requests they have taken (the last answer says
 * `Connection: close`); the server's grace period bounds it all.
 *
 * ```text
 * client:   GET /a ─ GET /b ─────────────── (pipelined)
 * handler:    a────────┐  b──┐               (b answers first)
 * wire out: ───────────[200 a][200 b]──────  (in request order)
 * ```
 *
 * @throws RangeError for an option out of range.
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { httpServer, respond } from 'spindle/protocols/http';
 *
 * const app = httpServer(async (request) => {
 *   if (request.method === 'POST' && request.path === '/echo') return { body: request.body };
 *   return request.path === '/' ? respond(200, 'hello world\n') : respond(404, 'not found\n');
 * });
 * listen('tcp:8080', app);
 * ```
 */
export function httpServer(handler: HttpHandler, options: HttpServerOptions = {}): HttpServer {
  const clock = options.clock ?? reactor;
  const records = new Subject<AccessLogRecord>();
  const extra = options.accessLog;
  const deliver =
    extra === undefined
      ? (record: AccessLogRecord) => records.next(record)
      : typeof extra === 'function'
        ? (record: AccessLogRecord) => {
            extra(record);
            records.next(record);
          }
        : (record: AccessLogRecord) => {
            extra.next(record);
            records.next(record);
          };
  const settings: ServerSettings = {
    handler,
    clock,
    date: new DateField(clock),
    headerTimeout: seconds('headerTimeout', options.headerTimeout, 30),
    idleTimeout: seconds('idleTimeout', options.idleTimeout, 5),
    bodyTimeout: seconds('bodyTimeout', options.bodyTimeout, 30),
    requestTimeout: seconds('requestTimeout', options.requestTimeout, 300),
    maxBodyBytes: count('maxBodyBytes', options.maxBodyBytes, 1024 * 1024),
    maxPipelined: count('maxPipelined', options.maxPipelined, 16),
    turns: turnOptions('requestsPerTurn', options.requestsPerTurn, clock, options.scheduler),
    parser: options.parser ?? {},
    accessLog: () => (extra !== undefined || records.observed ? deliver : undefined),
    report(request, peer, error, status) {
      const what = request === undefined ? 'a request' : `${request.method} ${request.target}`;
      const fields = { peer, method: request?.method, target: request?.target, status };
      if (status === 0) {
        log.error(`the response to ${what} from ${peer} failed after it started`, { error, fields });
      } else if (status >= 500) {
        log.error(`the handler failed on ${what} from ${peer}`, { error, fields });
      } else {
        log.info(`answered ${what} from ${peer} with ${status}: ${(error as Error)?.message ?? error}`, {
          error,
          fields,
        });
      }
    },
  };
  return {
    name: 'http',
    halfClose: true,
    accessLog$: records.asObservable(),
    serve(connection) {
      const session = new ServerConnection(settings, connection);
      session.start();
      return session;
    },
  };
}
