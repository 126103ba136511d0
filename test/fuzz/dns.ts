/**
 * Fuzz properties of the DNS codecs: `encodeMessage` / `decodeMessage` with records of every
 * type, and zone files (`formatRecord` / `parseZoneFile`). A message comes back field by field
 * (names compared as DNS compares them, case aside: compression points a name at an earlier
 * spelling of it) and fits `maxSize` when one is given; any bytes decode to a message that
 * encodes again to the same, or fail with FormatError only; a zone written with `formatRecord`
 * reads back, or is refused for the zone rule it breaks; any zone text is refused with
 * ZoneFileError only.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { readIpv6 } from '../../protocols/dns/_ip-address.js';
import { indexZone } from '../../protocols/dns/_zone-index.js';
import { decodeMessage } from '../../protocols/dns/decode-message.js';
import { FormatError } from '../../protocols/dns/dns-error.js';
import { labelText, nameKey, nameLabels } from '../../protocols/dns/domain-name.js';
import { encodeMessage } from '../../protocols/dns/encode-message.js';
import type { Edns, Message, Question, RecordData, ResourceRecord } from '../../protocols/dns/message.js';
import { formatRecord } from '../../protocols/dns/record-text.js';
import {
  queryOnlyTypeCodes,
  type RecordClass,
  recordTypeCodes,
  typeName,
} from '../../protocols/dns/record-types.js';
import { ZoneFileError } from '../../protocols/dns/zone-error.js';
import { parseZoneFile } from '../../protocols/dns/zone-file.js';
import { check, type FuzzProperty, fuzzProperty, mutated, onlyTyped, same, unlessRefused } from './_fuzz.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ttl = fc.oneof(fc.integer({ min: 0, max: 3600 }), fc.integer({ min: 0, max: 0x7fffffff }));

/** Labels: mostly hostname-like, some of any bytes, some with the characters zone files treat specially. */
const label = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,10}$/).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 63 }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('*', '(', ')', 'a;b', '"q"', '$x', '@', 'a b', '\\', '.', '#', "'")
      .map((text) => Buffer.from(text)),
  },
);
/** A few endings, one in two spellings, so names share suffixes for compression to point at. */
const suffixes: readonly (readonly string[])[] = [
  [],
  ['example', 'test'],
  ['EXAMPLE', 'Test'],
  ['b', 'example', 'test'],
];

/** A name in canonical presentation form, made of whole labels, at most 255 octets on the wire. */
const name = fc
  .tuple(fc.array(label, { maxLength: 3 }), fc.constantFrom(...suffixes))
  .map(([labels, suffix]) => [...labels, ...suffix.map((text) => Buffer.from(text))])
  .filter((labels) => labels.reduce((sum, bytes) => sum + bytes.length + 1, 1) <= 255)
  .map((labels) => labels.map(labelText).join('.'));

/**
 * The same names in other spellings an encoder takes: a final dot, and characters escaped as
 * `\DDD`, or `\X` (X not a digit), where they need no escape.
 */
const spelledName = fc
  .tuple(name, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 3 }))
  .map(([text, dot, escapes]) => {
    const units = text.match(/\\(?:\d{3}|.)|./gs) ?? [];
    for (const [at, decimal] of escapes) {
      const unit = units[at % Math.max(units.length, 1)];
      if (unit === undefined || !/^[A-Za-z0-9_-]$/.test(unit)) continue;
      const digit = unit >= '0' && unit <= '9';
      units[at % units.length] =
        decimal || digit ? `\\${String(unit.charCodeAt(0)).padStart(3, '0')}` : `\\${unit}`;
    }
    return `${units.join('')}${dot ? '.' : ''}`;
  });
const anyName = fc.oneof(name, spelledName);

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes) => bytes.join('.'));
const ipv6 = fc
  .oneof(
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc
      .tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ minLength: 16, maxLength: 16 }))
      .map(([zeros, bytes]) => {
        bytes.fill(0, 0, zeros * 2); // runs of zero groups: the :: forms
        return bytes;
      }),
  )
  .map((bytes) => readIpv6(bytes, 0));

/** Types without a codec of their own: any code but the known ones and OPT. */
const known = new Set<number>([...Object.values(recordTypeCodes), 41]);
const opaqueType = fc
  .oneof(fc.integer({ min: 0, max: 300 }), u16)
  .filter((code) => !known.has(code))
  .map((code) => `TYPE${code}` as const);

/** Record data of every type, its names from `name`. */
const recordDataOf = (name: fc.Arbitrary<string>): fc.Arbitrary<RecordData> =>
  fc.oneof(
    ipv4.map((address) => ({ type: 'A' as const, address })),
    ipv6.map((address) => ({ type: 'AAAA' as const, address })),
    name.map((host) => ({ type: 'NS' as const, host })),
    name.map((target) => ({ type: 'CNAME' as const, target })),
    name.map((host) => ({ type: 'PTR' as const, host })),
    fc.record({ preference: u16, exchange: name }).map((data) => ({ type: 'MX' as const, ...data })),
    fc
      .record({ mname: name, rname: name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 })
      .map((data) => ({ type: 'SOA' as const, ...data })),
    fc
      .array(fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 255 })), {
        minLength: 1,
        maxLength: 3,
      })
      .map((strings) => ({ type: 'TXT' as const, strings })),
    fc
      .record({ priority: u16, weight: u16, port: u16, target: name })
      .map((data) => ({ type: 'SRV' as const, ...data })),
    fc
      .record({
        flags: u8,
        tag: fc.stringMatching(/^[A-Za-z0-9]{1,15}$/),
        value: fc.uint8Array({ maxLength: 40 }),
      })
      .map((data) => ({ type: 'CAA' as const, ...data })),
    fc
      .record({ type: opaqueType, data: fc.uint8Array({ maxLength: 40 }) })
      .map(({ type, data }) => ({ type, data })),
  );
const recordData = recordDataOf(name);

const recordClass = fc.oneof(
  { weight: 6, arbitrary: fc.constant<RecordClass>('IN') },
  fc.constantFrom<RecordClass>('CH', 'HS', 'NONE', 'ANY'),
  fc.integer({ min: 5, max: 253 }).map((code) => `CLASS${code}` as RecordClass),
);

/** Records as a message carries them: any type and class, names in any spelling. */
const record: fc.Arbitrary<ResourceRecord> = fc
  .tuple(anyName, recordClass, ttl, recordDataOf(anyName))
  .map(
    ([owner, klass, seconds, data]) =>
      ({ name: owner, class: klass, ttl: seconds, ...data }) as ResourceRecord,
  );

const question: fc.Arbitrary<Question> = fc.record({
  name: anyName,
  type: fc.oneof(
    fc.constantFrom<Question['type']>('A', 'AAAA', 'MX', 'TXT', 'SOA', 'CAA', 'ANY', 'AXFR', 'IXFR', 'OPT'),
    u16.map((code) => typeName(code)),
  ),
  class: recordClass,
});

const edns: fc.Arbitrary<Edns | undefined> = fc.option(
  fc.record({
    payloadSize: u16,
    version: u8,
    dnssecOk: fc.boolean(),
    options: fc.array(fc.record({ code: u16, data: fc.uint8Array({ maxLength: 20 }) }), { maxLength: 3 }),
  }),
  { nil: undefined },
);

const message: fc.Arbitrary<Message> = fc
  .record({
    id: u16,
    qr: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    aa: fc.boolean(),
    tc: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    z: fc.boolean(),
    ad: fc.boolean(),
    cd: fc.boolean(),
    rcode: fc.integer({ min: 0, max: 0xfff }),
    questions: fc.array(question, { maxLength: 2 }),
    answers: fc.array(record, { maxLength: 4 }),
    authorities: fc.array(record, { maxLength: 3 }),
    additionals: fc.array(record, { maxLength: 3 }),
    edns,
  })
  .map(({ edns: extension, rcode, ...rest }) =>
    extension === undefined ? { ...rest, rcode: rcode & 0xf } : { ...rest, rcode, edns: extension },
  );

/** The name fields of each record type. */
const nameFields = ['name', 'host', 'target', 'exchange', 'mname', 'rname'] as const;

/**
 * `value` with every name as its `nameKey` (DNS compares names without regard to ASCII case,
 * and compression may point a name at another spelling of it) and byte arrays as plain arrays.
 */
function comparable(value: Message): unknown {
  const plainRecord = (entry: ResourceRecord | Question) => {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(entry)) {
      if ((nameFields as readonly string[]).includes(key) && typeof field === 'string')
        out[key] = nameKey(field);
      else if (field instanceof Uint8Array) out[key] = [...field];
      else if (Array.isArray(field))
        out[key] = field.map((each) => (each instanceof Uint8Array ? [...each] : each));
      else out[key] = field;
    }
    return out;
  };
  const { edns: extension, ...rest } = value;
  return {
    ...rest,
    questions: value.questions.map(plainRecord),
    answers: value.answers.map(plainRecord),
    authorities: value.authorities.map(plainRecord),
    additionals: value.additionals.map(plainRecord),
    ...(extension === undefined
      ? {}
      : {
          edns: {
            ...extension,
            options: extension.options.map(({ code, data }) => ({ code, data: [...data] })),
          },
        }),
  };
}

const messageRoundTrip = fuzzProperty(
  'dns: messages with records of every type, EDNS and all flags decode as encoded',
  100,
  message,
  (written) => {
    const decoded = decodeMessage(encodeMessage(written));
    same(comparable(decoded), comparable(written), 'the decoded message');
  },
);

const truncation = fuzzProperty(
  'dns: a message encoded for a maxSize fits it, decodes, and keeps what it keeps whole',
  100,
  fc.tuple(message, fc.integer({ min: 12, max: 700 })),
  ([written, maxSize]) => {
    const bytes = unlessRefused(() => encodeMessage(written, { maxSize }));
    if (bytes === undefined) return; // the questions alone do not fit: refused
    check(bytes.length <= maxSize, `${bytes.length} octets for a maxSize of ${maxSize}`);
    const decoded = decodeMessage(bytes);
    const whole = comparable(written) as {
      answers: unknown[];
      authorities: unknown[];
      additionals: unknown[];
    };
    const kept = comparable(decoded) as typeof whole & { tc: boolean; questions: unknown[] };
    same(kept.questions, (whole as unknown as typeof kept).questions, 'the questions');
    for (const section of ['answers', 'authorities', 'additionals'] as const) {
      const left = [...whole[section]];
      for (const entry of kept[section]) {
        const at = left.findIndex((candidate) => isDeepStrictEqual(candidate, entry));
        check(at >= 0, `the ${section} hold a record the message did not: ${JSON.stringify(entry)}`);
        left.splice(at, 1);
      }
    }
    const lost =
      kept.answers.length < whole.answers.length || kept.authorities.length < whole.authorities.length;
    if (lost) check(kept.tc, 'answers or authorities were left out without TC');
  },
);

const decodeHostile = fuzzProperty(
  'dns: any bytes decode to a message that encodes to the same again, or fail with FormatError',
  200,
  fc.oneof(
    { weight: 4, arbitrary: mutated(message.map((written) => encodeMessage(written))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  ),
  (bytes) => {
    let decoded: Message;
    try {
      decoded = decodeMessage(bytes);
    } catch (error) {
      onlyTyped(error, FormatError);
      return;
    }
    const names = [
      ...decoded.questions.map((entry) => entry.name),
      ...[...decoded.answers, ...decoded.authorities, ...decoded.additionals].flatMap((entry) =>
        nameFields
          .map((key) => (entry as unknown as Record<string, unknown>)[key])
          .filter((field) => typeof field === 'string'),
      ),
    ] as string[];
    for (const each of names) nameLabels(each); // throws InvalidNameError past 63 or 255 octets
    check(
      decoded.questions.length +
        decoded.answers.length +
        decoded.authorities.length +
        decoded.additionals.length <=
        bytes.length,
      'more entries than bytes',
    );
    same(comparable(decodeMessage(encodeMessage(decoded))), comparable(decoded), 'the message re-encoded');
  },
);

/** Types only a question may name (IXFR, AXFR, ANY), in their generic spelling: no zone holds them. */
const queryOnly = new Set<string>(Object.values(queryOnlyTypeCodes).map((code) => `TYPE${code}`));

/** A zone: an apex, its SOA first, then records at or below the apex, all class IN. */
const zone = fc
  .record({
    apex: name,
    soa: recordData.filter((data) => data.type === 'SOA'),
    soaTtl: ttl,
    records: fc.array(
      fc.tuple(
        fc.array(label, { maxLength: 2 }),
        ttl,
        recordData.filter((data) => data.type !== 'SOA' && !queryOnly.has(data.type)),
      ),
      { maxLength: 5 },
    ),
  })
  .map(({ apex, soa, soaTtl, records }) => {
    const under = (labels: Uint8Array[]) =>
      [...labels.map(labelText), ...(apex === '' ? [] : [apex])].join('.');
    const entries: ResourceRecord[] = [{ name: apex, class: 'IN', ttl: soaTtl, ...soa } as ResourceRecord];
    for (const [labels, seconds, data] of records) {
      const owner = under(labels);
      if (nameLabels(owner).reduce((sum, bytes) => sum + bytes.length + 1, 1) > 255) continue;
      entries.push({ name: owner, class: 'IN', ttl: seconds, ...data } as ResourceRecord);
    }
    return { apex, records: entries };
  });

const zoneRoundTrip = fuzzProperty(
  'dns: a zone written with formatRecord reads back with parseZoneFile, or is refused for the rule it breaks',
  100,
  zone,
  ({ apex, records }) => {
    const text = records.map((entry) => `${formatRecord(entry)}\n`).join('');
    const index = indexZone(apex, records);
    let read: ResourceRecord[];
    try {
      read = [...parseZoneFile(text).records];
    } catch (error) {
      onlyTyped(error, ZoneFileError);
      const problem = 'reason' in index ? index.reason : 'none';
      same((error as ZoneFileError).reason, problem, `the refusal of\n${text}`);
      return;
    }
    check(!('reason' in index), `a zone breaking "${'reason' in index ? index.reason : ''}" was read`);
    same(
      comparable({ ...emptyLists, answers: read }),
      comparable({ ...emptyLists, answers: records }),
      `the records of\n${text}`,
    );
  },
);

const emptyLists = { questions: [], answers: [], authorities: [], additionals: [] } as unknown as Message;

/** Zone text: what formatRecord writes, and directives, comments, parentheses and quotes. */
const zoneText = fc.oneof(
  zone.map(({ records }) => records.map((entry) => `${formatRecord(entry)}\n`).join('')),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '$ORIGIN ',
          '$TTL ',
          '$INCLUDE ',
          '@',
          '(',
          ')',
          ';',
          '"',
          '\\',
          ' ',
          '\t',
          '\n',
          '.',
          '\\# ',
        ),
        fc.constantFrom('IN ', 'SOA ', 'A ', 'TXT ', 'MX ', 'CAA ', 'TYPE65 ', 'CLASS3 ', '1h2m ', '3600 '),
        fc.string({ maxLength: 8 }),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join('')),
);

const zoneHostile = fuzzProperty(
  'dns: any zone text, mutated or not, parses or fails with ZoneFileError',
  200,
  fc.oneof(
    zoneText,
    mutated(zoneText.map((text) => Buffer.from(text))).map((bytes) => Buffer.from(bytes).toString('utf8')),
  ),
  (text) => {
    try {
      parseZoneFile(text, { origin: 'example.test' });
    } catch (error) {
      onlyTyped(error, ZoneFileError);
    }
  },
);

/** Every property of the DNS codecs. */
export const properties: readonly FuzzProperty[] = [
  messageRoundTrip,
  truncation,
  decodeHostile,
  zoneRoundTrip,
  zoneHostile,
];
