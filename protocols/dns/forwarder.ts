/**
 * `Forwarder`: where a DNS server sends the questions its zones do not hold.
 *
 * @module
 */
import type { Deferred } from '../../source/deferred.js';
import type { Message, Question } from './message.js';

/**
 * Where a server sends the questions its zones do not hold. A `Resolver` is one (and caches);
 * anything with an `exchange` of the same shape will do.
 *
 * @example
 * ```ts
 * const server = dnsServer({ zones, forward: new Resolver({ servers: [{ host: '127.0.0.1', port: 5300 }] }) });
 * ```
 */
export interface Forwarder {
  /** The upstream's whole response to `question`, whatever its RCODE; errbacks (TimeoutError …) when there is none. */
  exchange(question: Question): Deferred<Message>;
}
