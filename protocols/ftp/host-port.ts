/**
 * The addresses of FTP data connections, both ways: PASV (RFC 959) and EPSV (RFC 2428) replies,
 * PORT and EPRT arguments.
 *
 * @module
 */
import { isIP } from 'node:net';
import { CommandError } from './command-error.js';
import { ReplyError } from './reply-error.js';

/** Where a data connection goes. */
export interface HostPort {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The address, in Node's spelling: `'127.0.0.1'`, `'::1'`. */
  readonly address: string;
  /** From 1 to 65535. */
  readonly port: number;
}

/**
 * The text of a 227 reply to PASV (RFC 959 §4.1.2): `Entering Passive Mode (h1,h2,h3,h4,p1,p2)`.
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, as a dual-stack socket names its IPv4 peers)
 * is written as its IPv4 address.
 *
 * @throws RangeError for an address that is not IPv4 (PASV cannot name an IPv6 one: use EPSV)
 * or a port outside 1-65535.
 * @example
 * ```ts
 * formatReply(227, formatPasv('127.0.0.1', 50000)); // 227 Entering Passive Mode (127,0,0,1,195,80)
 * ```
 */
export function formatPasv(address: string, port: number): string {
  return `Entering Passive Mode (${formatPort(address, port)})`;
}

/**
 * The host and port of a 227 reply's text, read as curl does: the first six comma-separated
 * numbers anywhere in it, so `Entering Passive Mode (h1,h2,h3,h4,p1,p2).`, `=h1,h2,…` and the
 * unparenthesised forms servers send all work. A client behind NAT usually connects to the
 * control connection's address rather than the one given here.
 *
 * @throws ReplyError (`'address'`) when there are no six numbers, or they are no IPv4 address
 * and port.
 * @example
 * ```ts
 * parsePasvReply('Entering Passive Mode (127,0,0,1,195,80).'); // { family: 4, address: '127.0.0.1', port: 50000 }
 * ```
 */
export function parsePasvReply(text: string): HostPort {
  const numbers =
    /(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})/.exec(text);
  const hostPort = numbers === null ? undefined : fromBytes(numbers.slice(1).map(Number));
  if (hostPort === undefined) {
    throw new ReplyError('address', `no address and port in the PASV reply: ${JSON.stringify(text)}`);
  }
  return hostPort;
}

/**
 * The text of a 229 reply to EPSV (RFC 2428 §3): `Entering Extended Passive Mode (|||port|)`.
 *
 * @throws RangeError for a port outside 1-65535.
 * @example
 * ```ts
 * formatReply(229, formatEpsv(50000)); // 229 Entering Extended Passive Mode (|||50000|)
 * ```
 */
export function formatEpsv(port: number): string {
  checkPort(port);
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/**
 * The port of a 229 reply's text: `(<d><d><d>port<d>)` anywhere in it, where the delimiter `d`
 * is any printable ASCII character other than a space, the same four times (RFC 2428 §3). The
 * host is the control connection's.
 *
 * @throws ReplyError (`'address'`) when there is no such port, or it is outside 1-65535.
 * @example
 * ```ts
 * parseEpsvReply('Entering Extended Passive Mode (!!!6446!)'); // 6446
 * ```
 */
export function parseEpsvReply(text: string): number {
  const found = /\(([\x21-\x7e])\1\1(\d{1,5})\1\)/.exec(text);
  const port = found === null ? Number.NaN : Number(found[2]);
  if (!validPort(port)) {
    throw new ReplyError('address', `no port in the EPSV reply: ${JSON.stringify(text)}`);
  }
  return port;
}

/**
 * The argument of a PORT command (RFC 959 §4.1.2): `h1,h2,h3,h4,p1,p2`, as a client sends it.
 * IPv4-mapped IPv6 addresses are written as IPv4.
 *
 * @throws RangeError for an address that is not IPv4 (use EPRT) or a port outside 1-65535.
 * @example
 * ```ts
 * conn.write(`PORT ${formatPort('127.0.0.1', 50000)}\r\n`); // PORT 127,0,0,1,195,80
 * ```
 */
export function formatPort(address: string, port: number): string {
  checkPort(port);
  const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(ipv4) !== 4) throw new RangeError(`not an IPv4 address: ${address}`);
  return `${ipv4.replaceAll('.', ',')},${port >> 8},${port & 0xff}`;
}

/**
 * The address and port of a PORT command's argument: six decimal numbers from 0 to 255,
 * separated by commas, the port (`p1 * 256 + p2`) from 1 to 65535. Whether the server may
 * connect there (only to the client's own address, against the FTP bounce attack) is the
 * session's decision.
 *
 * @throws CommandError (`'argument'`, 501) for anything else.
 * @example
 * ```ts
 * parsePort('127,0,0,1,195,80'); // { family: 4, address: '127.0.0.1', port: 50000 }
 * ```
 */
export function parsePort(argument: string): HostPort {
  const parts = argument.trim().split(',');
  const valid = parts.length === 6 && parts.every((part) => /^\d{1,3}$/.test(part));
  const hostPort = valid ? fromBytes(parts.map(Number)) : undefined;
  if (hostPort === undefined) {
    throw new CommandError('argument', 'PORT takes six numbers from 0 to 255: h1,h2,h3,h4,p1,p2', {
      verb: 'PORT',
    });
  }
  return hostPort;
}

/**
 * The argument of an EPRT command (RFC 2428 §2), as a client sends it: `|1|132.235.1.2|6275|`
 * or `|2|::1|6275|`. IPv4-mapped IPv6 addresses are written as IPv4.
 *
 * @throws RangeError for an address that is not an IP address, or a port outside 1-65535.
 * @example
 * ```ts
 * conn.write(`EPRT ${formatEprt('::1', 50000)}\r\n`); // EPRT |2|::1|50000|
 * ```
 */
export function formatEprt(address: string, port: number): string {
  checkPort(port);
  const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(ipv4) === 4) return `|1|${ipv4}|${port}|`;
  if (isIP(address) === 6) return `|2|${address}|${port}|`;
  throw new RangeError(`not an IP address: ${address}`);
}

/**
 * The address and port of an EPRT command's argument: `<d>family<d>address<d>port<d>`, where
 * the delimiter `d` is any printable ASCII character other than a space (usually `|`), family 1
 * is IPv4 and 2 IPv6 (the address checked with `node:net`'s `isIP`), and the port is from 1 to
 * 65535.
 *
 * @throws CommandError: `'network-protocol'` (522, RFC 2428) for a family other than 1 and 2;
 * `'argument'` (501) for anything else that is wrong.
 * @example
 * ```ts
 * parseEprt('|2|::1|6275|'); // { family: 6, address: '::1', port: 6275 }
 * ```
 */
export function parseEprt(argument: string): HostPort {
  const delimiter = argument[0];
  const parts = delimiter !== undefined && /[\x21-\x7e]/.test(delimiter) ? argument.split(delimiter) : [];
  const [before, family, address = '', port, after] = parts;
  if (parts.length !== 5 || before !== '' || after !== '' || !/^\d+$/.test(family!)) {
    throw new CommandError('argument', 'EPRT takes |family|address|port|', { verb: 'EPRT' });
  }
  if (family !== '1' && family !== '2') {
    throw new CommandError('network-protocol', 'Network protocol not supported, use (1,2)', { verb: 'EPRT' });
  }
  const wanted = family === '1' ? 4 : 6;
  if (isIP(address) !== wanted) {
    throw new CommandError('argument', `EPRT: not an IPv${wanted} address`, { verb: 'EPRT' });
  }
  const number = /^\d{1,5}$/.test(port!) ? Number(port) : Number.NaN;
  if (!validPort(number))
    throw new CommandError('argument', 'EPRT: the port is not from 1 to 65535', { verb: 'EPRT' });
  return { family: wanted, address, port: number };
}

/** The host and port of six numbers, or `undefined` when they are no IPv4 address and port. */
function fromBytes(bytes: readonly number[]): HostPort | undefined {
  if (bytes.some((byte) => byte > 255)) return undefined;
  const port = bytes[4]! * 256 + bytes[5]!;
  if (!validPort(port)) return undefined;
  return { family: 4, address: bytes.slice(0, 4).join('.'), port };
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function checkPort(port: number): void {
  if (!validPort(port)) throw new RangeError(`a port is an integer from 1 to 65535, not ${port}`);
}
