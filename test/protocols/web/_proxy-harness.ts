/**
 * A harness for the reverse proxy's tests: a proxy on a memory reactor and a virtual clock, in
 * front of a scripted upstream, a client connection to it, and its responses read back.
 *
 * @module
 */
import { setImmediate as turn } from 'node:timers/promises';
import { Agent } from '../../../protocols/http/client.js';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import type { BodyFraming, ParseEvent, RequestHead, ResponseHead } from '../../../protocols/http/message.js';
import { RequestParser } from '../../../protocols/http/parse-request.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { httpServer } from '../../../protocols/http/server.js';
import { type ReverseProxyOptions, reverseProxy } from '../../../protocols/web/reverse-proxy.js';
import type { Connection } from '../../../source/connection.js';
import { MemoryReactor, StringTransport, trackedClock } from '../../../source/testing/index.js';

/** The client's address, as the proxy sees it. */
export const peer = { type: 'tcp', host: '192.0.2.7', port: 5000, family: 'IPv4' } as const;
const decoder = new TextDecoder();

/** A request as the upstream got it, and the connection it came on. */
export interface Seen {
  readonly method: string;
  readonly target: string;
  readonly headers: HttpHeaders;
  readonly framing: BodyFraming;
  body: string;
  readonly connection: Connection;
}

/** Lets the event loop turn until `ready()` holds. */
export async function until(ready: () => boolean): Promise<void> {
  for (let turns = 0; !ready(); turns++) {
    if (turns > 2000) throw new Error('gave up waiting');
    await turn();
  }
}

/**
 * A proxy (`reverseProxy` in an `httpServer`) on a memory reactor and a virtual clock, in front
 * of an upstream at port 8080 that answers with the raw bytes `respond` gives (nothing: the test
 * answers through `seen[i].connection`), and a client connection to the proxy.
 *
 * @example
 * ```ts
 * const proxy = proxySetup({ timeout: 5 });
 * proxy.client.receive('GET /api/x HTTP/1.1\r\nHost: f\r\n\r\n');
 * await until(() => final(proxy.events()).ended);
 * ```
 */
export function proxySetup(options: ReverseProxyOptions = {}, upstreamBase = 'http://upstream.test:8080/v1') {
  const clock = trackedClock();
  const reactor = new MemoryReactor({ clock });
  const seen: Seen[] = [];
  const state: { respond: (request: Seen) => string | undefined } = {
    respond: () => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  };
  const upstream = reactor.listenStream({ type: 'tcp', port: 8080 });
  upstream.connections$.subscribe((connection) => {
    const parser = new RequestParser();
    let current: Seen | undefined;
    connection.data$.subscribe({
      next: (chunk) => {
        for (const event of parser.push(chunk) as ParseEvent<RequestHead>[]) {
          if (event.type === 'head') {
            const { method, target, headers } = event.head;
            current = { method, target, headers, framing: event.framing, body: '', connection };
            seen.push(current);
          } else if (event.type === 'body') current!.body += decoder.decode(event.data);
          else {
            const answer = state.respond(current!);
            if (answer !== undefined) connection.write(answer);
          }
        }
      },
      error: () => {},
    });
  });
  const agent = new Agent({ reactor });
  const app = httpServer(reverseProxy(upstreamBase, { prefix: '/api', agent, ...options }), { clock });
  const client = new StringTransport({ allowHalfOpen: true, remoteAddress: peer });
  app.serve(client);
  return {
    clock,
    reactor,
    seen,
    client,
    upstream,
    set respond(respond: (request: Seen) => string | undefined) {
      state.respond = respond;
    },
    /** The responses the client got so far, interim ones included, for requests with `methods`. */
    events(methods: readonly string[] = ['GET']): ParseEvent<ResponseHead>[] {
      const parser = new ResponseParser();
      for (const method of methods) parser.expect(method);
      return parser.push(client.value());
    },
    async done() {
      client.loseConnection();
      await agent.closeCachedConnections();
      upstream.close({ gracePeriod: 0 });
      await reactor.flush();
    },
  };
}

/** The final response in `events`: status, headers, body, trailers, and whether it ended. */
export function final(events: readonly ParseEvent<ResponseHead>[]) {
  let head: ResponseHead | undefined;
  let body = '';
  let trailers: HttpHeaders | undefined;
  let ended = false;
  for (const event of events) {
    if (event.type === 'head' && event.interim !== true) head = event.head;
    else if (event.type === 'body') body += decoder.decode(event.data);
    else if (event.type === 'end') {
      trailers = event.trailers;
      ended = true;
    }
  }
  return { head, body, trailers, ended };
}
