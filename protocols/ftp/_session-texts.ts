/**
 * The longer texts of an FTP session's replies: FEAT's list, STAT's status, and paths as 257
 * quotes them. Private to protocols/ftp.
 *
 * @module
 */
import { formatAddress } from '../../source/address.js';
import type { CommandContext } from './_command-context.js';
import type { SessionSettings } from './_session-settings.js';
import { type MlsxFact, mlsxFacts } from './listing.js';

/**
 * `"path"` as 257 replies quote it: a quote in it doubled (RFC 959 appendix II).
 *
 * @example
 * ```ts
 * quotePath('/a "b"'); // '"/a ""b"""'
 * ```
 */
export function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}

/**
 * FEAT's reply lines (RFC 2389): the extensions, AUTH TLS, PBSZ and PROT only with a certificate.
 *
 * @example
 * ```ts
 * session.reply(211, featureLines(settings, session.facts));
 * ```
 */
export function featureLines(settings: SessionSettings, facts: readonly MlsxFact[]): string[] {
  // every fact this server knows, each selected one starred (RFC 3659 section 7.8)
  const mlst = mlsxFacts.map((fact) => `${fact}${facts.includes(fact) ? '*' : ''};`).join('');
  const features = ['EPRT', 'EPSV', 'MDTM', `MLST ${mlst}`, 'PASV', 'REST STREAM', 'SIZE', 'TVFS', 'UTF8'];
  if (settings.tls !== undefined) features.unshift('AUTH TLS', 'PBSZ', 'PROT');
  return ['Features:', ...features, 'End'];
}

/**
 * STAT's reply lines without an argument: who is connected and logged in, TYPE, the timeout, TLS,
 * and whether a transfer runs (vsftpd's wording).
 *
 * @example
 * ```ts
 * session.reply(211, statusLines(session));
 * ```
 */
export function statusLines(session: CommandContext): string[] {
  const login = session.login;
  const connection = session.connection;
  return [
    'FTP server status:',
    `Connected to ${session.peerHost ?? formatAddress(connection.remoteAddress)}`,
    login.name === 'logged-in' ? `Logged in as ${login.account.user}` : 'Not logged in',
    `TYPE: ${session.type === 'ascii' ? 'ASCII' : 'BINARY'}`,
    `Session timeout in seconds is ${session.settings.idleTimeout}`,
    `Control connection is ${connection.secure ? 'TLS' : 'plain text'}`,
    `Data connections will be ${session.protection === 'private' ? 'TLS' : 'plain text'}`,
    ...(session.transferring ? ['A transfer is in progress'] : []),
    'End of status',
  ];
}
