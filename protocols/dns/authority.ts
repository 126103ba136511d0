/**
 * `Authority`: the zones a server is authoritative for, and its answer to a question as a union
 * of named kinds (an answer, NODATA, NXDOMAIN, a referral, or not ours), which a DNS server turns
 * into a response's sections, RCODE and AA bit.
 *
 * @module
 */
import { answerQuestion, defaultMaxChain } from './_answer-question.js';
import { nameKey, nameKeys } from './domain-name.js';
import type { Question, RecordOf, ResourceRecord } from './message.js';
import type { Zone } from './zone.js';
import { ZoneError } from './zone-error.js';

/**
 * Data for the name and type asked (RCODE NOERROR, AA set): `answers` holds the CNAME chain
 * followed, then the records. `authorities` is empty, unless the chain ran into a delegation:
 * then it holds the NS set of the cut, and `additionals` its glue. `additionals` also holds the
 * A and AAAA records the zones have for the hosts the answers name (MX exchanges, NS hosts, SRV
 * targets). A chain that leaves the zones, loops or runs past the hop limit ends with its last
 * CNAME: a resolver may carry on from its target.
 */
export interface PositiveAnswer {
  readonly kind: 'answer';
  readonly authoritative: true;
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}

/**
 * The name exists but has no data of the type asked (RCODE NOERROR, AA set), an empty
 * non-terminal included. `answers` holds the CNAME chain that led there, if any; `authorities`
 * the zone's SOA with the negative TTL (RFC 2308 section 3).
 */
export interface NoDataAnswer {
  readonly kind: 'nodata';
  readonly authoritative: true;
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly [RecordOf<'SOA'>];
}

/**
 * The name does not exist (RCODE NXDOMAIN, AA set). `answers` holds the CNAME chain that led
 * there, if any (the RCODE speaks of its last name, RFC 6604); `authorities` the SOA of the zone
 * of that name, with the negative TTL.
 */
export interface NxDomainAnswer {
  readonly kind: 'nxdomain';
  readonly authoritative: true;
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly [RecordOf<'SOA'>];
}

/**
 * The name is at or below a delegation (RCODE NOERROR, AA clear: the data is the child zone's).
 * `authorities` is the NS set of the cut, `additionals` the glue addresses the zone has for it.
 */
export interface ReferralAnswer {
  readonly kind: 'referral';
  readonly authoritative: false;
  readonly authorities: readonly RecordOf<'NS'>[];
  readonly additionals: readonly ResourceRecord[];
}

/**
 * The name is in none of the zones, or the class is not IN (`ANY` included): the server forwards
 * the question, or answers REFUSED.
 */
export interface NotAuthoritative {
  readonly kind: 'not-authoritative';
}

/** What an `Authority` (or one `Zone`) answers to a question. */
export type AuthorityAnswer =
  | PositiveAnswer
  | NoDataAnswer
  | NxDomainAnswer
  | ReferralAnswer
  | NotAuthoritative;

/** Options of `Authority`. */
export interface AuthorityOptions {
  /** The most CNAMEs one answer follows. Default 16. */
  maxChain?: number;
}

/**
 * The zones a server serves, answering a question from the closest enclosing zone (a child zone
 * served here wins over its parent's delegation) and following CNAMEs from zone to zone.
 *
 * Owner names in answers are spelt as the zones store them, as BIND does; only records
 * synthesised from a wildcard take the query's name as their owner.
 *
 * @example
 * ```ts
 * const authority = new Authority([await loadZoneFile('example.test.zone')]);
 * const answer = authority.answer({ name: 'www.example.test', type: 'A', class: 'IN' });
 * switch (answer.kind) {
 *   case 'answer': reply(answer.answers); break;
 *   case 'not-authoritative': refuse(); break;
 * }
 * ```
 */
export class Authority {
  private readonly zones = new Map<string, Zone>();
  private readonly maxChain: number;

  /**
   * @throws ZoneError when two zones have the same origin.
   */
  constructor(zones: Iterable<Zone>, options: AuthorityOptions = {}) {
    for (const zone of zones) {
      const key = nameKey(zone.origin);
      if (this.zones.has(key)) throw new ZoneError(zone.origin, 'two zones with the same origin');
      this.zones.set(key, zone);
    }
    this.maxChain = options.maxChain ?? defaultMaxChain;
  }

  /**
   * The zone closest above `name` (or at it), if any.
   *
   * @example
   * ```ts
   * authority.zoneFor('www.example.test')?.origin; // 'example.test'
   * ```
   */
  zoneFor(name: string): Zone | undefined {
    for (const key of nameKeys(name)) {
      const zone = this.zones.get(key);
      if (zone !== undefined) return zone;
    }
    return undefined;
  }

  /**
   * The answer to `question` (RFC 1034 section 4.3.2), by kind. Zone transfers are the server's
   * business: asked here, AXFR and IXFR get NODATA like any type the name lacks.
   *
   * @example
   * ```ts
   * authority.answer({ name: 'nope.example.test', type: 'A', class: 'IN' }).kind; // 'nxdomain'
   * ```
   */
  answer(question: Question): AuthorityAnswer {
    return answerQuestion(question, (name) => this.zoneFor(name), this.maxChain);
  }
}
