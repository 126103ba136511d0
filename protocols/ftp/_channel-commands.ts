/**
 * The FTP commands that set up the next data connection: PASV and EPSV (a passive listener), PORT
 * and EPRT (an active target, only the client's own address: no FTP bounce), and ABOR with no
 * transfer running. Private to protocols/ftp.
 *
 * @module
 */

import { peerHost } from '../../source/_peer-host.js';
import { formatAddress } from '../../source/address.js';
import { Logger } from '../../source/log.js';
import type { CommandContext } from './_command-context.js';
import { PassiveListener } from './_data-channel.js';
import { formatEpsv, formatPasv, type HostPort, parseEprt, parsePort } from './host-port.js';

const log = new Logger('spindle.ftp.server');

/** A new passive listener (the previous channel closed); 425 when no port is free. */
async function passiveListener(session: CommandContext): Promise<PassiveListener | undefined> {
  session.closeChannel();
  const { reactor, ports } = session.settings;
  const local = session.connection.localAddress;
  const host = local.type === 'tcp' && local.host !== '' ? local.host : undefined;
  let listener: PassiveListener;
  try {
    listener = await PassiveListener.open(reactor, host, ports, session.peerHost);
  } catch (error) {
    log.warn(`no passive port: ${(error as Error).message}`, { error });
    session.reply(425, 'Could not enter passive mode.');
    return undefined;
  }
  if (session.ending) {
    listener.close();
    return undefined;
  }
  session.channel = { kind: 'passive', listener };
  return listener;
}

/**
 * PASV: a passive listener, named by the configured `passiveAddress` or the control connection's
 * own IPv4 address (425 over IPv6: EPSV then).
 *
 * @example
 * ```ts
 * await pasv(session); // 227 Entering Passive Mode (127,0,0,1,195,80).
 * ```
 */
export async function pasv(session: CommandContext): Promise<void> {
  if (session.epsvAll) return session.reply(501, 'PASV not allowed after EPSV ALL.');
  const host = session.settings.passiveAddress ?? peerHost(session.connection.localAddress) ?? '';
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    return session.reply(425, 'PASV cannot name this address: use EPSV.');
  }
  const listener = await passiveListener(session);
  if (listener !== undefined) session.reply(227, formatPasv(host, listener.port));
}

/**
 * EPSV (RFC 2428): a passive listener named by its port alone; `EPSV ALL` refuses the other
 * channel commands from then on; a family other than the control connection's is 522.
 *
 * @example
 * ```ts
 * await epsv(session, ''); // 229 Entering Extended Passive Mode (|||50000|)
 * ```
 */
export async function epsv(session: CommandContext, argument: string): Promise<void> {
  const value = argument.trim().toUpperCase();
  if (value === 'ALL') {
    session.epsvAll = true;
    return session.reply(200, 'EPSV ALL ok.');
  }
  const local = session.connection.localAddress;
  const family = local.type === 'tcp' ? local.family : undefined;
  if (value !== '' && value !== '1' && value !== '2') return session.reply(501, 'EPSV takes 1, 2 or ALL.');
  if (value !== '' && family !== undefined && value !== (family === 'IPv4' ? '1' : '2')) {
    return session.reply(522, `Network protocol not supported, use (${family === 'IPv4' ? 1 : 2})`);
  }
  const listener = await passiveListener(session);
  if (listener !== undefined) session.reply(229, formatEpsv(listener.port));
}

/** PORT and EPRT: only to the control connection's own peer, never a privileged port (bounce attack). */
function active(session: CommandContext, verb: string, parse: () => HostPort): undefined {
  if (session.epsvAll) return session.reply(501, `${verb} not allowed after EPSV ALL.`);
  const target = parse(); // a CommandError answers 501 or 522
  const host = target.address.toLowerCase();
  if (session.peerHost === undefined || host !== session.peerHost) {
    log.warn(
      `refused ${verb} to ${target.address}:${target.port} from ${formatAddress(session.connection.remoteAddress)}`,
    );
    return session.reply(501, 'Rejected data connection to a foreign address.');
  }
  if (target.port < 1024) return session.reply(501, 'Rejected data connection to a privileged port.');
  session.closeChannel();
  session.channel = { kind: 'active', target };
  return session.reply(200, `${verb} command successful. Consider using PASV.`);
}

/**
 * PORT: the server connects to the client's `h1,h2,h3,h4,p1,p2` for the next transfer.
 *
 * @example
 * ```ts
 * port(session, '127,0,0,1,195,80'); // 200 PORT command successful. Consider using PASV.
 * ```
 */
export function port(session: CommandContext, argument: string): undefined {
  return active(session, 'PORT', () => parsePort(argument));
}

/**
 * EPRT (RFC 2428): PORT for IPv4 and IPv6, `|family|address|port|`.
 *
 * @example
 * ```ts
 * eprt(session, '|1|127.0.0.1|50000|'); // 200 EPRT command successful. Consider using PASV.
 * ```
 */
export function eprt(session: CommandContext, argument: string): undefined {
  return active(session, 'EPRT', () => parseEprt(argument));
}

/**
 * ABOR with no transfer running (during one, the session acts on it at once): the channel set up
 * is dropped, 225.
 *
 * @example
 * ```ts
 * abor(session); // 225 No transfer to abort.
 * ```
 */
export function abor(session: CommandContext): undefined {
  session.closeChannel();
  return session.reply(225, 'No transfer to abort.');
}
