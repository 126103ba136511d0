/**
 * A zone's records checked against the rules of the DNS and indexed for lookups: RRsets by name
 * and type, the names that exist (with data or with descendants: empty non-terminals), and the
 * zone cuts. One pass serves `Zone` and the zone-file parser, which turns the index of the record
 * at fault into a line.
 *
 * @module
 */
import { maxTtl } from './_time-value.js';
import { nameKey, nameKeys, nameLabels } from './domain-name.js';
import type { RecordOf, ResourceRecord } from './message.js';
import { formatRecordData } from './record-text.js';

/** The RRsets at one name, by type. */
export type ZoneNode = Map<ResourceRecord['type'], ResourceRecord[]>;

/** A zone's records, indexed. */
export interface ZoneIndex {
  readonly soa: RecordOf<'SOA'>;
  /** The records, less duplicates, each RRset's TTL that of its first record. */
  readonly records: readonly ResourceRecord[];
  /** The nodes with data, by `nameKey`. */
  readonly nodes: ReadonlyMap<string, ZoneNode>;
  /** Every name with data or below which there is data, by `nameKey`. */
  readonly existing: ReadonlySet<string>;
  /** The delegation points (NS records below the apex), by `nameKey`. */
  readonly cuts: ReadonlySet<string>;
}

/** The first rule the records break: the record at fault (none for the whole zone) and why. */
export interface ZoneProblem {
  readonly index: number | undefined;
  readonly owner: string;
  readonly reason: string;
}

/** Types allowed beside a CNAME (RFC 2181 section 10.1 as RFC 4035 amends it): RRSIG and NSEC. */
const cnameCompanions = new Set<string>(['CNAME', 'TYPE46', 'TYPE47']);

/**
 * The index of a zone at `origin` made of `records`, or the first rule they break: a class other
 * than IN, a TTL out of range, a name outside the zone, an SOA below the apex or a second one, a
 * second CNAME at a name or a CNAME beside other data, no SOA. An identical record given twice
 * counts once; a record whose TTL differs from its RRset's takes the RRset's, as BIND does.
 *
 * @example
 * ```ts
 * const index = indexZone('example.test', records);
 * if ('reason' in index) throw new ZoneError(index.owner, index.reason);
 * ```
 */
export function indexZone(origin: string, records: readonly ResourceRecord[]): ZoneIndex | ZoneProblem {
  const originLabels = nameLabels(origin).length;
  const originKey = nameKey(origin);
  const nodes = new Map<string, ZoneNode>();
  const existing = new Set<string>();
  const cuts = new Set<string>();
  const kept: ResourceRecord[] = [];
  let soa: RecordOf<'SOA'> | undefined;
  for (const [index, record] of records.entries()) {
    const problem = (reason: string): ZoneProblem => ({ index, owner: record.name, reason });
    if (record.class !== 'IN') return problem(`class ${record.class}: a zone holds IN records only`);
    if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > maxTtl) {
      return problem(`TTL ${record.ttl} out of range (0 to ${maxTtl})`);
    }
    const keys = nameKeys(record.name);
    const depth = keys.length - 1 - originLabels;
    if (depth < 0 || keys[depth] !== originKey) return problem(`out of zone (not in ${origin || '.'})`);
    const key = keys[0] as string;
    const node: ZoneNode = nodes.get(key) ?? new Map();
    const rrset = node.get(record.type);
    const data = formatRecordData(record);
    if (rrset?.some((other) => formatRecordData(other) === data)) continue;
    if (record.type === 'SOA') {
      if (key !== originKey) return problem(`SOA not at the zone apex (${origin || '.'})`);
      if (soa !== undefined) return problem('more than one SOA');
      soa = record;
    }
    if (record.type === 'CNAME' && rrset !== undefined) return problem('more than one CNAME');
    const besideOther = [...node.keys()].some((type) => !cnameCompanions.has(type));
    if (record.type === 'CNAME' ? besideOther : node.has('CNAME') && !cnameCompanions.has(record.type)) {
      return problem('CNAME beside other data (RFC 2181 section 10.1)');
    }
    if (record.type === 'NS' && key !== originKey) cuts.add(key);
    const ttl = rrset?.[0]?.ttl ?? record.ttl;
    const stored = ttl === record.ttl ? record : { ...record, ttl };
    if (rrset === undefined) node.set(record.type, [stored]);
    else rrset.push(stored);
    nodes.set(key, node);
    kept.push(stored);
    for (const ancestor of keys.slice(0, depth + 1)) existing.add(ancestor);
  }
  if (soa === undefined) return { index: undefined, owner: origin, reason: 'no SOA record at the zone apex' };
  return { soa, records: kept, nodes, existing, cuts };
}
