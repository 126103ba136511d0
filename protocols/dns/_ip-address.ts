/**
 * IP addresses in the text forms of A and AAAA records: IPv4 as a strict dotted quad, IPv6 in
 * its compressed form (RFC 5952), from text or from bytes.
 *
 * @module
 */
import { SocketAddress } from 'node:net';
import { RecordSyntaxError } from './zone-error.js';

/**
 * `text` if it is a dotted quad: four decimal numbers up to 255, no leading zeros (which some
 * readers take for octal).
 *
 * @throws RecordSyntaxError otherwise.
 * @example
 * ```ts
 * ipv4Text('192.0.2.1'); // '192.0.2.1'
 * ```
 */
export function ipv4Text(text: string): string {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)) {
    throw new RecordSyntaxError(`bad IPv4 address "${text}"`);
  }
  return text;
}

/**
 * `text` as an IPv6 address in its compressed form (`2001:DB8:0::1` → `2001:db8::1`).
 *
 * @throws RecordSyntaxError for anything else, zone indexes (`%eth0`) included.
 * @example
 * ```ts
 * ipv6Text('2001:DB8:0:0:0:0:0:1'); // '2001:db8::1'
 * ```
 */
export function ipv6Text(text: string): string {
  if (text.includes('%') || !/^[0-9a-fA-F:.]+$/.test(text))
    throw new RecordSyntaxError(`bad IPv6 address "${text}"`);
  try {
    return new SocketAddress({ address: text, family: 'ipv6' }).address;
  } catch {
    throw new RecordSyntaxError(`bad IPv6 address "${text}"`);
  }
}

/**
 * The text of 4 (IPv4) or 16 (IPv6) address bytes.
 *
 * @example
 * ```ts
 * addressFromBytes(Uint8Array.of(127, 0, 0, 1)); // '127.0.0.1'
 * ```
 */
export function addressFromBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return ipv6Text(groups.join(':'));
}
