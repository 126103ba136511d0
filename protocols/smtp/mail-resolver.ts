/**
 * `MailResolver`: the DNS lookups the SMTP client needs to find where a domain's mail goes (its
 * MX records, and each exchanger's addresses).
 *
 * @module
 */
import type { RecordOf } from '../../protocols/dns/message.js';
import type { Deferred } from '../../source/deferred.js';

/**
 * What `sendMail` looks mail exchangers up with: Spindle's DNS `Resolver`, or anything with its
 * three lookups (a test's fake).
 *
 * @example
 * ```ts
 * const resolver: MailResolver = new Resolver({ servers: [{ host: '127.0.0.1', port: 5353 }] });
 * ```
 */
export interface MailResolver {
  lookupMailExchange(name: string): Deferred<RecordOf<'MX'>[]>;
  lookupAddress(name: string): Deferred<RecordOf<'A'>[]>;
  lookupIPV6Address(name: string): Deferred<RecordOf<'AAAA'>[]>;
}
