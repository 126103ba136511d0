/**
 * `parseServerAddress`: a DNS server's address as people write it (`IP`, `IP:PORT`,
 * `[IPv6]:PORT`), for `Resolver`'s `servers`.
 *
 * @module
 */
import { isIP } from 'node:net';

/**
 * `IP`, `IP:PORT`, a bare IPv6 address or `[IPv6]:PORT` as `{ host, port }` (port 53 unless
 * given); `undefined` when it is none of those (a name, a bad port).
 *
 * @example
 * ```ts
 * parseServerAddress('127.0.0.1:5353'); // { host: '127.0.0.1', port: 5353 }
 * parseServerAddress('::1');            // { host: '::1', port: 53 }
 * new Resolver({ servers: [parseServerAddress('[::1]:53')!] });
 * ```
 */
export function parseServerAddress(text: string): { host: string; port: number } | undefined {
  if (isIP(text) !== 0) return { host: text, port: 53 };
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const [, host, port] = match as unknown as [string, string, string];
  const number = Number(port);
  if (isIP(host) === 0 || number < 1 || number > 65_535) return undefined;
  return { host, port: number };
}
