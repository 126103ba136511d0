/**
 * `Zone`: one zone's records, checked and indexed, and the authoritative lookup of RFC 1034
 * section 4.3.2 within it: exact matches, CNAMEs, NODATA and NXDOMAIN (empty non-terminals
 * exist), delegations below the apex, and RFC 4592's wildcards.
 *
 * @module
 */
import { answerQuestion, defaultMaxChain } from './_answer-question.js';
import { indexZone, type ZoneIndex } from './_zone-index.js';
import type { AuthorityAnswer } from './authority-answer.js';
import { isInDomain, nameKey, nameKeys, nameLabels } from './domain-name.js';
import type { Question, RecordOf, ResourceRecord } from './message.js';
import type { QueryType } from './record-types.js';
import { ZoneError } from './zone-error.js';
import type { ZoneMatch } from './zone-match.js';

export type { ZoneMatch } from './zone-match.js';

/**
 * A zone file's content, what a `Zone` is built from: its apex and its records, in the file's
 * order. `parseZoneFile` reads it from text.
 *
 * @example
 * ```ts
 * const data: ZoneFileData = parseZoneFile(text, { origin: 'example.test' });
 * const zone = new Zone(data);
 * ```
 */
export interface ZoneFileData {
  readonly origin: string;
  readonly records: readonly ResourceRecord[];
}

/** DS lives on the parent's side of a cut (RFC 4035 section 3.1.4.1). */
const dsType = 'TYPE43';

/**
 * One zone: its records checked (one SOA at the apex, every name in the zone, no CNAME beside
 * other data, TTLs in range, class IN) and indexed by name and type.
 *
 * Owner names in answers are spelt as the zone stores them, as BIND does; only a record
 * synthesised from a wildcard takes the query's name (spelling included) as its owner.
 *
 * @example
 * ```ts
 * const zone = new Zone(parseZoneFile(text, { origin: 'example.test' }));
 * const answer = zone.lookup({ name: 'www.example.test', type: 'A', class: 'IN' });
 * if (answer.kind === 'answer') console.log(answer.answers.map(formatRecord));
 * ```
 */
export class Zone {
  /** The apex. */
  readonly origin: string;
  /** The zone's SOA record. */
  readonly soa: RecordOf<'SOA'>;
  /**
   * The SOA as negative answers carry it in their authority section: its TTL the lesser of its
   * own and its `minimum` (RFC 2308 section 3).
   */
  readonly negativeSoa: RecordOf<'SOA'>;
  private readonly index: ZoneIndex;
  private readonly originLabels: number;

  /**
   * Builds the zone from a parsed zone file, or from records (the apex is then the SOA's owner).
   *
   * @throws ZoneError for the first rule the records break.
   */
  constructor(source: ZoneFileData | readonly ResourceRecord[]) {
    const records = 'records' in source ? source.records : source;
    const origin =
      'records' in source ? source.origin : records.find((record) => record.type === 'SOA')?.name;
    if (origin === undefined) throw new ZoneError('', 'no SOA record at the zone apex');
    const index = indexZone(origin, records);
    if ('reason' in index) throw new ZoneError(index.owner, index.reason);
    this.origin = origin;
    this.index = index;
    this.soa = index.soa;
    this.negativeSoa = { ...index.soa, ttl: Math.min(index.soa.ttl, index.soa.minimum) };
    this.originLabels = nameLabels(origin).length;
  }

  /** Every record, in the order given, less duplicates. */
  get records(): readonly ResourceRecord[] {
    return this.index.records;
  }

  /**
   * Whether `name` is at or below the apex (it may still be below a cut).
   *
   * @example
   * ```ts
   * zone.contains('www.example.test'); // true
   * ```
   */
  contains(name: string): boolean {
    return isInDomain(name, this.origin);
  }

  /**
   * The records of type `type` stored at exactly `name` (no wildcard, no cut): empty if none.
   *
   * @example
   * ```ts
   * zone.rrset('example.test', 'NS').map((ns) => ns.host);
   * ```
   */
  rrset<T extends ResourceRecord['type']>(
    name: string,
    type: T,
  ): readonly Extract<ResourceRecord, { type: T }>[] {
    const records = this.index.nodes.get(nameKey(name))?.get(type) ?? [];
    return records as Extract<ResourceRecord, { type: T }>[];
  }

  /**
   * The A and AAAA records the zone holds for `host` (glue below a cut included), for the
   * additional section.
   *
   * @example
   * ```ts
   * zone.addresses('ns1.example.test');
   * ```
   */
  addresses(host: string): readonly ResourceRecord[] {
    return this.contains(host) ? [...this.rrset(host, 'A'), ...this.rrset(host, 'AAAA')] : [];
  }

  /**
   * One step of RFC 1034 section 4.3.2 for a name in this zone: a delegation at or above it
   * first, then the name's own data, then (when the name does not exist) the wildcard at its
   * closest encloser (RFC 4592: not for names that exist, empty non-terminals included).
   *
   * @throws ZoneError when `name` is not in the zone.
   * @example
   * ```ts
   * zone.find('mail.example.test', 'MX'); // { kind: 'nodata' } when mail has only an A record
   * ```
   */
  find(name: string, type: QueryType): ZoneMatch {
    if (!this.contains(name)) throw new ZoneError(name, `out of zone (not in ${this.origin || '.'})`);
    const keys = nameKeys(name);
    const depth = keys.length - 1 - this.originLabels;
    for (let at = depth - 1; at >= 0; at--) {
      const key = keys[at] as string;
      if (this.index.cuts.has(key) && !(at === 0 && type === dsType)) {
        const ns = this.index.nodes.get(key)?.get('NS') as RecordOf<'NS'>[];
        return { kind: 'referral', ns, glue: ns.flatMap((record) => this.addresses(record.host)) };
      }
    }
    const key = keys[0] as string;
    const node = this.index.nodes.get(key);
    if (node !== undefined) return match(node, type, undefined);
    if (this.index.existing.has(key)) return { kind: 'nodata' };
    const encloser = keys.find((ancestor) => this.index.existing.has(ancestor));
    const wildcard = this.index.nodes.get(encloser === '' ? '*' : `*.${encloser}`);
    return wildcard === undefined ? { kind: 'nxdomain' } : match(wildcard, type, name);
  }

  /**
   * The authoritative answer to `question` from this zone alone (RFC 1034 section 4.3.2),
   * following CNAMEs that stay in it; `not-authoritative` for a name outside it or a class other
   * than IN. `Authority.answer` does the same across several zones.
   *
   * @example
   * ```ts
   * zone.lookup({ name: 'nope.example.test', type: 'A', class: 'IN' }).kind; // 'nxdomain'
   * ```
   */
  lookup(question: Question): AuthorityAnswer {
    return answerQuestion(question, (name) => (this.contains(name) ? this : undefined), defaultMaxChain);
  }
}

/** What `node` holds for `type`, its owner replaced by `owner` when synthesised from a wildcard. */
function match(
  node: ReadonlyMap<string, readonly ResourceRecord[]>,
  type: QueryType,
  owner: string | undefined,
): ZoneMatch {
  const rename = (records: readonly ResourceRecord[]) =>
    owner === undefined ? records : records.map((record) => ({ ...record, name: owner }));
  if (type === 'ANY') return { kind: 'records', records: rename([...node.values()].flat()) };
  const records = node.get(type);
  if (records !== undefined) return { kind: 'records', records: rename(records) };
  const cname = node.get('CNAME');
  if (cname !== undefined) return { kind: 'cname', record: rename(cname)[0] as RecordOf<'CNAME'> };
  return { kind: 'nodata' };
}
