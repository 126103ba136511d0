import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuthorityAnswer } from '../../../protocols/dns/authority.js';
import type { ResourceRecord } from '../../../protocols/dns/message.js';
import { formatRecord } from '../../../protocols/dns/record-text.js';
import type { QueryType } from '../../../protocols/dns/record-types.js';
import { Zone } from '../../../protocols/dns/zone.js';
import { ZoneError } from '../../../protocols/dns/zone-error.js';
import { parseZoneFile } from '../../../protocols/dns/zone-file.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/dns/zone'));

const fixture = readFileSync(new URL('./fixtures/example.test.zone', import.meta.url), 'utf8');
const example = new Zone(parseZoneFile(fixture));

/** A zone of `text` at example.test, after a standard SOA (TTL 3600, minimum 300). */
function zoneOf(text: string): Zone {
  return new Zone(
    parseZoneFile(`@ 3600 SOA ns1 hostmaster 1 7200 900 604800 300\n${text}`, { origin: 'example.test' }),
  );
}

/** The sections of an answer as dig lines, with its kind. */
function sections(answer: AuthorityAnswer) {
  const text = (records: readonly ResourceRecord[] | undefined) => (records ?? []).map(formatRecord);
  return {
    kind: answer.kind,
    answers: text('answers' in answer ? answer.answers : undefined),
    authorities: text('authorities' in answer ? answer.authorities : undefined),
    additionals: text('additionals' in answer ? answer.additionals : undefined),
  };
}

function lookup(zone: Zone, name: string, type: QueryType) {
  return sections(zone.lookup({ name, type, class: 'IN' }));
}

const negativeSoa =
  'example.test.\t300\tIN\tSOA\tns1.example.test. hostmaster.example.test. 2024060101 7200 900 604800 300';

test('builds from a records array, its apex the SOA owner', () => {
  const records: ResourceRecord[] = [
    { name: 'www.example.test', ttl: 60, class: 'IN', type: 'A', address: '192.0.2.1' },
    ...example.rrset('example.test', 'SOA'),
  ];
  const zone = new Zone(records);
  assert.is(zone.origin, 'example.test');
  assert.is(zone.soa.serial, 2024060101);
  assert.is(zone.records.length, 2);
  assert.ok(zone.contains('WWW.EXAMPLE.TEST'));
  assert.not.ok(zone.contains('example.org'));
});

test('refuses records that break a rule, naming the owner', () => {
  const soa = example.soa;
  const refusal = (records: ResourceRecord[]) => {
    try {
      new Zone(records);
    } catch (error) {
      assert.instance(error, ZoneError);
      return (error as ZoneError).message;
    }
    throw new Error('accepted');
  };
  const a = (name: string, extra: Partial<ResourceRecord> = {}) =>
    ({ name, ttl: 60, class: 'IN', type: 'A', address: '192.0.2.1', ...extra }) as ResourceRecord;
  assert.is(refusal([a('www.example.test')]), '.: no SOA record at the zone apex');
  assert.is(refusal([soa, a('www.example.org')]), 'www.example.org: out of zone (not in example.test)');
  assert.is(
    refusal([soa, a('x.example.test', { class: 'CH' })]),
    'x.example.test: class CH: a zone holds IN records only',
  );
  assert.is(
    refusal([soa, a('x.example.test', { ttl: -1 })]),
    'x.example.test: TTL -1 out of range (0 to 2147483647)',
  );
  assert.is(
    refusal([soa, a('x.example.test', { ttl: 1.5 })]),
    'x.example.test: TTL 1.5 out of range (0 to 2147483647)',
  );
  assert.is(
    refusal([
      soa,
      a('x.example.test'),
      { name: 'x.example.test', ttl: 1, class: 'IN', type: 'CNAME', target: 'y' },
    ]),
    'x.example.test: CNAME beside other data (RFC 2181 section 10.1)',
  );
  assert.is(refusal([soa, { ...soa, serial: 2 }]), 'example.test: more than one SOA');
  assert.throws(() => new Zone({ origin: 'test', records: [soa] }), /SOA not at the zone apex/);
});

test('drops records given twice, and gives an RRset the TTL of its first record (as BIND)', () => {
  const zone = zoneOf('www 60 A 192.0.2.1\nwww 60 A 192.0.2.1\nwww 120 A 192.0.2.2\n');
  assert.equal(
    zone.rrset('www.example.test', 'A').map((record) => `${record.ttl} ${record.address}`),
    ['60 192.0.2.1', '60 192.0.2.2'],
  );
  assert.is(zone.records.length, 3);
});

test('answers the records of the name and type, owner names as the zone spells them', () => {
  const zone = zoneOf('WwW 60 A 192.0.2.1\n');
  assert.equal(lookup(zone, 'www.EXAMPLE.test', 'A'), {
    kind: 'answer',
    answers: ['WwW.example.test.\t60\tIN\tA\t192.0.2.1'],
    authorities: [],
    additionals: [],
  });
  assert.is(zone.lookup({ name: 'www.example.test', type: 'A', class: 'IN' }).kind, 'answer');
});

test('follows a CNAME chain inside the zone, keeping the chain in the answer', () => {
  assert.equal(lookup(example, 'files.example.test', 'AAAA').answers, [
    'files.example.test.\t3600\tIN\tCNAME\tftp.example.test.',
    'ftp.example.test.\t3600\tIN\tCNAME\twww.example.test.',
    'www.example.test.\t3600\tIN\tAAAA\t::1',
  ]);
});

test('answers a CNAME query with the CNAME itself, not followed', () => {
  assert.equal(lookup(example, 'files.example.test', 'CNAME').answers, [
    'files.example.test.\t3600\tIN\tCNAME\tftp.example.test.',
  ]);
});

test('ends the chain at a target outside the zone, at a loop, and after 16 CNAMEs', () => {
  const out = zoneOf('alias CNAME www.example.org.\n');
  assert.equal(lookup(out, 'alias.example.test', 'A'), {
    kind: 'answer',
    answers: ['alias.example.test.\t3600\tIN\tCNAME\twww.example.org.'],
    authorities: [],
    additionals: [],
  });
  const loop = zoneOf('a CNAME b\nb CNAME c\nc CNAME a\n');
  const looped = lookup(loop, 'a.example.test', 'A');
  assert.is(looped.kind, 'answer');
  assert.equal(
    looped.answers.map((line) => line.split('\t')[0]),
    ['a.example.test.', 'b.example.test.', 'c.example.test.'],
  );
  const long = zoneOf(
    Array.from({ length: 20 }, (_, i) => `c${i} CNAME c${i + 1}`)
      .concat('c20 A 192.0.2.1')
      .join('\n'),
  );
  const stopped = lookup(long, 'c0.example.test', 'A');
  assert.is(stopped.kind, 'answer');
  assert.is(stopped.answers.length, 16);
  assert.is(stopped.answers.at(-1), 'c15.example.test.\t3600\tIN\tCNAME\tc16.example.test.');
  assert.is(lookup(long, 'c5.example.test', 'A').answers.length, 16, 'counts from the name asked');
  assert.is(
    lookup(long, 'c10.example.test', 'A').answers.at(-1),
    'c20.example.test.\t3600\tIN\tA\t192.0.2.1',
  );
});

test('answers NXDOMAIN for a name that does not exist, with the SOA at its negative TTL', () => {
  assert.equal(lookup(example, 'nope.example.test', 'A'), {
    kind: 'nxdomain',
    answers: [],
    authorities: [negativeSoa],
    additionals: [],
  });
  const shortSoa = new Zone(parseZoneFile('@ 60 SOA ns1 hm 1 2 3 4 300\n', { origin: 'example.test' }));
  assert.is(shortSoa.negativeSoa.ttl, 60, 'the SOA TTL when it is the smaller');
  assert.is(example.negativeSoa.ttl, 300, 'the minimum when it is the smaller');
});

test('answers NODATA for a name without that type and for an empty non-terminal', () => {
  const nodata = { kind: 'nodata', answers: [], authorities: [negativeSoa], additionals: [] };
  assert.equal(lookup(example, 'www.example.test', 'MX'), nodata);
  assert.equal(lookup(example, 'b.example.test', 'A'), nodata, 'b exists through a.b');
  assert.equal(lookup(example, 'B.Example.Test', 'TXT'), nodata);
  assert.equal(lookup(example, 'x.b.example.test', 'A').kind, 'nxdomain');
});

test('keeps the CNAME chain in NXDOMAIN and NODATA answers', () => {
  const zone = zoneOf('dangling CNAME nowhere\nto-www CNAME www\nwww A 192.0.2.1\n');
  assert.equal(lookup(zone, 'dangling.example.test', 'A'), {
    kind: 'nxdomain',
    answers: ['dangling.example.test.\t3600\tIN\tCNAME\tnowhere.example.test.'],
    authorities: [
      'example.test.\t300\tIN\tSOA\tns1.example.test. hostmaster.example.test. 1 7200 900 604800 300',
    ],
    additionals: [],
  });
  const nodata = lookup(zone, 'to-www.example.test', 'MX');
  assert.is(nodata.kind, 'nodata');
  assert.equal(nodata.answers, ['to-www.example.test.\t3600\tIN\tCNAME\twww.example.test.']);
});

test('refers names at and below a delegation, with glue, AA clear', () => {
  const referral = {
    kind: 'referral',
    answers: [],
    authorities: ['sub.example.test.\t3600\tIN\tNS\tns.sub.example.test.'],
    additionals: ['ns.sub.example.test.\t3600\tIN\tA\t127.0.0.55'],
  };
  assert.equal(lookup(example, 'www.sub.example.test', 'A'), referral);
  assert.equal(lookup(example, 'sub.example.test', 'A'), referral);
  assert.equal(
    lookup(example, 'sub.example.test', 'NS'),
    referral,
    'the NS set at a cut is the child zone’s',
  );
  assert.equal(lookup(example, 'ns.sub.example.test', 'A'), referral, 'glue is not an answer');
  const answer = example.lookup({ name: 'www.sub.example.test', type: 'A', class: 'IN' });
  assert.is(answer.kind === 'referral' && answer.authoritative, false);
  assert.equal(example.find('sub.example.test', 'TYPE43'), { kind: 'nodata' }, 'DS lives at the parent');
});

test('takes glue for a delegation from anywhere in the zone, not from outside it', () => {
  const zone = zoneOf('sub NS ns1\nsub NS ns.other.org.\nns1 A 192.0.2.53\nns1 AAAA 2001:db8::53\n');
  assert.equal(lookup(zone, 'x.sub.example.test', 'A').additionals, [
    'ns1.example.test.\t3600\tIN\tA\t192.0.2.53',
    'ns1.example.test.\t3600\tIN\tAAAA\t2001:db8::53',
  ]);
});

test('synthesises from a wildcard with the query name as owner (its spelling kept)', () => {
  assert.equal(lookup(example, 'Host.Wild.example.test', 'A'), {
    kind: 'answer',
    answers: ['Host.Wild.example.test.\t3600\tIN\tA\t192.0.2.30'],
    authorities: [],
    additionals: [],
  });
  assert.equal(lookup(example, 'a.b.c.wild.example.test', 'TXT').answers, [
    'a.b.c.wild.example.test.\t3600\tIN\tTXT\t"synthesised"',
  ]);
  assert.equal(lookup(example, 'x.wild.example.test', 'MX').kind, 'nodata', 'NODATA from the wildcard');
  assert.equal(lookup(example, '*.wild.example.test', 'A').answers, [
    '*.wild.example.test.\t3600\tIN\tA\t192.0.2.30',
  ]);
  assert.equal(
    lookup(example, 'wild.example.test', 'A').kind,
    'nodata',
    'the parent of * is an empty non-terminal',
  );
});

test('does not synthesise for names that exist, nor across an empty non-terminal', () => {
  const zone = zoneOf('* A 192.0.2.1\nwww TXT "here"\nx.ent A 192.0.2.2\n');
  assert.is(
    lookup(zone, 'anything.example.test', 'A').answers[0],
    'anything.example.test.\t3600\tIN\tA\t192.0.2.1',
  );
  assert.is(lookup(zone, 'www.example.test', 'A').kind, 'nodata', 'www exists');
  assert.is(lookup(zone, 'ent.example.test', 'A').kind, 'nodata', 'ent exists, empty');
  assert.is(
    lookup(zone, 'y.ent.example.test', 'A').kind,
    'nxdomain',
    'its closest encloser is ent, without *',
  );
  assert.is(
    lookup(zone, 'deep.below.www.example.test', 'A').kind,
    'nxdomain',
    'closest encloser www has no *',
  );
});

test('follows a CNAME synthesised from a wildcard', () => {
  const zone = zoneOf('*.alias CNAME www\nwww A 192.0.2.1\n');
  assert.equal(lookup(zone, 'x.alias.example.test', 'A').answers, [
    'x.alias.example.test.\t3600\tIN\tCNAME\twww.example.test.',
    'www.example.test.\t3600\tIN\tA\t192.0.2.1',
  ]);
});

test('answers ANY with every RRset at the name, without following a CNAME', () => {
  assert.equal(lookup(example, 'www.example.test', 'ANY').answers, [
    'www.example.test.\t3600\tIN\tA\t127.0.0.1',
    'www.example.test.\t3600\tIN\tAAAA\t::1',
    'www.example.test.\t3600\tIN\tTXT\t"a web server" "with two strings"',
  ]);
  assert.equal(lookup(example, 'ftp.example.test', 'ANY').answers, [
    'ftp.example.test.\t3600\tIN\tCNAME\twww.example.test.',
  ]);
  assert.is(lookup(example, 'q.wild.example.test', 'ANY').answers.length, 2);
});

test('adds the addresses of MX exchanges, NS hosts and SRV targets in the zone', () => {
  assert.equal(lookup(example, 'example.test', 'MX').additionals, [
    'mail.example.test.\t3600\tIN\tA\t127.0.0.25',
    'mail.example.test.\t3600\tIN\tAAAA\t::1',
    'mail2.example.test.\t3600\tIN\tA\t192.0.2.25',
  ]);
  assert.equal(lookup(example, 'example.test', 'NS').additionals, [
    'ns1.example.test.\t3600\tIN\tA\t127.0.0.53',
    'ns2.example.test.\t300\tIN\tA\t127.0.0.54',
  ]);
  assert.equal(lookup(example, '_sip._tcp.example.test', 'SRV').additionals, [
    'sip.example.test.\t3600\tIN\tA\t192.0.2.10',
  ]);
  const outside = zoneOf('@ MX 10 mx.example.org.\n');
  assert.equal(lookup(outside, 'example.test', 'MX').additionals, []);
  const any = lookup(zoneOf('@ MX 10 @\n@ A 192.0.2.1\n'), 'example.test', 'ANY');
  assert.equal(any.additionals, [], 'not what the answer holds already');
});

test('is not authoritative for a name outside the zone or a class other than IN', () => {
  assert.equal(example.lookup({ name: 'example.org', type: 'A', class: 'IN' }), {
    kind: 'not-authoritative',
  });
  assert.equal(example.lookup({ name: 'test', type: 'A', class: 'IN' }), { kind: 'not-authoritative' });
  assert.equal(example.lookup({ name: 'www.example.test', type: 'A', class: 'CH' }), {
    kind: 'not-authoritative',
  });
  assert.throws(() => example.find('example.org', 'A'), /example.org: out of zone/);
});

test.run();
