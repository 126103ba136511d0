/**
 * `listenDns`: puts a DNS server on an endpoint. A `udp:` endpoint gets UDP and TCP on the same
 * port, as RFC 7766 requires of a DNS server; a `tcp:` or `tls:` endpoint (DNS over TLS, RFC
 * 7858) gets that stream listener alone.
 *
 * @module
 */

import { OnceEvent } from '../../source/_once-event.js';
import type { InetAddress } from '../../source/address.js';
import { type Deferred, succeed } from '../../source/deferred.js';
import { gatherResults } from '../../source/deferred-list.js';
import {
  parseServerEndpoint,
  type ServerEndpoint,
  type TCPServerEndpoint,
  type UDPEndpoint,
} from '../../source/endpoint-description.js';
import { listen, type WithReactor } from '../../source/endpoints.js';
import { type FirstError, ServerClosedError } from '../../source/errors.js';
import type { ListenOptions, Server } from '../../source/server.js';
import type { DatagramPort } from '../../source/transports/udp.js';
import type { DnsServer } from './server.js';

/** Attempts at finding a port free for both UDP and TCP, for `udp:0`. */
const ephemeralAttempts = 8;

/** A DNS server's listeners on one endpoint. */
export interface DnsListener {
  /**
   * Fires with the bound address once every listener is up (for `udp:0`, the port both share);
   * errbacks with `CannotListenError` if one cannot listen.
   */
  readonly address: Deferred<InetAddress>;
  /** The UDP port, for a `udp:` endpoint. */
  readonly datagrams: DatagramPort | undefined;
  /** The TCP or TLS listener. */
  readonly stream: Server | undefined;
  /** Stops listening; lets TCP queries in flight finish for up to `gracePeriod` seconds. */
  close(options?: { gracePeriod?: number }): Deferred<void>;
}

/**
 * Listens for DNS on `description`.
 *
 * @throws EndpointSyntaxError for a description it cannot understand, TypeError for a `unix:` one.
 * @example
 * ```ts
 * const listener = listenDns('udp:5353:interface=127.0.0.1', dnsServer({ zones: [zone] }));
 * const { port } = await listener.address;
 * console.log(`listening on udp:${port} and tcp:${port}`);
 * ```
 */
export function listenDns(
  description: string | ServerEndpoint,
  server: DnsServer,
  options: ListenOptions & WithReactor = {},
): DnsListener {
  const endpoint = typeof description === 'string' ? parseServerEndpoint(description) : description;
  if (endpoint.type === 'unix') throw new TypeError('listenDns: DNS listens on udp:, tcp: or tls: endpoints');
  if (endpoint.type !== 'udp') {
    const stream = listen(endpoint, server, options);
    return {
      address: stream.address as Deferred<InetAddress>,
      datagrams: undefined,
      stream,
      close: (closeOptions) => stream.close(closeOptions),
    };
  }
  return endpoint.port === 0
    ? listenEphemeral(endpoint, server, options)
    : listenPair(endpoint, server, options);
}

/** UDP and TCP on a port given. */
function listenPair(
  endpoint: UDPEndpoint,
  server: DnsServer,
  options: ListenOptions & WithReactor,
): DnsListener {
  const datagrams = listen(endpoint, options);
  const stream = listen(tcpBeside(endpoint, endpoint.port), server, options);
  const address = new OnceEvent<InetAddress>();
  gatherResults([datagrams.address, stream.address], { consumeErrors: true }).addCallbacks(
    ([udp]) => address.fire(udp),
    // the CannotListenError itself, not the FirstError wrapping it
    (failure) => address.fail((failure.value as FirstError).subFailure.value),
  );
  return bothListeners(address, datagrams, stream, server);
}

/**
 * TCP on a port the system picks, then UDP on the same one, trying again (with a new port)
 * while UDP finds it taken.
 */
function listenEphemeral(
  endpoint: UDPEndpoint,
  server: DnsServer,
  options: ListenOptions & WithReactor,
): DnsListener {
  const address = new OnceEvent<InetAddress>();
  const tryAgain = { ...options, required: false };
  let bound: DnsListener | undefined;
  let closed = false;
  const attempt = (left: number) => {
    const stream = listen(tcpBeside(endpoint, 0), server, tryAgain);
    stream.address.addCallbacks(
      ({ port }) => {
        const datagrams = listen({ ...endpoint, port }, tryAgain);
        datagrams.address.addCallbacks(
          (udp) => {
            bound = bothListeners(address, datagrams, stream, server);
            if (closed) bound.close();
            else address.fire(udp);
          },
          (failure) => {
            stream.close();
            if (left > 1 && !closed) attempt(left - 1);
            else address.fail(failure.value);
          },
        );
      },
      (failure) => address.fail(failure.value),
    );
  };
  attempt(ephemeralAttempts);
  return {
    get address() {
      return address.wait();
    },
    get datagrams() {
      return bound?.datagrams;
    },
    get stream() {
      return bound?.stream;
    },
    close: (closeOptions) => {
      closed = true;
      if (bound !== undefined) return bound.close(closeOptions);
      if (!address.fired)
        address.fail(new ServerClosedError('the DNS listener was closed before it was listening'));
      return succeed(undefined);
    },
  };
}

/** A UDP port and a TCP listener serving `server` together. */
function bothListeners(
  address: OnceEvent<InetAddress>,
  datagrams: DatagramPort,
  stream: Server,
  server: DnsServer,
): DnsListener {
  const serving = server.serveDatagrams(datagrams);
  return {
    get address() {
      return address.wait();
    },
    datagrams,
    stream,
    close: (closeOptions) => {
      serving.unsubscribe();
      return gatherResults([datagrams.close(), stream.close(closeOptions)]).addCallback(() => undefined);
    },
  };
}

function tcpBeside(endpoint: UDPEndpoint, port: number): TCPServerEndpoint {
  return { type: 'tcp', port, ...(endpoint.host !== undefined && { host: endpoint.host }) };
}
