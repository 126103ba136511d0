/**
 * The FTPS commands (RFC 4217): AUTH TLS secures the control connection, PBSZ and PROT set the
 * data connections' protection. Private to protocols/ftp.
 *
 * @module
 */
import type { CommandContext } from './_command-context.js';

/**
 * AUTH TLS (or its old names TLS-C and SSL): 234, then the TLS handshake; 502 when the server has
 * no certificate.
 *
 * @example
 * ```ts
 * auth(session, 'TLS'); // 234 Proceed with negotiation.
 * ```
 */
export function auth(session: CommandContext, argument: string): undefined {
  const tls = session.settings.tls;
  if (tls === undefined) return session.reply(502, 'TLS is not configured.');
  if (session.connection.secure) return session.reply(503, 'Already using TLS.');
  if (!/^(TLS|TLS-C|SSL)$/i.test(argument.trim())) return session.reply(504, 'Unknown AUTH type.');
  session.reply(234, 'Proceed with negotiation.');
  session.secure(tls);
  return undefined;
}

/**
 * PBSZ: taken (as 0, TLS has no buffer size) once the control connection is secure.
 *
 * @example
 * ```ts
 * pbsz(session, '0'); // 200 PBSZ=0
 * ```
 */
export function pbsz(session: CommandContext, argument: string): undefined {
  if (!session.connection.secure) return session.reply(503, 'PBSZ needs AUTH TLS first.');
  if (!/^\d+$/.test(argument.trim())) return session.reply(501, 'PBSZ takes a number.');
  if (session.protection === 'unset') session.protection = 'clear';
  return session.reply(200, 'PBSZ=0');
}

/**
 * PROT C or P, after PBSZ: clear or TLS data connections; S and E are refused (536).
 *
 * @example
 * ```ts
 * prot(session, 'P'); // 200 PROT now Private.
 * ```
 */
export function prot(session: CommandContext, argument: string): undefined {
  if (!session.connection.secure) return session.reply(503, 'PROT needs AUTH TLS first.');
  if (session.protection === 'unset') return session.reply(503, 'PROT needs PBSZ first.');
  const level = argument.trim().toUpperCase();
  if (level === 'C') {
    session.protection = 'clear';
    return session.reply(200, 'PROT now Clear.');
  }
  if (level === 'P') {
    session.protection = 'private';
    return session.reply(200, 'PROT now Private.');
  }
  if (level === 'S' || level === 'E') return session.reply(536, 'PROT level not supported.');
  return session.reply(504, 'PROT takes C or P.');
}
