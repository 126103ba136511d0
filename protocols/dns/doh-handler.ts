/**
 * `dohHandler`: DNS over HTTPS (RFC 8484) as an HTTP handler that mounts on Spindle's HTTP
 * server: `GET ?dns=<base64url>` and `POST` with `Content-Type: application/dns-message`.
 *
 * @module
 */

import type { HttpRequest } from '../http/request.js';
import { type HttpResponse, respond } from '../http/response.js';
import type { HttpHandler } from '../http/server.js';
import { decodeMessage } from './decode-message.js';
import type { Message } from './message.js';
import type { DnsServer } from './server.js';

/** The media type of a DNS message (RFC 8484 section 6). */
export const dnsMessageType = 'application/dns-message';

/** The largest DNS message: what TCP and DoH can carry. */
const maxMessage = 65_535;

/**
 * An HTTP handler answering DNS queries with `server`. GET takes the query in the `dns`
 * parameter (base64url, unpadded); POST in the body. Answers are `200 application/dns-message`
 * with `Cache-Control: max-age` set to the smallest TTL in the answer (RFC 8484 section 5.1);
 * a missing or unreadable query gets 400, another media type 415, another method 405 (with
 * `Allow`), a body over 65,535 bytes 413.
 *
 * @example
 * ```ts
 * const dns = dohHandler(dnsServer({ zones: [zone] }));
 * listen('tls:8443:certKey=cert.pem:privateKey=key.pem', httpServer((request) =>
 *   request.path === '/dns-query' ? dns(request) : respond(404, 'not found\n')));
 * ```
 */
export function dohHandler(server: DnsServer): HttpHandler {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const query = await queryOf(request);
    if (query.kind === 'refused') return problem(query.status, query.reason);
    const answer = await server.respond(query.bytes, maxMessage);
    if (answer === undefined) return problem(400, 'not a DNS query');
    return respond(200, answer, {
      'content-type': dnsMessageType,
      'cache-control': `max-age=${freshFor(decodeMessage(answer))}`,
    });
  };
}

/** The query a request carries, or the status and reason it is refused with. */
type IncomingQuery =
  | { readonly kind: 'query'; readonly bytes: Uint8Array }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: string };

const tooLarge = 'a DNS message is at most 65535 bytes';

async function queryOf(request: HttpRequest): Promise<IncomingQuery> {
  if (request.method === 'GET' || request.method === 'HEAD') {
    const encoded = request.url.searchParams.get('dns');
    if (encoded === null) return refused(400, 'the dns parameter is missing');
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return refused(400, 'the dns parameter is not base64url');
    const bytes = Buffer.from(encoded, 'base64url');
    return bytes.length > maxMessage ? refused(414, tooLarge) : { kind: 'query', bytes };
  }
  if (request.method !== 'POST') return refused(405, 'use GET or POST');
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== dnsMessageType) return refused(415, `use Content-Type: ${dnsMessageType}`);
  if (Number(request.headers.get('content-length') ?? 0) > maxMessage) return refused(413, tooLarge);
  const bytes = await request.bytes();
  return bytes.length > maxMessage ? refused(413, tooLarge) : { kind: 'query', bytes };
}

function refused(status: number, reason: string): IncomingQuery {
  return { kind: 'refused', status, reason };
}

function problem(status: number, reason: string): HttpResponse {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (status === 405) headers.allow = 'GET, HEAD, POST';
  return respond(status, `${reason}\n`, headers);
}

/** How long a response may be cached: its smallest TTL, or a negative answer's SOA minimum. */
function freshFor(message: Message): number {
  const ttls = message.answers.map((record) => record.ttl);
  for (const record of message.authorities) {
    if (record.type === 'SOA') ttls.push(Math.min(record.ttl, record.minimum));
  }
  return ttls.length === 0 ? 0 : Math.min(...ttls);
}
