/**
 * `listen` and `connect`: servers and connections from endpoint descriptions (Twisted's
 * `serverFromString` / `clientFromString`), on the process-wide reactor or the one given.
 *
 * @module
 */
import type { Connection, ConnectionOptions } from './connection.js';
import type { Deferred } from './deferred.js';
import {
  type ClientEndpoint,
  parseClientEndpoint,
  parseServerEndpoint,
  type ServerEndpoint,
  type StreamServerEndpoint,
  type UDPEndpoint,
} from './endpoint-description.js';
import { reactor as defaultReactor, type ReactorLike } from './reactor.js';
import type { ListenOptions, Server } from './server.js';
import type { DatagramOptions, DatagramPort } from './transports/udp.js';

/** Which reactor to use; default the process-wide `reactor`. */
export interface WithReactor {
  reactor?: ReactorLike;
}

/**
 * Listens on an endpoint: `tcp:8080`, `tcp:0:interface=127.0.0.1` (an ephemeral port: see
 * `server.address`), `tcp6:8080:interface=\:\:1`, `tls:8443:certKey=cert.pem:privateKey=key.pem`,
 * `unix:/tmp/s.sock`; or `udp:5353[:interface=…]` for a UDP port. An endpoint object works too.
 *
 * @throws EndpointSyntaxError for a description it cannot understand, naming the bad part.
 * @example
 * ```ts
 * const server = listen('tcp:0:interface=127.0.0.1');
 * server.connections$.subscribe(conn => conn.data$.subscribe(conn));
 * const { port } = (await server.address) as InetAddress;
 * ```
 */
export function listen(
  description: `udp${string}` | UDPEndpoint,
  options?: DatagramOptions & WithReactor,
): DatagramPort;
export function listen(
  description: string | StreamServerEndpoint,
  options?: ListenOptions & WithReactor,
): Server;
export function listen(
  description: string | ServerEndpoint,
  options: ListenOptions & DatagramOptions & WithReactor = {},
): Server | DatagramPort {
  const endpoint = typeof description === 'string' ? parseServerEndpoint(description) : description;
  const reactor = options.reactor ?? defaultReactor;
  return endpoint.type === 'udp'
    ? reactor.listenDatagram(endpoint, options)
    : reactor.listenStream(endpoint, options);
}

/**
 * Connects to an endpoint: `tcp:host=127.0.0.1:port=80` (or `tcp:127.0.0.1:80`),
 * `tls:host=localhost:port=8443:caCerts=ca.pem`, `unix:path=/tmp/s.sock`. Fires with the
 * connection; errbacks with `ConnectionRefusedError`, `DNSLookupError` or `TimeoutError`
 * (`timeout=` seconds, default 30); cancelling aborts the attempt.
 *
 * @throws EndpointSyntaxError for a description it cannot understand, naming the bad part.
 * @example
 * ```ts
 * const conn = await connect('tcp:host=127.0.0.1:port=7');
 * conn.write('hello\r\n');
 * ```
 */
export function connect(
  description: string | ClientEndpoint,
  options: ConnectionOptions & WithReactor = {},
): Deferred<Connection> {
  const endpoint = typeof description === 'string' ? parseClientEndpoint(description) : description;
  return (options.reactor ?? defaultReactor).connectStream(endpoint, options);
}
