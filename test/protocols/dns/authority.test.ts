import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Authority, type AuthorityAnswer } from '../../../protocols/dns/authority.js';
import type { ResourceRecord } from '../../../protocols/dns/message.js';
import { formatRecord } from '../../../protocols/dns/record-text.js';
import type { QueryType } from '../../../protocols/dns/record-types.js';
import { Zone } from '../../../protocols/dns/zone.js';
import { ZoneError } from '../../../protocols/dns/zone-error.js';
import { parseZoneFile } from '../../../protocols/dns/zone-file.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/dns/authority'));

/** A zone at `origin` holding `text` after an SOA (TTL 3600, minimum 300, serial `serial`). */
function zoneOf(origin: string, text: string, serial = 1): Zone {
  return new Zone(
    parseZoneFile(`@ 3600 SOA ns1 hostmaster ${serial} 7200 900 604800 300\n${text}`, { origin }),
  );
}

/** The sections of an answer as dig lines, with its kind and AA bit. */
function sections(answer: AuthorityAnswer) {
  const text = (records: readonly ResourceRecord[] | undefined) => (records ?? []).map(formatRecord);
  return {
    kind: answer.kind,
    aa: 'authoritative' in answer ? answer.authoritative : undefined,
    answers: text('answers' in answer ? answer.answers : undefined),
    authorities: text('authorities' in answer ? answer.authorities : undefined),
    additionals: text('additionals' in answer ? answer.additionals : undefined),
  };
}

const parent = zoneOf(
  'example.test',
  'www A 192.0.2.1\nchild NS ns.child\nns.child A 192.0.2.53\nto-child CNAME www.child\nto-org CNAME www.example.org.\nlame NS ns.lame\nns.lame A 192.0.2.54\nto-lame CNAME host.lame\n@ MX 10 mail.example.org.\n',
);
const child = zoneOf('child.example.test', 'www A 192.0.2.2\nloop CNAME loop.example.org.\n', 2);
const other = zoneOf(
  'example.org',
  'www A 192.0.2.3\nmail A 192.0.2.25\nto-gone CNAME gone.example.test.\nloop CNAME loop.child.example.test.\n',
  3,
);
const authority = new Authority([parent, child, other]);

function answer(name: string, type: QueryType = 'A') {
  return sections(authority.answer({ name, type, class: 'IN' }));
}

test('picks the closest enclosing zone, a child served here over its parent’s delegation', () => {
  assert.is(authority.zoneFor('www.example.test'), parent);
  assert.is(authority.zoneFor('example.test'), parent);
  assert.is(authority.zoneFor('child.example.test'), child);
  assert.is(authority.zoneFor('A.B.Child.Example.Test'), child);
  assert.is(authority.zoneFor('www.example.org'), other);
  assert.is(authority.zoneFor('example.net'), undefined);
  assert.is(authority.zoneFor('test'), undefined);
  assert.equal(answer('www.child.example.test'), {
    kind: 'answer',
    aa: true,
    answers: ['www.child.example.test.\t3600\tIN\tA\t192.0.2.2'],
    authorities: [],
    additionals: [],
  });
});

test('a root zone encloses every name', () => {
  const root = new Authority([zoneOf('', 'tld NS ns.tld\nns.tld A 192.0.2.1\n')]);
  assert.is(root.zoneFor('anything.example')?.origin, '');
  assert.is(root.answer({ name: 'x.tld', type: 'A', class: 'IN' }).kind, 'referral');
  assert.is(root.answer({ name: 'nope', type: 'A', class: 'IN' }).kind, 'nxdomain');
});

test('refuses two zones with the same origin', () => {
  assert.throws(
    () => new Authority([parent, zoneOf('Example.Test.', '')]),
    (error: unknown) =>
      error instanceof ZoneError && error.message === 'Example.Test: two zones with the same origin',
  );
});

test('follows a CNAME from one zone into another', () => {
  assert.equal(answer('to-child.example.test').answers, [
    'to-child.example.test.\t3600\tIN\tCNAME\twww.child.example.test.',
    'www.child.example.test.\t3600\tIN\tA\t192.0.2.2',
  ]);
  assert.equal(answer('to-org.example.test').answers, [
    'to-org.example.test.\t3600\tIN\tCNAME\twww.example.org.',
    'www.example.org.\t3600\tIN\tA\t192.0.2.3',
  ]);
});

test('gives the SOA of the zone where the chain ended in a negative answer', () => {
  assert.equal(answer('to-gone.example.org'), {
    kind: 'nxdomain',
    aa: true,
    answers: ['to-gone.example.org.\t3600\tIN\tCNAME\tgone.example.test.'],
    authorities: [
      'example.test.\t300\tIN\tSOA\tns1.example.test. hostmaster.example.test. 1 7200 900 604800 300',
    ],
    additionals: [],
  });
  assert.equal(answer('to-child.example.test', 'MX').authorities, [
    'child.example.test.\t300\tIN\tSOA\tns1.child.example.test. hostmaster.child.example.test. 2 7200 900 604800 300',
  ]);
});

test('detects a CNAME loop across zones', () => {
  const looped = answer('loop.child.example.test');
  assert.is(looped.kind, 'answer');
  assert.equal(looped.answers, [
    'loop.child.example.test.\t3600\tIN\tCNAME\tloop.example.org.',
    'loop.example.org.\t3600\tIN\tCNAME\tloop.child.example.test.',
  ]);
});

test('stops after maxChain CNAMEs', () => {
  const short = new Authority([parent, child, other], { maxChain: 1 });
  assert.equal(sections(short.answer({ name: 'to-child.example.test', type: 'A', class: 'IN' })).answers, [
    'to-child.example.test.\t3600\tIN\tCNAME\twww.child.example.test.',
  ]);
});

test('a chain into a delegation answers with the CNAME, the cut’s NS set and its glue', () => {
  assert.equal(answer('to-lame.example.test'), {
    kind: 'answer',
    aa: true,
    answers: ['to-lame.example.test.\t3600\tIN\tCNAME\thost.lame.example.test.'],
    authorities: ['lame.example.test.\t3600\tIN\tNS\tns.lame.example.test.'],
    additionals: ['ns.lame.example.test.\t3600\tIN\tA\t192.0.2.54'],
  });
  assert.equal(answer('x.lame.example.test'), {
    kind: 'referral',
    aa: false,
    answers: [],
    authorities: ['lame.example.test.\t3600\tIN\tNS\tns.lame.example.test.'],
    additionals: ['ns.lame.example.test.\t3600\tIN\tA\t192.0.2.54'],
  });
});

test('adds addresses for hosts in any of its zones', () => {
  assert.equal(answer('example.test', 'MX').additionals, ['mail.example.org.\t3600\tIN\tA\t192.0.2.25']);
});

test('is not authoritative outside its zones or for a class other than IN', () => {
  assert.equal(authority.answer({ name: 'example.net', type: 'A', class: 'IN' }), {
    kind: 'not-authoritative',
  });
  assert.equal(authority.answer({ name: 'www.example.test', type: 'A', class: 'CH' }), {
    kind: 'not-authoritative',
  });
  assert.equal(new Authority([]).answer({ name: 'x', type: 'A', class: 'IN' }), {
    kind: 'not-authoritative',
  });
});

test.run();
