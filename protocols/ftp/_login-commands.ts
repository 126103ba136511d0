/**
 * The FTP login commands: USER and PASS, checked by the server's `FtpChecker`. Private to
 * protocols/ftp.
 *
 * @module
 */
import { formatAddress } from '../../source/address.js';
import { maybeDeferred } from '../../source/deferred.js';
import { Logger } from '../../source/log.js';
import type { CommandContext } from './_command-context.js';
import type { FtpAccount } from './users.js';

const log = new Logger('spindle.ftp.server');

/**
 * USER: notes the name and asks for its password (331); refused once logged in, and before AUTH
 * TLS when the server requires TLS.
 *
 * @example
 * ```ts
 * user(session, 'alice'); // 331 Please specify the password.
 * ```
 */
export function user(session: CommandContext, argument: string): undefined {
  if (session.login.name === 'logged-in') return session.reply(530, "Can't change to another user.");
  if (argument === '') return session.reply(501, 'USER needs a user name.');
  if (session.settings.requireTls && !session.connection.secure) {
    return session.reply(530, 'TLS required: use AUTH TLS before logging in.');
  }
  session.login = { name: 'awaiting-password', user: argument };
  return session.reply(331, 'Please specify the password.');
}

/**
 * PASS: asks the checker (a failure of it refuses, logged); 230, or 530 and back to USER, the
 * last allowed failure followed by 421 and closing.
 *
 * @example
 * ```ts
 * await pass(session, 'secret'); // 230 Login successful.
 * ```
 */
export async function pass(session: CommandContext, password: string): Promise<void> {
  const login = session.login;
  if (login.name === 'logged-in') return session.reply(230, 'Already logged in.');
  if (login.name !== 'awaiting-password') return session.reply(503, 'Login with USER first.');
  const connection = session.connection;
  let account: FtpAccount | undefined;
  try {
    account = await maybeDeferred(session.settings.checker, {
      user: login.user,
      password,
      peer: connection.remoteAddress,
      secure: connection.secure,
    });
  } catch (error) {
    log.error(`the FTP checker failed on ${login.user} from ${formatAddress(connection.remoteAddress)}`, {
      error,
    });
  }
  if (session.ending) return;
  if (account === undefined) {
    session.login = { name: 'awaiting-user' };
    session.loginFailures++;
    session.reply(530, 'Login incorrect.');
    if (session.loginFailures >= session.settings.maxLoginFailures) {
      session.close(421, 'Too many failed logins.');
    }
    return;
  }
  session.login = { name: 'logged-in', account };
  session.reply(230, 'Login successful.');
}
