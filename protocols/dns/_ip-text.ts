/**
 * IP addresses in the one text form a socket reports them in.
 *
 * @module
 */
import { isIP, SocketAddress } from 'node:net';

/**
 * `address` as Node's sockets write it: IPv6 compressed and lower-cased (`0:0::1` → `::1`), a
 * zone index (`%eth0`) kept; IPv4 and anything that is not an address unchanged.
 *
 * @example
 * ```ts
 * ipText('FE80:0:0:0:0:0:0:1%eth0'); // 'fe80::1%eth0'
 * ```
 */
export function ipText(address: string): string {
  if (isIP(address) !== 6) return address;
  const [bare = address, zone] = address.split('%', 2);
  const text = new SocketAddress({ address: bare, family: 'ipv6' }).address;
  return zone === undefined ? text : `${text}%${zone}`;
}
