/**
 * Where mail for a domain goes (RFC 5321 section 5.1): its exchangers in the order to try them,
 * and each one's addresses.
 *
 * @module
 */
import { isIP } from 'node:net';
import type { RecordOf } from '../../protocols/dns/message.js';
import type { Deferred } from '../../source/deferred.js';
import type { Failure } from '../../source/failure.js';
import type { MailResolver } from './mail-resolver.js';
import { SMTPClientError } from './smtp-error.js';

/** A mail exchanger: its host name (or address) and its preference (lower is tried first). */
export interface Exchanger {
  readonly name: string;
  readonly preference: number;
}

/**
 * The exchangers of `domain`, in the order to try them: by preference, in a random order among
 * equal preferences. A domain without MX records is its own exchanger (the implicit MX); a null
 * MX (RFC 7505: `0 .`) fails with SMTPClientError (`'null-mx'`); NXDOMAIN fails with the
 * resolver's DomainError.
 *
 * @example
 * ```ts
 * mailExchangers(resolver, 'example.com').addCallback((list) => list.map((mx) => mx.name));
 * ```
 */
export function mailExchangers(
  resolver: MailResolver,
  domain: string,
  random: () => number = Math.random,
): Deferred<Exchanger[]> {
  return resolver.lookupMailExchange(domain).addCallback((records) => {
    if (records.some((record) => record.exchange === '' || record.exchange === '.')) {
      throw new SMTPClientError('null-mx', `${domain} takes no mail (null MX, RFC 7505)`);
    }
    if (records.length === 0) return [{ name: domain, preference: 0 }];
    return orderExchangers(records, random);
  });
}

/**
 * `records` sorted by preference, shuffled (Fisher-Yates) among equal preferences.
 *
 * @example
 * ```ts
 * orderExchangers(records, () => 0.5).map((mx) => mx.name); // ['mx1.test', 'mx2.test']
 * ```
 */
export function orderExchangers(records: readonly RecordOf<'MX'>[], random: () => number): Exchanger[] {
  const list = records.map((record) => ({ name: record.exchange, preference: record.preference }));
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list.sort((a, b) => a.preference - b.preference);
}

/** A lookup's addresses, or why it failed. */
type Found = { readonly addresses: readonly string[] } | { readonly failure: Failure };

function found(lookup: Deferred<readonly { readonly address: string }[]>): Deferred<Found> {
  return lookup.addCallbacks(
    (records): Found => ({ addresses: records.map((record) => record.address) }),
    (failure): Found => ({ failure }),
  );
}

/**
 * The addresses of an exchanger: IPv4 (A) then IPv6 (AAAA); an IP address is its own. Fails
 * with the lookup's error when both lookups fail, or SMTPClientError (`'no-exchanger'`) when
 * the name has no address.
 *
 * @example
 * ```ts
 * exchangerAddresses(resolver, 'mx1.example.com'); // ['192.0.2.25', '2001:db8::25']
 * ```
 */
export function exchangerAddresses(resolver: MailResolver, name: string): Deferred<readonly string[]> {
  return found(resolver.lookupAddress(name)).addCallback((v4) =>
    found(resolver.lookupIPV6Address(name)).addCallback((v6) => {
      const addresses = [v4, v6].flatMap((each) => ('addresses' in each ? each.addresses : []));
      if (addresses.length > 0) return addresses;
      if ('failure' in v4) throw v4.failure.value;
      if ('failure' in v6) throw v6.failure.value;
      throw new SMTPClientError('no-exchanger', `${name} has no address to deliver mail to`);
    }),
  );
}

/**
 * Whether `name` needs no lookup: an IP address, or an address literal (`[192.0.2.1]`,
 * `[IPv6:2001:db8::1]`); the address, if so.
 *
 * @example
 * ```ts
 * literalAddress('[IPv6:::1]'); // '::1'
 * ```
 */
export function literalAddress(name: string): string | undefined {
  const inside = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(name)?.[1] ?? name;
  return isIP(inside) === 0 ? undefined : inside;
}
