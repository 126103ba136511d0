/**
 * Reading `/etc/resolv.conf` as glibc's stub resolver does: the name servers, the search list
 * and the `options` line, with glibc's defaults for what the file leaves out.
 *
 * @module
 */
import { isIP } from 'node:net';
import { readConfigFile } from './_read-config-file.js';
import { canonicalName, nameKey } from './domain-name.js';

/** A name server to ask: an IPv4 or IPv6 address and a UDP/TCP port. */
export interface NameServer {
  readonly host: string;
  readonly port: number;
}

/** What a resolv.conf says, glibc's defaults filled in. */
export interface ResolvConf {
  /** Up to three servers, in the file's order; `127.0.0.1` when the file names none. */
  readonly nameservers: readonly NameServer[];
  /** The search list (the last `search` or `domain` line wins); empty when there is none. */
  readonly search: readonly string[];
  /** Dots a name needs to be tried as is before the search list. Default 1, at most 15. */
  readonly ndots: number;
  /** Seconds to wait for one server. Default 5, at most 30. */
  readonly timeout: number;
  /** Rounds over the servers. Default 2, at most 5. */
  readonly attempts: number;
  /** Spread queries over the servers rather than always starting at the first. Default false. */
  readonly rotate: boolean;
}

/** glibc's `MAXNS`: servers past the third are ignored. */
const maxNameServers = 3;
/** The DNS port. */
export const dnsPort = 53;

/**
 * Reads the text of a resolv.conf. Lines starting with `#` or `;` are comments, as is the rest
 * of a line from a `#` or `;`; unknown keywords, unknown options and addresses that do not
 * parse are skipped, as glibc skips them.
 *
 * @example
 * ```ts
 * parseResolvConf('nameserver ::1\nsearch example.com\noptions ndots:2 rotate\n');
 * // { nameservers: [{ host: '::1', port: 53 }], search: ['example.com'], ndots: 2, timeout: 5, attempts: 2, rotate: true }
 * ```
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: NameServer[] = [];
  let search: string[] = [];
  let ndots = 1;
  let timeout = 5;
  let attempts = 2;
  let rotate = false;
  for (const line of text.split(/\r?\n/)) {
    const [keyword, ...values] = line
      .replace(/[#;].*/, '')
      .trim()
      .split(/\s+/);
    if (keyword === 'nameserver') {
      const host = values[0];
      if (host !== undefined && isIP(host) !== 0 && nameservers.length < maxNameServers) {
        nameservers.push({ host, port: dnsPort });
      }
    } else if (keyword === 'domain' || keyword === 'search') {
      search = domains(keyword === 'domain' ? values.slice(0, 1) : values);
    } else if (keyword === 'options') {
      for (const option of values) {
        const [name, value] = option.split(':', 2);
        const number = value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
        if (name === 'ndots' && number !== undefined) ndots = Math.min(number, 15);
        else if (name === 'timeout' && number !== undefined) timeout = Math.min(Math.max(number, 1), 30);
        else if (name === 'attempts' && number !== undefined) attempts = Math.min(Math.max(number, 1), 5);
        else if (name === 'rotate') rotate = true;
      }
    }
  }
  if (nameservers.length === 0) nameservers.push({ host: '127.0.0.1', port: dnsPort });
  return { nameservers, search, ndots, timeout, attempts, rotate };
}

/** The valid domain names of a search line, without duplicates, in their one spelling. */
function domains(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const value of values) {
    let name: string;
    try {
      name = canonicalName(value);
    } catch {
      continue;
    }
    const key = nameKey(name);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    kept.push(name);
  }
  return kept;
}

/** The most of a resolv.conf read: 64 KiB. */
const maxResolvConfBytes = 64 * 1024;

/**
 * Reads and parses the resolv.conf at `path`; a missing file gives glibc's defaults.
 *
 * @throws the file system's error for anything but a missing file.
 * @example
 * ```ts
 * const { nameservers } = readResolvConf('/etc/resolv.conf');
 * ```
 */
export function readResolvConf(path: string): ResolvConf {
  return parseResolvConf(readConfigFile(path, maxResolvConfBytes) ?? '');
}
