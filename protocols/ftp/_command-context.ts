/**
 * `CommandContext`: what an FTP command handler sees of its session (the state the commands
 * change, and the few things only the session does), and `CommandHandler`, the shape of every
 * command. Private to protocols/ftp.
 *
 * @module
 */
import type { SecureContext } from 'node:tls';
import type { Connection } from '../../source/connection.js';
import type { PassiveListener } from './_data-channel.js';
import type { SessionSettings } from './_session-settings.js';
import type { TransferPayload } from './_transfer.js';
import { resolveFtpPath } from './ftp-path.js';
import type { HostPort } from './host-port.js';
import type { MlsxFact } from './listing.js';
import type { FtpAccount } from './users.js';

/** Who the client is: it has to say, it said and owes its password, or it is logged in. */
export type LoginState =
  | { readonly name: 'awaiting-user' }
  | { readonly name: 'awaiting-password'; readonly user: string }
  | { readonly name: 'logged-in'; readonly account: FtpAccount };

/** Where the next data connection comes from. */
export type DataChannel =
  | { readonly kind: 'none' }
  | { readonly kind: 'passive'; readonly listener: PassiveListener }
  | { readonly kind: 'active'; readonly target: HostPort };

/**
 * How data connections are protected (RFC 4217): `unset` before PBSZ (clear, and PROT is
 * refused), then `clear` or `private` (TLS) as PROT says.
 */
export type DataProtection = 'unset' | 'clear' | 'private';

/**
 * The session as its commands see it. The fields are the session's state, which commands set;
 * the methods are what only the session can do (its control connection, its queue, its phase).
 *
 * @example
 * ```ts
 * const noop: CommandHandler = (session) => session.reply(200, 'NOOP ok.');
 * ```
 */
export interface CommandContext {
  readonly settings: SessionSettings;
  readonly connection: Connection;
  /** The control connection's peer host, as `peerHost` gives it (the bounce and passive checks). */
  readonly peerHost: string | undefined;
  login: LoginState;
  /** Logins refused so far. */
  loginFailures: number;
  /** The working folder (PWD). */
  cwd: string;
  /** TYPE: ASCII converts line ends. */
  type: 'ascii' | 'binary';
  /** The REST offset for the next transfer. */
  restart: number;
  /** The RNFR path awaiting its RNTO. */
  renameFrom: string | undefined;
  channel: DataChannel;
  /** EPSV ALL was said: PASV, PORT and EPRT are refused. */
  epsvAll: boolean;
  protection: DataProtection;
  /** The facts MLSD and MLST give (`OPTS MLST`), all by default. */
  facts: readonly MlsxFact[];
  /** Whether a transfer runs now. */
  readonly transferring: boolean;
  /** Whether the session is closing or closed (a command that waited finds nothing to do). */
  readonly ending: boolean;
  /** Sends a reply on the control connection. */
  reply(code: number, text: string | readonly string[]): undefined;
  /** The clock's time, as a Date (listings' "now"). */
  now(): Date;
  /** Says `code text` (if given), then closes once it is flushed; a transfer is cut off. */
  close(code?: number, text?: string): undefined;
  /** Closes the data channel set up (a passive listener stops). */
  closeChannel(): void;
  /** Secures the control connection after AUTH TLS's 234: what was queued in the clear is dropped. */
  secure(tls: SecureContext): void;
  /** Runs a transfer on the data channel (used up); resolves once it has answered its last reply. */
  transfer(payload: TransferPayload, mark: string): Promise<void>;
}

/** One command: it replies, now or once its promise settles (a throw answers by its error). */
export type CommandHandler = (session: CommandContext, argument: string) => Promise<void> | undefined;

/**
 * `argument` as a path inside the file system, from the working folder.
 *
 * @throws FtpPathError (550) for a path that leaves the root or cannot be named.
 * @example
 * ```ts
 * sessionPath(session, '../b'); // '/b' from '/a'
 * ```
 */
export function sessionPath(session: CommandContext, argument: string): string {
  return resolveFtpPath(session.cwd, argument);
}

/**
 * Whether the logged-in account may change files.
 *
 * @example
 * ```ts
 * if (!isWritable(session)) return session.reply(550, 'Permission denied.');
 * ```
 */
export function isWritable(session: CommandContext): boolean {
  const login = session.login;
  return login.name === 'logged-in' && login.account.writable;
}
