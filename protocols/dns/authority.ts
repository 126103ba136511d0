/**
 * `Authority`: the zones a server is authoritative for, and its answer to a question, an
 * `AuthorityAnswer` (its kinds are in `authority-answer.ts`, re-exported here).
 *
 * @module
 */
import { answerQuestion, defaultMaxChain } from './_answer-question.js';
import type { AuthorityAnswer } from './authority-answer.js';
import { nameKey, nameKeys } from './domain-name.js';
import type { Question } from './message.js';
import type { Zone } from './zone.js';
import { ZoneError } from './zone-error.js';

export type {
  AuthorityAnswer,
  NoDataAnswer,
  NotAuthoritative,
  NxDomainAnswer,
  PositiveAnswer,
  ReferralAnswer,
} from './authority-answer.js';

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
