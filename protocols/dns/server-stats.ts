/**
 * `DnsServerStats`: what a DNS server has counted, over every transport it serves.
 *
 * @module
 */

/**
 * What a server has counted since it started.
 *
 * @example
 * ```ts
 * const { queries, answered, rateLimited } = server.stats;
 * ```
 */
export interface DnsServerStats {
  /** Messages received, parseable or not. */
  queries: number;
  /** Responses sent. */
  answered: number;
  /** Malformed queries answered FORMERR. */
  formatErrors: number;
  /** Messages dropped unanswered: unparseable (no id to answer to) or themselves responses. */
  dropped: number;
  /** Responses withheld (or sent empty and truncated) by rate limiting. */
  rateLimited: number;
  /** Queries answered REFUSED (outside the zones, no forwarding) or NOTIMP. */
  refused: number;
  /** Queries sent on to the forwarder. */
  forwarded: number;
}
