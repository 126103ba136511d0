/**
 * Reading `/etc/hosts`: each line an address, a canonical name and its aliases, looked up by
 * name without regard to case (Twisted's `twisted.names.hosts`).
 *
 * @module
 */
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { ipText } from './_ip-address.js';
import { readConfigFile } from './_read-config-file.js';
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
    const spelled = ipText(address);
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
      if (!list.includes(spelled)) list.push(spelled);
    }
  }
  return table;
}

/** The most of a hosts file read: 1 MiB. */
const maxHostsBytes = 1024 * 1024;

/**
 * A hosts file on disk, read again when its modification time or size changes (checked on
 * each lookup, as Twisted's hosts resolver reads the file on each lookup); a missing file has no
 * names.
 *
 * @example
 * ```ts
 * const hosts = new HostsFile('/etc/hosts');
 * hosts.lookup('localhost')?.ipv4; // ['127.0.0.1']
 * ```
 */
export class HostsFile {
  private _version: string | undefined;
  private _table: HostsTable = new Map();

  constructor(readonly path: string) {}

  /**
   * The addresses of `name`, without regard to case; undefined when the file does not name it.
   *
   * @throws InvalidNameError for a name that is not a domain name; the file system's error for
   * anything but a missing file.
   */
  lookup(name: string): HostAddresses | undefined {
    const key = nameKey(name);
    const stat = statSync(this.path, { throwIfNoEntry: false });
    const version = stat === undefined ? undefined : `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    if (version !== this._version) {
      this._table = parseHostsFile(readConfigFile(this.path, maxHostsBytes) ?? '');
      this._version = version;
    }
    return this._table.get(key);
  }
}
