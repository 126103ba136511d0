/**
 * Unix domain sockets: listening and connecting over `node:net`.
 *
 * @module
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, connect as netConnect } from 'node:net';
import type { ReactorTime } from '../clock.js';
import type { Connection, ConnectionOptions } from '../connection.js';
import type { Deferred } from '../deferred.js';
import type { UnixClientEndpoint, UnixServerEndpoint } from '../endpoint-description.js';
import { type ListenOptions, NetServerAdapter } from '../server.js';
import { connectSocket } from './_connect-socket.js';
import { StreamConnection } from './stream-connection.js';

/** Removes a socket file left by a server that is gone (nobody answers on it). */
function removeStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return Promise.resolve();
  }
  if (!isSocket) return Promise.resolve();
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(); // somebody is listening: leave it, listen will fail with EADDRINUSE
    });
    probe.once('error', () => {
      try {
        unlinkSync(path);
      } catch {}
      resolve();
    });
  });
}

/**
 * Listens on a Unix domain socket. A stale socket file (nobody listening) is removed first; the
 * file's mode is set when given.
 *
 * @example
 * ```ts
 * const server = listenUNIX({ type: 'unix', path: '/tmp/app.sock', mode: 0o660 }, {}, reactor);
 * ```
 */
export function listenUNIX(
  endpoint: UnixServerEndpoint,
  options: ListenOptions,
  time: ReactorTime,
): NetServerAdapter {
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
  const addresses = {
    local: { type: 'unix', path: endpoint.path },
    remote: { type: 'unix', path: '' },
  } as const;
  const adapter = new NetServerAdapter(
    server,
    (socket) => new StreamConnection(socket, 'server', addresses, options),
    time,
    options,
    () => ({ type: 'unix', path: endpoint.path }),
  );
  if (endpoint.mode !== undefined) {
    const mode = endpoint.mode;
    server.once('listening', () => chmodSync(endpoint.path, mode));
  }
  removeStaleSocket(endpoint.path).then(() =>
    server.listen({ path: endpoint.path, backlog: endpoint.backlog }),
  );
  return adapter;
}

/**
 * Connects to a Unix domain socket; a path nobody listens on errbacks with
 * `ConnectionRefusedError`.
 *
 * @example
 * ```ts
 * const conn = await connectUNIX({ type: 'unix', path: '/tmp/app.sock' }, {}, reactor);
 * ```
 */
export function connectUNIX(
  endpoint: UnixClientEndpoint,
  options: ConnectionOptions,
  time: ReactorTime,
): Deferred<Connection> {
  const addresses = {
    local: { type: 'unix', path: '' },
    remote: { type: 'unix', path: endpoint.path },
  } as const;
  return connectSocket(
    () => netConnect({ path: endpoint.path, allowHalfOpen: true }),
    'connect',
    (socket) => new StreamConnection(socket, 'client', addresses, options),
    endpoint.path,
    endpoint.timeout ?? 30,
    time,
  );
}
