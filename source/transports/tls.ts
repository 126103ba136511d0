/**
 * TLS: listening and connecting over `node:tls` (TLS 1.2 or newer; clients verify certificates).
 *
 * @module
 */
import type { TcpNetConnectOpts } from 'node:net';
import {
  createServer,
  type ConnectionOptions as TLSConnectOptions,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { InetAddress } from '../address.js';
import type { ReactorTime } from '../clock.js';
import type { Connection, ConnectionOptions } from '../connection.js';
import type { Deferred } from '../deferred.js';
import type { TLSClientEndpoint, TLSServerEndpoint } from '../endpoint-description.js';
import { Logger } from '../log.js';
import { connectionOptionsOf, type ServerSetup } from '../server.js';
import { connectSocket } from './_connect-socket.js';
import { NetServerAdapter } from './net-server-adapter.js';
import { StreamConnection, tlsDefaults } from './stream-connection.js';
import { serverAddress, tcpAddresses } from './tcp.js';

const log = new Logger('spindle.tls');

/**
 * Listens for TLS connections; a connection is accepted once its handshake is done, but counts
 * from its TCP accept (see `NetServerAdapter`). Failed handshakes are logged at debug level and
 * cost nothing else. The bound address says `tls: true`.
 *
 * @example
 * ```ts
 * const server = listenTLS({ type: 'tls', port: 8443, tls: { key, cert } }, { endpoint: 'tls:8443', protocol, options: {} }, reactor);
 * ```
 */
export function listenTLS(
  endpoint: TLSServerEndpoint,
  setup: ServerSetup,
  time: ReactorTime,
): NetServerAdapter<InetAddress> {
  const options = connectionOptionsOf(setup);
  // No pauseOnConnect: the handshake must read; application data waits in the paused TLSSocket.
  // Not half-open in the handshake: a peer that half-closes then can never finish it, and Node would
  // keep its socket until the handshake timeout (120 s by default). Half-open once the handshake is
  // done only when the protocol takes half-close: Node's half-open TLS socket can miss a reset that
  // comes while a write is pending (it then neither errors nor closes).
  const server = createServer({ ...tlsDefaults, ...endpoint.tls, allowHalfOpen: false });
  server.on('tlsClientError', (error, socket) => {
    log.debug(`TLS handshake failed: ${error.message}`, { error });
    socket.destroy(); // Node leaves open a socket whose handshake timed out
  });
  const adapter = new NetServerAdapter(
    server,
    (socket) => {
      socket.setNoDelay(true);
      socket.allowHalfOpen = options.allowHalfOpen ?? false;
      return new StreamConnection(socket, 'server', tcpAddresses(socket), { ...options, secure: true });
    },
    setup,
    time,
    (listening) => ({ ...serverAddress(listening), tls: true }),
    { tls: true },
  );
  server.listen({ port: endpoint.port, host: endpoint.host, backlog: endpoint.backlog });
  return adapter;
}

/**
 * Connects over TLS, verifying the server's certificate (against `tls.ca` when given) and its
 * name (`tls.servername`, default the host).
 *
 * @example
 * ```ts
 * const conn = await connectTLS({ type: 'tls', host: 'localhost', port: 8443, tls: { ca } }, {}, reactor);
 * ```
 */
export function connectTLS(
  endpoint: TLSClientEndpoint,
  options: ConnectionOptions,
  time: ReactorTime,
): Deferred<Connection> {
  const servername =
    endpoint.tls.servername ?? (/^[\d.]+$|:/.test(endpoint.host) ? undefined : endpoint.host);
  return connectSocket(
    () =>
      tlsConnect({
        ...tlsDefaults,
        ...endpoint.tls,
        host: endpoint.host,
        port: endpoint.port,
        allowHalfOpen: true,
        ...(servername !== undefined && { servername }),
        ...(endpoint.bindAddress !== undefined && { localAddress: endpoint.bindAddress }),
      } as TLSConnectOptions & Partial<TcpNetConnectOpts>),
    'secureConnect',
    (socket) => {
      (socket as TLSSocket).setNoDelay(true);
      return new StreamConnection(socket, 'client', tcpAddresses(socket), { ...options, secure: true });
    },
    `${endpoint.host}:${endpoint.port}`,
    endpoint.timeout ?? 30,
    time,
  );
}
