/**
 * Reading `/etc/hosts`: each line an address, a canonical name and its aliases, looked up by
 * name without regard to case (Twisted's `twisted.names.hosts`).
 *
 * @module
 */
import { isIP, SocketAddress } from 'node:net';
import { nameKey } from './domain-name.js';

/** The addresses a hosts file gives one name, in the file's order, without duplicates. */
export interface HostAddresses {
  readonly ipv4: readonly string[];
  /** In compressed form (`::1`), whatever form the file wrote. */
  readonly ipv6: readonly string[];
}

/** A hosts file read: addresses by `nameKey` of each name and alias. */
export type HostsTable = ReadonlyMap<string, HostAddresses>;

/**
 * Reads the text of a hosts file. A `#` starts a comment to the end of the line; a line whose
 * address does not parse, or that has a zone index (`fe80::1%eth0`), is skipped, as is a name
 * that is not a valid domain name.
 *
 * @example
 * ```ts
 * const table = parseHostsFile('127.0.0.1 localhost\n::1 localhost ip6-localhost # loopback\n');
 * table.get('LOCALHOST'.toLowerCase()); // { ipv4: ['127.0.0.1'], ipv6: ['::1'] }
 * ```
 */
export function parseHostsFile(text: string): HostsTable {
  const table = new Map<string, { ipv4: string[]; ipv6: string[] }>();
  for (const line of text.split(/\r?\n/)) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address === undefined || names.length === 0) continue;
    const family = isIP(address);
    if (family === 0 || address.includes('%')) continue;
    const text = family === 4 ? address : new SocketAddress({ address, family: 'ipv6' }).address;
    for (const name of names) {
      let key: string;
      try {
        key = nameKey(name);
      } catch {
        continue;
      }
      const entry = table.get(key) ?? { ipv4: [], ipv6: [] };
      table.set(key, entry);
      const list = family === 4 ? entry.ipv4 : entry.ipv6;
      if (!list.includes(text)) list.push(text);
    }
  }
  return table;
}
