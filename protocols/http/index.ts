/**
 * `spindle/protocols/http`: HTTP/1.1 (RFC 9112). The sans-I/O codec: `RequestParser` and
 * `ResponseParser` turn bytes into head, body and end events, strictly enough that requests
 * cannot be smuggled past them; `writeRequestHead`, `writeResponseHead`, `encodeChunk` and
 * `encodeLastChunk` turn heads and bodies back into bytes; `HttpHeaders` keeps fields as the wire
 * had them. On them: the client (`Agent`, `request`: Twisted's Agent, with a keep-alive
 * `ConnectionPool` from `spindle`) and the server (`httpServer`).
 *
 * @example
 * ```ts
 * import { RequestParser, writeResponseHead } from 'spindle/protocols/http';
 *
 * const parser = new RequestParser();
 * for (const event of parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))) {
 *   if (event.type === 'end') {
 *     connection.write(writeResponseHead({ status: 200 }, { kind: 'length', length: 2 }));
 *     connection.write(Buffer.from('ok'));
 *   }
 * }
 * ```
 * @module
 */
export { type AccessLogRecord, formatAccessLog } from './access-log.js';
export { Agent, type AgentOptions, type RequestBodyInit, type RequestOptions, request } from './client.js';
export {
  ClientResponse,
  type ClientResponseBody,
  ContentDecodingError,
  type DiscardOptions,
  type ReadBodyOptions,
  TooManyRedirectsError,
} from './client-response.js';
export { HttpHeaders, type HttpHeadersInit } from './headers.js';
export { type HttpErrorStatus, HttpParseError, HttpTruncatedError } from './http-error.js';
export type {
  BodyEvent,
  BodyFraming,
  EndEvent,
  HeadEvent,
  HttpParserLimits,
  HttpVersion,
  ParseEvent,
  RequestHead,
  RequestHeadInit,
  ResponseHead,
  ResponseHeadInit,
} from './message.js';
export { RequestParser, type RequestParserOptions } from './parse-request.js';
export { ResponseParser, type ResponseParserOptions } from './parse-response.js';
export type { HttpRequest, RequestBody } from './request.js';
export {
  type HttpResponse,
  type ProtocolUpgrade,
  type ResponseBody,
  type ResponseTrailers,
  respond,
} from './response.js';
export { type HttpHandler, type HttpServer, type HttpServerOptions, httpServer } from './server.js';
export { encodeChunk, encodeLastChunk, writeRequestHead } from './write-request.js';
export { writeResponseHead } from './write-response.js';
