/**
 * `dnsServer`: an authoritative DNS server for zones, forwarding and caching the rest when
 * given a forwarder; one value serves UDP (`serveDatagrams`), TCP and TLS (`listen(endpoint,
 * server)`: it is a `Protocol`) and HTTPS (`dohHandler`). `listenDns` binds UDP and TCP on one
 * port, as a DNS server must.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import { turnOptions } from '../../source/_turn-budget.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import type { CooperatorScheduler } from '../../source/cooperate.js';
import type { Deferred } from '../../source/deferred.js';
import { succeed } from '../../source/deferred.js';
import type { Protocol, Session } from '../../source/protocol.js';
import { reactor } from '../../source/reactor.js';
import type { DatagramPort } from '../../source/transports/udp.js';
import { AnswerCache } from './_answer-cache.js';
import { Responder } from './_responder.js';
import { TcpSession } from './_tcp-session.js';
import { Authority } from './authority.js';
import { encodeMessage } from './encode-message.js';
import type { Forwarder } from './forwarder.js';
import type { Message } from './message.js';
import { type RateLimitOptions, type RateVerdict, ResponseRateLimiter } from './response-rate-limiter.js';
import type { DnsServerStats } from './server-stats.js';
import type { Zone } from './zone.js';

/** The UDP payload size a server offers and honours by default: the DNS flag day 2020 figure. */
export const defaultPayloadSize = 1232;

/** Options of `dnsServer`. Times are in seconds, on `clock`. */
export interface DnsServerOptions {
  /** The zones this server is authoritative for. Default none. */
  readonly zones?: readonly Zone[];
  /**
   * Where questions outside the zones go (a `Resolver` pointed at upstream servers, which also
   * caches). Without one, such questions get REFUSED, and RA is clear.
   */
  readonly forward?: Forwarder;
  /** Response-rate limiting per client address, for UDP. Default off. */
  readonly rateLimit?: RateLimitOptions;
  /**
   * The largest UDP response, for EDNS queries (each is held to the smaller of this and the
   * client's size; queries without EDNS to 512 bytes). Default 1232.
   */
  readonly payloadSize?: number;
  /** Seconds a TCP connection may sit with no query before it is closed. Default 30 (BIND's, Unbound's). */
  readonly tcpIdleTimeout?: number;
  /** Forwarded queries one TCP connection may have waiting; its reading pauses beyond. Default 100. */
  readonly maxQueriesInFlight?: number;
  /**
   * Queries of one TCP connection answered per read and per turn of the event loop: the rest of
   * a pipelined flood waits, the connection unread, for the next turns (`clock.callLater(0)`), so
   * one client cannot hold the loop. Default 64.
   */
  readonly queriesPerTurn?: number;
  /**
   * Runs a TCP connection's next turn of queries. Default `work => clock.callLater(0, work)`;
   * tests pass one that runs turns on demand.
   */
  readonly scheduler?: CooperatorScheduler;
  /**
   * Encoded UDP answers from the zones kept for reuse, by query (see `AnswerCache`); 0 keeps
   * none. Default 10,000.
   */
  readonly answerCacheSize?: number;
  /** The clock timeouts and rate limits run on. Default the reactor. */
  readonly clock?: ReactorTime;
}

/**
 * A DNS server: a `Protocol` for TCP and TLS listeners (RFC 7766, 7858), and `serveDatagrams`
 * for UDP ports.
 */
export interface DnsServer extends Protocol {
  readonly name: 'dns';
  readonly halfClose: true;
  /** Runs DNS over TCP or TLS on `connection`; its session drains the queries in flight. */
  serve(connection: Connection): Session;
  /** Counters since the server was made, over every transport. */
  readonly stats: Readonly<DnsServerStats>;
  /** Answers the queries that arrive on `port` until unsubscribed or the port closes. */
  serveDatagrams(port: DatagramPort): Subscription;
  /**
   * The response to one query message (for transports of your own, like DNS over HTTPS): the
   * bytes to send, or undefined when the message gets no answer (unparseable, or a response).
   */
  respond(query: Uint8Array, maxSize?: number): Deferred<Uint8Array | undefined>;
}

/**
 * Makes a DNS server.
 *
 * @example
 * ```ts
 * const zone = await loadZoneFile('example.test.zone');
 * const server = dnsServer({ zones: [zone], forward: new Resolver({ servers: [{ host: '127.0.0.1', port: 5300 }] }) });
 * listenDns('udp:5353:interface=127.0.0.1', server); // UDP and TCP on port 5353
 * ```
 */
export function dnsServer(options: DnsServerOptions = {}): DnsServer {
  const clock = options.clock ?? reactor;
  const payloadSize = options.payloadSize ?? defaultPayloadSize;
  if (!(payloadSize >= 512 && payloadSize <= 65_535))
    throw new RangeError('payloadSize must be 512 to 65535');
  const responder = new Responder(new Authority(options.zones ?? []), options.forward, payloadSize);
  const answers = new AnswerCache(options.answerCacheSize ?? 10_000);
  const limiter =
    options.rateLimit === undefined ? undefined : new ResponseRateLimiter(clock, options.rateLimit);
  const tcpOptions = {
    clock,
    idleTimeout: options.tcpIdleTimeout ?? 30,
    maxInFlight: options.maxQueriesInFlight ?? 100,
    turns: turnOptions('queriesPerTurn', options.queriesPerTurn, clock, options.scheduler),
  };
  return {
    name: 'dns',
    halfClose: true,
    stats: responder.stats,
    serve: (connection: Connection): Session => new TcpSession(connection, responder, tcpOptions),
    serveDatagrams: (port) =>
      port.datagrams$.subscribe(({ data, address, port: from }) => {
        // the rate limit counts responses: a token is taken only for a datagram that gets one
        const kept = answers.get(data);
        let verdict: RateVerdict | undefined;
        if (kept !== undefined) {
          verdict = limiter?.admit(address) ?? 'answer';
          if (verdict === 'answer') {
            responder.stats.queries++;
            port.write(kept, address, from);
            responder.sent();
            return;
          }
        }
        const { query, response } = responder.receive(data);
        if (response.kind === 'drop') return;
        verdict ??= limiter?.admit(address) ?? 'answer';
        const send = (message: Message) => {
          const bytes = encodeMessage(message, { maxSize: udpLimit(query, payloadSize) });
          port.write(bytes, address, from);
          responder.sent();
          return bytes;
        };
        if (verdict !== 'answer') {
          responder.stats.rateLimited++;
          if (response.kind === 'pending') response.message.cancel();
          else if (verdict === 'slip') send(truncated(response.message));
        } else if (response.kind === 'reply') {
          answers.put(data, send(response.message));
        } else {
          response.message.addCallback(send);
        }
      }),
    respond: (query, maxSize = 65_535) => {
      const { response } = responder.receive(query);
      const encode = (message: Message) => {
        responder.sent();
        return encodeMessage(message, { maxSize });
      };
      if (response.kind === 'drop') return succeed(undefined);
      if (response.kind === 'reply') return succeed(encode(response.message));
      return response.message.addCallback(encode);
    },
  };
}

/** The largest UDP response to `query`: 512 without EDNS, else its size held to ours. */
function udpLimit(query: Message | undefined, payloadSize: number): number {
  const asked = query?.edns?.payloadSize;
  if (asked === undefined) return 512;
  return Math.max(512, Math.min(asked, payloadSize));
}

/** An empty truncated response: the client should ask again over TCP. */
function truncated(message: Message): Message {
  return { ...message, tc: true, answers: [], authorities: [], additionals: [] };
}
