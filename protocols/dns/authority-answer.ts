/**
 * `AuthorityAnswer`: an authoritative answer to a question as a union of named kinds (an answer,
 * NODATA, NXDOMAIN, a referral, or not ours), what `Authority.answer` and `Zone.lookup` return
 * and a DNS server turns into a response's sections, RCODE and AA bit.
 *
 * @module
 */
import type { RecordOf, ResourceRecord } from './message.js';

/**
 * Data for the name and type asked (RCODE NOERROR, AA set): `answers` holds the CNAME chain
 * followed, then the records. `authorities` is empty, unless the chain ran into a delegation:
 * then it holds the NS set of the cut, and `additionals` its glue. `additionals` also holds the
 * A and AAAA records the zones have for the hosts the answers name (MX exchanges, NS hosts, SRV
 * targets). A chain that leaves the zones, loops or runs past the hop limit ends with its last
 * CNAME: a resolver may carry on from its target.
 *
 * @example
 * ```ts
 * if (answer.kind === 'answer') reply(answer.answers, answer.authorities, answer.additionals);
 * ```
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
 *
 * @example
 * ```ts
 * if (answer.kind === 'nodata') console.log('no such data; cache it for', answer.authorities[0].ttl, 's');
 * ```
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
 *
 * @example
 * ```ts
 * if (answer.kind === 'nxdomain') console.log('no such name in', answer.authorities[0].name);
 * ```
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
 *
 * @example
 * ```ts
 * if (answer.kind === 'referral') console.log('ask', answer.authorities.map((ns) => ns.host));
 * ```
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
 *
 * @example
 * ```ts
 * if (answer.kind === 'not-authoritative') refuse(question);
 * ```
 */
export interface NotAuthoritative {
  readonly kind: 'not-authoritative';
}

/**
 * What an `Authority` (or one `Zone`) answers to a question, by kind.
 *
 * @example
 * ```ts
 * const answer: AuthorityAnswer = authority.answer({ name: 'www.example.test', type: 'A', class: 'IN' });
 * ```
 */
export type AuthorityAnswer =
  | PositiveAnswer
  | NoDataAnswer
  | NxDomainAnswer
  | ReferralAnswer
  | NotAuthoritative;
