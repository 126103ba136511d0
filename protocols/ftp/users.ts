/**
 * Who may log in to an FTP server, and what they may do: `FtpChecker`, the pluggable check of
 * USER/PASS (Twisted's credential checkers), and `ftpUsers`, a checker over a table of names and
 * passwords with anonymous access.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Address } from '../../source/address.js';

/**
 * What a client gave to log in, and where it is.
 *
 * @example
 * ```ts
 * const checker: FtpChecker = ({ user, password, secure }) => (secure && user === 'ops' && password === secret ? { user, writable: true } : undefined);
 * ```
 */
export interface FtpCredentials {
  /** The USER argument, as sent. */
  readonly user: string;
  /** The PASS argument, as sent (`''` when PASS came without one). */
  readonly password: string;
  /** The control connection's peer. */
  readonly peer: Address;
  /** Whether the control connection is encrypted (AUTH TLS done). */
  readonly secure: boolean;
}

/**
 * A logged-in user: its name (STAT shows it) and whether it may change files (STOR, APPE, STOU,
 * DELE, MKD, RMD, RNFR/RNTO; refused with 550 otherwise).
 *
 * @example
 * ```ts
 * const account: FtpAccount = { user: 'anonymous', writable: false };
 * ```
 */
export interface FtpAccount {
  readonly user: string;
  readonly writable: boolean;
}

/**
 * Checks a login: the account to log in as, or `undefined` to refuse it (530), as it is or as a
 * promise or a Deferred. A throw or a rejection refuses it too (and is logged).
 *
 * @example
 * ```ts
 * const checker: FtpChecker = async ({ user, password }) => ((await db.verify(user, password)) ? { user, writable: true } : undefined);
 * ```
 */
export type FtpChecker = (
  credentials: FtpCredentials,
) => FtpAccount | undefined | PromiseLike<FtpAccount | undefined>;

/**
 * A named user of `ftpUsers`: its password, and whether it may write (default true).
 *
 * @example
 * ```ts
 * const alice: FtpUser = { password: 'wonderland', writable: false };
 * ```
 */
export interface FtpUser {
  readonly password: string;
  readonly writable?: boolean;
}

/**
 * Options of `ftpUsers`.
 *
 * @example
 * ```ts
 * ftpUsers({ alice: { password: 'x' } }, { anonymous: 'none' });
 * ```
 */
export interface FtpUsersOptions {
  /**
   * Whether `anonymous` and `ftp` (any password, as RFC 1635 has it) may log in: `'read'` only
   * to download and list, `'write'` to upload and change files too, `'none'` not at all.
   * Default `'read'`.
   */
  readonly anonymous?: 'none' | 'read' | 'write';
}

const anonymousNames = new Set(['anonymous', 'ftp']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * A checker over a table of users (name → password and write permission), with anonymous access
 * as `options.anonymous` says (read-only by default: what `ftpServer` uses when given no
 * checker). Passwords are compared in constant time (by their SHA-256 digests, so their lengths
 * do not show either). A named user called `anonymous` or `ftp` takes precedence over anonymous
 * access.
 *
 * @example
 * ```ts
 * const server = ftpServer({
 *   root: '/srv/ftp',
 *   checker: ftpUsers({ alice: { password: 'wonderland' }, bob: { password: 'builder', writable: false } }),
 * });
 * ```
 */
export function ftpUsers(
  users: Readonly<Record<string, FtpUser>> = {},
  options: FtpUsersOptions = {},
): FtpChecker {
  const anonymous = options.anonymous ?? 'read';
  const table = new Map(
    Object.entries(users).map(([name, user]) => [
      name,
      { digest: digest(user.password), writable: user.writable ?? true },
    ]),
  );
  return ({ user, password }) => {
    const entry = table.get(user);
    if (entry !== undefined) {
      return timingSafeEqual(entry.digest, digest(password)) ? { user, writable: entry.writable } : undefined;
    }
    if (anonymous !== 'none' && anonymousNames.has(user.toLowerCase())) {
      return { user: 'anonymous', writable: anonymous === 'write' };
    }
    return undefined;
  };
}
