/**
 * RFC 1034 section 4.3.2 over a set of zones: one step in the zone holding the name, then the
 * CNAME chain, zone to zone, until an answer, a negative answer, a referral or a name outside
 * the zones; then the additional section. `Zone.lookup` runs it over one zone,
 * `Authority.answer` over several.
 *
 * @module
 */
import type { AuthorityAnswer } from './authority-answer.js';
import { nameKey } from './domain-name.js';
import type { Question, RecordOf, ResourceRecord } from './message.js';
import type { QueryType } from './record-types.js';
import type { ZoneMatch } from './zone-match.js';

/** The most CNAMEs one answer follows (BIND's limit too). */
export const defaultMaxChain = 16;

const notAuthoritative: AuthorityAnswer = Object.freeze({ kind: 'not-authoritative' });

/**
 * What the walk reads of a zone; `Zone` is one. Declared here rather than naming `Zone`, because
 * `Zone.lookup` runs this walk: the walk sits below the zone.
 *
 * @example
 * ```ts
 * const zoneFor = (name: string): AnsweringZone | undefined => (zone.contains(name) ? zone : undefined);
 * ```
 */
export interface AnsweringZone {
  /** The SOA negative answers carry in their authority section. */
  readonly negativeSoa: RecordOf<'SOA'>;
  /** One step of RFC 1034 section 4.3.2 for a name in the zone. */
  find(name: string, type: QueryType): ZoneMatch;
  /** The A and AAAA records the zone holds for `host`, for the additional section. */
  addresses(host: string): readonly ResourceRecord[];
}

/**
 * The answer to `question` from the zones `zoneFor` finds (the closest enclosing zone of a name,
 * or undefined when none holds it). A CNAME chain stops, its records kept, at a name outside the
 * zones, at a loop, or after `maxChain` CNAMEs.
 *
 * @example
 * ```ts
 * answerQuestion(question, (name) => (zone.contains(name) ? zone : undefined), defaultMaxChain);
 * ```
 */
export function answerQuestion(
  question: Question,
  zoneFor: (name: string) => AnsweringZone | undefined,
  maxChain: number,
): AuthorityAnswer {
  let zone = question.class === 'IN' ? zoneFor(question.name) : undefined;
  if (zone === undefined) return notAuthoritative;
  const answers: ResourceRecord[] = [];
  const seen = new Set<string>();
  let name = question.name;
  for (;;) {
    seen.add(nameKey(name));
    const match = zone.find(name, question.type);
    switch (match.kind) {
      case 'records':
        answers.push(...match.records);
        return answer(answers, [], [], zoneFor);
      case 'nodata':
      case 'nxdomain':
        return { kind: match.kind, authoritative: true, answers, authorities: [zone.negativeSoa] };
      case 'referral':
        if (answers.length === 0) {
          return { kind: 'referral', authoritative: false, authorities: match.ns, additionals: match.glue };
        }
        return answer(answers, match.ns, match.glue, zoneFor);
      case 'cname': {
        answers.push(match.record);
        const target = match.record.target;
        const next = zoneFor(target);
        if (next === undefined || seen.has(nameKey(target)) || answers.length >= maxChain) {
          return answer(answers, [], [], zoneFor);
        }
        name = target;
        zone = next;
      }
    }
  }
}

/** A positive answer, its additional section the glue given plus the addresses of the hosts named. */
function answer(
  answers: readonly ResourceRecord[],
  authorities: readonly ResourceRecord[],
  glue: readonly ResourceRecord[],
  zoneFor: (name: string) => AnsweringZone | undefined,
): AuthorityAnswer {
  const additionals = new Set(glue);
  for (const record of [...answers, ...authorities]) {
    const host = hostNamed(record);
    if (host !== undefined)
      for (const address of zoneFor(host)?.addresses(host) ?? []) additionals.add(address);
  }
  for (const record of answers) additionals.delete(record);
  return { kind: 'answer', authoritative: true, answers, authorities, additionals: [...additionals] };
}

/** The host whose addresses go in the additional section: an MX's exchange, an NS's host, an SRV's target. */
function hostNamed(record: ResourceRecord): string | undefined {
  switch (record.type) {
    case 'MX':
      return record.exchange;
    case 'NS':
      return record.host;
    case 'SRV':
      return record.target;
    default:
      return undefined;
  }
}
