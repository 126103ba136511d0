/**
 * Addresses of connections and listening ports.
 *
 * @module
 */

/**
 * Where a TCP, TLS or UDP socket is bound or connected. `host` is empty (and `port` 0) when Node
 * could not tell: a peer that reset before its connection was accepted.
 */
export interface InetAddress {
  readonly type: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
  /** Set on a TLS server's listening address, so that `describeEndpoint` says `tls:`. */
  readonly tls?: boolean;
}

/** A Unix domain socket's path (empty for an unnamed client end). */
export interface UnixAddress {
  readonly type: 'unix';
  readonly path: string;
}

/** One end of an in-memory connection (`spindle/testing`). */
export interface MemoryAddress {
  readonly type: 'memory';
  readonly name: string;
}

/**
 * Where a connection or a listening port is.
 *
 * @example
 * ```ts
 * const address = await server.address;
 * if (address.type === 'tcp') console.log(address.port);
 * ```
 */
export type Address = InetAddress | UnixAddress | MemoryAddress;

/**
 * An address as people write it: `127.0.0.1:8080`, `[::1]:8080`, `/tmp/s.sock`, `memory:client`;
 * `an unknown address` for an IP address Node could not tell.
 *
 * @example
 * ```ts
 * formatAddress({ type: 'tcp', host: '::1', port: 80, family: 'IPv6' }); // '[::1]:80'
 * ```
 */
export function formatAddress(address: Address): string {
  switch (address.type) {
    case 'unix':
      return address.path;
    case 'memory':
      return `memory:${address.name}`;
    default:
      if (address.host === '') return 'an unknown address';
      return address.family === 'IPv6'
        ? `[${address.host}]:${address.port}`
        : `${address.host}:${address.port}`;
  }
}

/** Builds an InetAddress from what node:net reports (`family` may be a string or a number). */
export function inetAddress(
  type: 'tcp' | 'udp',
  host: string | undefined,
  port: number | undefined,
  family: string | number | undefined,
): InetAddress {
  const v6 = family === 'IPv6' || family === 6 || (host?.includes(':') ?? false);
  return { type, host: host ?? '', port: port ?? 0, family: v6 ? 'IPv6' : 'IPv4' };
}

/**
 * A listening address as an endpoint description, for messages such as
 * `listening on tcp:8080:interface=127.0.0.1`. A TLS server's address says `tls:` (key and
 * certificate are not repeated); `kind: 'tls'` says so of any TCP address.
 *
 * @example
 * ```ts
 * describeEndpoint(await server.address); // 'tcp:40211:interface=127.0.0.1'
 * ```
 */
export function describeEndpoint(address: Address, kind?: 'tls'): string {
  const escapeColons = (host: string) => host.replaceAll(':', '\\:');
  switch (address.type) {
    case 'unix':
      return `unix:${address.path}`;
    case 'memory':
      return `memory:${address.name}`;
    case 'udp':
      return `udp:${address.port}:interface=${escapeColons(address.host)}`;
    default:
      return `${kind ?? (address.tls === true ? 'tls' : address.family === 'IPv6' ? 'tcp6' : 'tcp')}:${address.port}:interface=${escapeColons(address.host)}`;
  }
}
