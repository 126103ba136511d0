/**
 * Unix domain sockets: listening and connecting over `node:net`.
 *
 * @module
 */
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, connect as netConnect } from 'node:net';
import { dirname } from 'node:path';
import type { UnixAddress } from '../address.js';
import type { ReactorTime } from '../clock.js';
import type { Connection, ConnectionOptions } from '../connection.js';
import type { Deferred } from '../deferred.js';
import type { UnixClientEndpoint, UnixServerEndpoint } from '../endpoint-description.js';
import { CannotListenError } from '../errors.js';
import { connectionOptionsOf, type ServerSetup } from '../server.js';
import { connectSocket } from './_connect-socket.js';
import { NetServerAdapter } from './net-server-adapter.js';
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
 * file's mode is set when given. A folder on the path that does not exist is said so.
 *
 * @example
 * ```ts
 * const server = listenUNIX({ type: 'unix', path: '/tmp/app.sock', mode: 0o660 }, { endpoint: 'unix:/tmp/app.sock', protocol, options: {} }, reactor);
 * ```
 */
export function listenUNIX(
  endpoint: UnixServerEndpoint,
  setup: ServerSetup,
  time: ReactorTime,
): NetServerAdapter<UnixAddress> {
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true });
  const options = connectionOptionsOf(setup);
  const addresses = {
    local: { type: 'unix', path: endpoint.path },
    remote: { type: 'unix', path: '' },
  } as const;
  const adapter = new NetServerAdapter<UnixAddress>(
    server,
    (socket) => new StreamConnection(socket, 'server', addresses, options),
    setup,
    time,
    () => ({ type: 'unix', path: endpoint.path }),
  );
  const folder = dirname(endpoint.path);
  if (!existsSync(folder)) {
    adapter.refuseToListen(
      new CannotListenError(setup.endpoint, `the folder "${folder}" does not exist`, { reason: 'ENOENT' }),
    );
    return adapter;
  }
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
