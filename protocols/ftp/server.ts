/**
 * `ftpServer`: FTP (RFC 959, with RFC 2228/4217 FTPS, 2389 FEAT, 2428 EPSV/EPRT and 3659 SIZE,
 * MDTM, MLSD/MLST, REST STREAM) as a protocol that `listen` runs, over an `FtpFileSystem`.
 *
 * @module
 */
import { createSecureContext } from 'node:tls';
import { commandServer } from '../../source/_command-server.js';
import { count, seconds } from '../../source/_option-checks.js';
import { turnOptions } from '../../source/_turn-budget.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection, TLSOptions } from '../../source/connection.js';
import type { CooperatorScheduler } from '../../source/cooperate.js';
import type { Protocol, Session } from '../../source/protocol.js';
import { reactor as defaultReactor, type ReactorLike } from '../../source/reactor.js';
import { PassivePorts } from './_data-channel.js';
import { FtpSession } from './_ftp-session.js';
import type { SessionSettings } from './_session-settings.js';
import type { FtpFileSystem } from './file-system.js';
import { NodeFileSystem } from './node-file-system.js';
import { formatReply } from './reply.js';
import { type FtpChecker, ftpUsers } from './users.js';

/**
 * Options of `ftpServer`. Times are in seconds, on `clock`. Give `fileSystem` or `root`.
 *
 * @example
 * ```ts
 * const server = ftpServer({
 *   root: '/srv/ftp',
 *   checker: ftpUsers({ alice: { password: 'wonderland' } }),
 *   passivePorts: [50000, 50099],
 *   passiveAddress: '203.0.113.7',
 *   tls: { key, cert },
 *   requireTls: true,
 * });
 * ```
 */
export interface FtpServerOptions {
  /** The files served. */
  fileSystem?: FtpFileSystem;
  /** A folder to serve (a `NodeFileSystem` over it), when `fileSystem` is not given. */
  root?: string;
  /** Who may log in, and whether they may write. Default `ftpUsers()`: anonymous, read-only. */
  checker?: FtpChecker;
  /**
   * The ports passive data connections listen on, both included (`[50000, 50099]`), each listener
   * taking the next free one; for a firewall that opens only those. Default: any ephemeral port.
   */
  passivePorts?: readonly [number, number];
  /**
   * The IPv4 address the PASV reply names (vsftpd's `pasv_address`, pyftpdlib's masquerade
   * address): the server's public address behind NAT or in a container. Default: the control
   * connection's local address. (EPSV names no address.)
   */
  passiveAddress?: string;
  /** Key and certificate (Node's TLS options) for AUTH TLS; without them AUTH answers 502. */
  tls?: TLSOptions;
  /** Refuse USER (530) until the control connection is secured with AUTH TLS. Default false. */
  requireTls?: boolean;
  /** The most sessions at once; more are answered 421 and closed. Default 1000. */
  maxConnections?: number;
  /** The most sessions from one peer address at once; more are answered 421 and closed. Default 20. */
  maxConnectionsPerPeer?: number;
  /** Failed logins (530) a session may have; the last one is followed by 421 and closing. Default 3. */
  maxLoginFailures?: number;
  /** How long a session may wait for a command before 421 and closing (vsftpd's 300). Default 300. */
  idleTimeout?: number;
  /** How long a data connection may take to come (passive) or be made (active); then 425. Default 60. */
  dataConnectTimeout?: number;
  /** How long a transfer may go without moving a byte; then 426. Default 300. */
  dataTimeout?: number;
  /** The longest command line, in octets. Default 4096. */
  maxLineLength?: number;
  /** The 220 greeting's text. Default `Spindle FTP server ready.` */
  greeting?: string;
  /** The reactor data connections are listened for and made on. Default the process-wide one. */
  reactor?: ReactorLike;
  /**
   * Commands of one session taken per read and per turn of the event loop: the rest of a
   * pipelined flood waits, the connection unread, for the next turns. Default 64.
   */
  commandsPerTurn?: number;
  /** Runs a session's next turn of commands. Default `work => clock.callLater(0, work)`. */
  scheduler?: CooperatorScheduler;
  /** The clock timeouts run on, and listings' "now". Default `reactor`. */
  clock?: ReactorTime;
}

/**
 * An FTP server: a protocol for `listen` (half-close kept, so commands sent before the client's
 * FIN are still answered; each session drains gracefully when the server closes).
 *
 * @example
 * ```ts
 * const server = listen('tcp:2121:interface=127.0.0.1', ftpServer({ root: '/srv/ftp' }));
 * ```
 */
export interface FtpServer extends Protocol {
  readonly name: 'ftp';
  readonly halfClose: true;
  /** The sessions open now. */
  readonly sessions: number;
  /** The connections refused so far (421): past `maxConnections` or `maxConnectionsPerPeer`. */
  readonly refused: number;
  /** Serves FTP on one control connection; its session (undefined when refused: too many). */
  serve(connection: Connection): Session | undefined;
}

function portRange(range: readonly [number, number] | undefined): readonly [number, number] | undefined {
  if (range === undefined) return undefined;
  const [low, high] = range;
  const valid = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;
  if (!valid(low) || !valid(high) || low > high) {
    throw new RangeError(`passivePorts must be two ports from 1 to 65535, the first not above the second`);
  }
  return range;
}

/**
 * Serves FTP over a file system, as a protocol: `listen('tcp:21', ftpServer({ root }))`.
 *
 * Each session greets with 220 and reads command lines (a `CommandDecoder`: length-capped,
 * Telnet-aware, UTF-8), one command at a time; before login only USER, PASS, AUTH, PBSZ, PROT,
 * FEAT and QUIT are taken, anything else gets 530. Paths resolve inside the file system's root
 * (`resolveFtpPath`: `..` above it, NUL, CR, LF and invalid UTF-8 are 550). Data connections are
 * passive (PASV, EPSV, `EPSV ALL`: a listener per transfer on `passivePorts`, that takes a
 * connection only from the control connection's peer address) or active (PORT, EPRT: only to the
 * control connection's own peer, at an unprivileged port, else 501: no FTP bounce). Downloads
 * are pulled from the file only as fast as the data connection drains; uploads are written through
 * the file system's upload (a temporary name, fsynced and renamed into place), pausing the data
 * connection while it is behind, and 226 comes only once the file is in place; an upload cut off
 * is aborted, leaving nothing under its name (426), and a failed write answers 452 (no space) or
 * 451. TYPE A converts line ends both ways. ABOR stops a transfer (426, then 226). AUTH TLS
 * secures the control connection (what the client sent after it in the clear is dropped), PROT P
 * the passive data connections. Timeouts (idle, data connection, data) run on `clock`.
 *
 * ```text
 * client: USER a ─ PASS b ─ EPSV ──────────── RETR f ─────────────
 * server: 220 ─ 331 ─ 230 ─ 229 (|||p|) ─ (data conn) ─ 150 ─ bytes ─ 226
 * ```
 *
 * @throws RangeError for an option out of range, or neither `fileSystem` nor `root`; TypeError
 * for `requireTls` without `tls`.
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { ftpServer, ftpUsers } from 'spindle/protocols/ftp';
 *
 * listen('tcp:2121', ftpServer({ root: '/srv/ftp', checker: ftpUsers({ alice: { password: 'secret' } }, { anonymous: 'read' }) }));
 * ```
 */
export function ftpServer(options: FtpServerOptions): FtpServer {
  const fileSystem =
    options.fileSystem ?? (options.root !== undefined ? new NodeFileSystem(options.root) : undefined);
  if (fileSystem === undefined) throw new RangeError('ftpServer needs a fileSystem or a root folder');
  if (options.requireTls === true && options.tls === undefined) {
    throw new TypeError('ftpServer: requireTls needs tls (a key and a certificate)');
  }
  const reactor = options.reactor ?? defaultReactor;
  const clock = options.clock ?? reactor;
  const settings: SessionSettings = {
    fileSystem,
    checker: options.checker ?? ftpUsers(),
    clock,
    reactor,
    ports: new PassivePorts(portRange(options.passivePorts)),
    passiveAddress: options.passiveAddress,
    tls:
      options.tls === undefined ? undefined : createSecureContext({ minVersion: 'TLSv1.2', ...options.tls }),
    requireTls: options.requireTls ?? false,
    idleTimeout: seconds('idleTimeout', options.idleTimeout, 300),
    dataConnectTimeout: seconds('dataConnectTimeout', options.dataConnectTimeout, 60),
    dataTimeout: seconds('dataTimeout', options.dataTimeout, 300),
    maxLoginFailures: count('maxLoginFailures', options.maxLoginFailures, 3),
    maxLineLength: count('maxLineLength', options.maxLineLength, 4096),
    greeting: options.greeting ?? 'Spindle FTP server ready.',
    turns: turnOptions('commandsPerTurn', options.commandsPerTurn, clock, options.scheduler),
  };
  return commandServer({
    name: 'ftp',
    limits: options,
    refusal: (passed) =>
      formatReply(
        421,
        passed === 'total' ? 'Too many users: try again later.' : 'Too many connections from your address.',
      ),
    open: (connection) => new FtpSession(settings, connection),
  });
}
