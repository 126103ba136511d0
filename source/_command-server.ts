/**
 * `commandServer`: the `Protocol` value of a line-based server (FTP's, SMTP's): half-close kept,
 * its sessions counted against connection limits, a connection past them answered with the
 * protocol's refusal and closed.
 *
 * @module
 */
import { ConnectionLimits, type LimitPassed } from './_connection-limits.js';
import { count } from './_option-checks.js';
import type { Connection } from './connection.js';
import type { Protocol, Session } from './protocol.js';

/**
 * A line-based server as `listen` takes it, with its counts.
 *
 * @example
 * ```ts
 * const server: CommandServer<'ftp'> = ftpServer({ root: '/srv/ftp' });
 * server.sessions; // the sessions open now
 * ```
 */
export interface CommandServer<N extends string> extends Protocol {
  readonly name: N;
  readonly halfClose: true;
  /** The sessions open now. */
  readonly sessions: number;
  /** The connections refused so far: past `maxConnections` or `maxConnectionsPerPeer`. */
  readonly refused: number;
  /** Serves one connection; its session (undefined when refused: too many). */
  serve(connection: Connection): Session | undefined;
}

/**
 * What `commandServer` is made of.
 *
 * @example
 * ```ts
 * const parts: CommandServerParts<'ftp'> = { name: 'ftp', limits: options, refusal, open: (c) => new FtpSession(settings, c) };
 * ```
 */
export interface CommandServerParts<N extends string> {
  /** The protocol's name, for log records. */
  readonly name: N;
  /** The server's options holding its limits: each default 1000 in all, 20 from one peer host. */
  readonly limits: { readonly maxConnections?: number; readonly maxConnectionsPerPeer?: number };
  /** The reply (a 421) that a connection past a limit gets before it is closed. */
  readonly refusal: (passed: LimitPassed) => Uint8Array | string;
  /** A session for an admitted connection; it is started at once. */
  readonly open: (connection: Connection) => Session & { start(): void };
}

/**
 * A line-based server protocol: each connection is counted until it closes (see
 * `ConnectionLimits`) and gets a session, started at once; one past `maxConnections` or
 * `maxConnectionsPerPeer` gets `refusal`'s reply, and is closed once it is written.
 *
 * @throws RangeError for a limit that is neither a positive whole number nor infinity.
 * @example
 * ```ts
 * return commandServer({
 *   name: 'ftp',
 *   limits: options,
 *   refusal: (passed) => formatReply(421, passed === 'total' ? 'Too many users.' : 'Too many from you.'),
 *   open: (connection) => new FtpSession(settings, connection),
 * });
 * ```
 */
export function commandServer<N extends string>(parts: CommandServerParts<N>): CommandServer<N> {
  const { refusal, open } = parts;
  const limits = new ConnectionLimits(
    count('maxConnections', parts.limits.maxConnections, 1000),
    count('maxConnectionsPerPeer', parts.limits.maxConnectionsPerPeer, 20),
  );
  return {
    name: parts.name,
    halfClose: true,
    get sessions() {
      return limits.sessions;
    },
    get refused() {
      return limits.refused;
    },
    serve(connection) {
      const passed = limits.admit(connection);
      if (passed !== undefined) {
        connection.write(refusal(passed));
        connection.close();
        return undefined;
      }
      const session = open(connection);
      session.start();
      return session;
    },
  };
}
