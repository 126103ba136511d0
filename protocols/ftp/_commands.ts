/**
 * `runCommand`: the FTP server's command table: which handler runs each verb, which verbs are
 * taken before login, RFC 775's old spellings, and the known verbs left unimplemented. Private to
 * protocols/ftp.
 *
 * @module
 */
import { abor, eprt, epsv, pasv, port } from './_channel-commands.js';
import type { CommandContext, CommandHandler } from './_command-context.js';
import { cdup, cwd, dele, mdtm, mkd, mlst, pwd, rmd, rnfr, rnto, size, stat } from './_file-commands.js';
import { pass, user } from './_login-commands.js';
import { allo, feat, mode, noop, opts, quit, rest, stru, syst, type } from './_setting-commands.js';
import { auth, pbsz, prot } from './_tls-commands.js';
import { appe, list, mlsd, nlst, retr, stor, stou } from './_transfer-commands.js';

/** HELP: the verbs this table takes. */
const help: CommandHandler = (session) =>
  session.reply(214, [
    'The following commands are recognized.',
    [...commands.keys()].sort().join(' '),
    'Help OK.',
  ]);

/** Every verb the server carries out, and its handler. */
const commands = new Map<string, CommandHandler>([
  ['USER', user],
  ['PASS', pass],
  ['AUTH', auth],
  ['PBSZ', pbsz],
  ['PROT', prot],
  ['FEAT', feat],
  ['QUIT', quit],
  ['SYST', syst],
  ['NOOP', noop],
  ['HELP', help],
  ['ALLO', allo],
  ['OPTS', opts],
  ['TYPE', type],
  ['MODE', mode],
  ['STRU', stru],
  ['REST', rest],
  ['PWD', pwd],
  ['CWD', cwd],
  ['CDUP', cdup],
  ['SIZE', size],
  ['MDTM', mdtm],
  ['MLST', mlst],
  ['STAT', stat],
  ['DELE', dele],
  ['MKD', mkd],
  ['RMD', rmd],
  ['RNFR', rnfr],
  ['RNTO', rnto],
  ['PASV', pasv],
  ['EPSV', epsv],
  ['PORT', port],
  ['EPRT', eprt],
  ['ABOR', abor],
  ['LIST', list],
  ['NLST', nlst],
  ['MLSD', mlsd],
  ['RETR', retr],
  ['STOR', stor],
  ['APPE', appe],
  ['STOU', stou],
]);

/** Commands taken before login (RFC 4217 lets PBSZ and PROT come before USER). */
const beforeLogin = new Set(['USER', 'PASS', 'AUTH', 'FEAT', 'QUIT', 'PBSZ', 'PROT']);
/** Commands known and not implemented: 502. */
const notImplemented = new Set(['ACCT', 'SMNT', 'REIN', 'SITE', 'ADAT', 'CCC', 'CONF', 'ENC', 'MIC']);
/** RFC 775's old spellings, as vsftpd takes them. */
const aliases: Readonly<Record<string, string>> = {
  XPWD: 'PWD',
  XCWD: 'CWD',
  XCUP: 'CDUP',
  XMKD: 'MKD',
  XRMD: 'RMD',
};

/**
 * Runs one command (`verb` upper-cased): 530 before login for all but the few taken then, 502
 * for a known verb not implemented, 500 for an unknown one. Any command but RNTO forgets a
 * pending RNFR. Returns the handler's promise when it has to be waited for; a throw (or a
 * rejection) is for the session to answer.
 *
 * @example
 * ```ts
 * const running = runCommand(session, 'CWD', 'docs');
 * ```
 */
export function runCommand(
  session: CommandContext,
  given: string,
  argument: string,
): Promise<void> | undefined {
  const verb = aliases[given] ?? given;
  if (session.login.name !== 'logged-in' && !beforeLogin.has(verb)) {
    return session.reply(530, 'Please login with USER and PASS.');
  }
  if (verb !== 'RNTO') session.renameFrom = undefined;
  const handler = commands.get(verb);
  if (handler !== undefined) return handler(session, argument);
  if (notImplemented.has(verb)) return session.reply(502, `${verb} not implemented.`);
  return session.reply(500, 'Unknown command.');
}
