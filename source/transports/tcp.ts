/**
 * TCP: listening and connecting over `node:net`.
 *
 * @module
 */
import { createServer, type Server as NetServer, connect as netConnect, type Socket } from 'node:net';
import { type InetAddress, inetAddress } from '../address.js';
import type { ReactorTime } from '../clock.js';
import type { Connection, ConnectionOptions } from '../connection.js';
import type { Deferred } from '../deferred.js';
import type { TCPClientEndpoint, TCPServerEndpoint } from '../endpoint-description.js';
import { connectionOptionsOf, type ServerSetup } from '../server.js';
import { connectSocket } from './_connect-socket.js';
import { NetServerAdapter } from './net-server-adapter.js';
import { type ConnectionAddresses, StreamConnection } from './stream-connection.js';

/** A TCP socket's local and remote addresses. */
export function tcpAddresses(socket: Socket): ConnectionAddresses {
  return {
    local: inetAddress('tcp', socket.localAddress, socket.localPort, socket.localFamily),
    remote: inetAddress('tcp', socket.remoteAddress, socket.remotePort, socket.remoteFamily),
  };
}

/** A listening TCP server's address. */
export function serverAddress(server: NetServer): InetAddress {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new TypeError('not a TCP server');
  return inetAddress('tcp', address.address, address.port, address.family);
}

/**
 * Listens for TCP connections. Sockets start paused, the socket itself allows half-open (the
 * connection decides what the peer's FIN does), and Nagle's algorithm is off, as in node:http.
 *
 * @example
 * ```ts
 * const server = listenTCP({ type: 'tcp', port: 0, host: '127.0.0.1' }, { endpoint: 'tcp:0', protocol: echo, options: {} }, reactor);
 * ```
 */
export function listenTCP(
  endpoint: TCPServerEndpoint,
  setup: ServerSetup,
  time: ReactorTime,
): NetServerAdapter<InetAddress> {
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true });
  const options = connectionOptionsOf(setup);
  const adapter = new NetServerAdapter(
    server,
    (socket) => new StreamConnection(socket, 'server', tcpAddresses(socket), options),
    setup,
    time,
    serverAddress,
  );
  server.listen({ port: endpoint.port, host: endpoint.host, backlog: endpoint.backlog });
  return adapter;
}

/**
 * Connects over TCP: fires with the connection, or errbacks with `ConnectionRefusedError`,
 * `DNSLookupError` or `TimeoutError`; cancelling aborts the attempt.
 *
 * @example
 * ```ts
 * const conn = await connectTCP({ type: 'tcp', host: '127.0.0.1', port: 80 }, {}, reactor);
 * ```
 */
export function connectTCP(
  endpoint: TCPClientEndpoint,
  options: ConnectionOptions,
  time: ReactorTime,
): Deferred<Connection> {
  return connectSocket(
    () =>
      netConnect({
        host: endpoint.host,
        port: endpoint.port,
        allowHalfOpen: true,
        noDelay: true,
        ...(endpoint.bindAddress !== undefined && { localAddress: endpoint.bindAddress }),
      }),
    'connect',
    (socket) => new StreamConnection(socket, 'client', tcpAddresses(socket), options),
    `${endpoint.host}:${endpoint.port}`,
    endpoint.timeout ?? 30,
    time,
  );
}
