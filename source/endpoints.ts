/**
 * `listen` and `connect`: servers and connections from endpoint descriptions (Twisted's
 * `serverFromString` / `clientFromString`), on the process-wide reactor or the one given.
 *
 * @module
 */
import type { InetAddress, UnixAddress } from './address.js';
import type { Connection, ConnectionOptions } from './connection.js';
import type { Deferred } from './deferred.js';
import {
  type ClientEndpoint,
  parseClientEndpoint,
  parseServerEndpoint,
  type ServerEndpoint,
  type StreamServerEndpoint,
  type TCPServerEndpoint,
  type TLSServerEndpoint,
  type UDPEndpoint,
  type UnixServerEndpoint,
} from './endpoint-description.js';
import { isProtocol, type Protocol } from './protocol.js';
import { reactor as defaultReactor, type ReactorLike } from './reactor.js';
import type { ListenOptions, Server, StreamListenOptions } from './server.js';
import type { DatagramOptions, DatagramPort } from './transports/udp.js';

/** Which reactor to use; default the process-wide `reactor`. */
export interface WithReactor {
  reactor?: ReactorLike;
}

/** Server endpoints whose address is an `InetAddress`: `tcp:`, `tcp6:`, `tls:`, `ssl:`. */
export type InetServerDescription =
  | `tcp${string}`
  | `tls${string}`
  | `ssl${string}`
  | TCPServerEndpoint
  | TLSServerEndpoint;

/**
 * Listens on an endpoint, running `protocol` on every connection it accepts: `tcp:8080`,
 * `tcp:0:interface=127.0.0.1` (an ephemeral port: see `server.address`),
 * `tcp6:8080:interface=\:\:1`, `tls:8443:certKey=cert.pem:privateKey=key.pem`, `unix:/tmp/s.sock`;
 * or `udp:5353[:interface=…]` for a UDP port (no protocol). An endpoint object works too. The
 * server's address is typed by the endpoint's kind: a `tcp:` server's has a `port`.
 *
 * Without a protocol, connections go to `server.connections$` subscribers. A failure to listen
 * (address in use, no privileges, an interface that does not resolve) is logged as an error, ends
 * a running reactor with exit code 1, and makes `server.address` errback with `CannotListenError`.
 *
 * @throws EndpointSyntaxError for a description it cannot understand, naming the bad part;
 * EndpointFileError for a certificate or key file it cannot read; TypeError for `allowHalfOpen`
 * given beside a protocol (the protocol declares it, as `halfClose`).
 * @example
 * ```ts
 * const server = listen('tcp:0:interface=127.0.0.1', protocol((conn) => conn.send(conn.data$)));
 * const { port } = await server.address;
 * listen('tcp:8080', httpServer(app), { maxConnections: 10_000 });
 * ```
 */
export function listen(
  description: `udp${string}` | UDPEndpoint,
  options?: DatagramOptions & WithReactor,
): DatagramPort;
export function listen(
  description: InetServerDescription,
  protocol: Protocol,
  options?: ListenOptions & WithReactor,
): Server<InetAddress>;
export function listen(
  description: InetServerDescription,
  options?: StreamListenOptions & WithReactor,
): Server<InetAddress>;
export function listen(
  description: `unix${string}` | UnixServerEndpoint,
  protocol: Protocol,
  options?: ListenOptions & WithReactor,
): Server<UnixAddress>;
export function listen(
  description: `unix${string}` | UnixServerEndpoint,
  options?: StreamListenOptions & WithReactor,
): Server<UnixAddress>;
export function listen(
  description: string | StreamServerEndpoint,
  protocol: Protocol,
  options?: ListenOptions & WithReactor,
): Server;
export function listen(
  description: string | StreamServerEndpoint,
  options?: StreamListenOptions & WithReactor,
): Server;
export function listen(
  description: string | ServerEndpoint,
  protocolOrOptions?: Protocol | (StreamListenOptions & DatagramOptions & WithReactor),
  maybeOptions?: ListenOptions & WithReactor,
): Server | DatagramPort {
  const endpoint = typeof description === 'string' ? parseServerEndpoint(description) : description;
  const protocol = isProtocol(protocolOrOptions) ? protocolOrOptions : undefined;
  const options: StreamListenOptions & DatagramOptions & WithReactor =
    (protocol === undefined ? (protocolOrOptions as StreamListenOptions | undefined) : maybeOptions) ?? {};
  if (protocol !== undefined && (options as StreamListenOptions).allowHalfOpen !== undefined) {
    throw new TypeError(
      `listen: allowHalfOpen is for servers without a protocol; the ${protocol.name ?? 'protocol'} declares it as halfClose`,
    );
  }
  const reactor = options.reactor ?? defaultReactor;
  if (endpoint.type === 'udp') return reactor.listenDatagram(endpoint, options);
  return reactor.listenStream(endpoint, options, protocol);
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
