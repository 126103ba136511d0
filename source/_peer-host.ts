/**
 * `peerHost`: the host of an address as servers compare peers (per-peer connection limits, FTP's
 * bounce and passive checks).
 *
 * @module
 */
import type { Address } from './address.js';

/**
 * The host of an address as the bounce and passive checks compare it: an IPv4-mapped IPv6
 * address (`::ffff:1.2.3.4`, a dual-stack socket's name for an IPv4 peer) as its IPv4 address;
 * `memory:name` for an in-memory end; undefined for a Unix socket or an unknown address.
 *
 * @example
 * ```ts
 * peerHost({ type: 'tcp', host: '::ffff:127.0.0.1', port: 5000, family: 'IPv6' }); // '127.0.0.1'
 * ```
 */
export function peerHost(address: Address): string | undefined {
  if (address.type === 'memory') return `memory:${address.name}`;
  if (address.type !== 'tcp' || address.host === '') return undefined;
  const host = address.host;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(host) ? host.slice(7) : host.toLowerCase();
}
