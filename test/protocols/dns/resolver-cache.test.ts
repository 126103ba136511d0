import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  emptyMessage,
  type Message,
  type Question,
  type ResourceRecord,
} from '../../../protocols/dns/message.js';
import { Rcode } from '../../../protocols/dns/record-types.js';
import { ResolverCache } from '../../../protocols/dns/resolver-cache.js';
import { checkClean, trackedClock } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/dns/resolver-cache'));

const question: Question = { name: 'www.example.com', type: 'A', class: 'IN' };

const a = (address: string, ttl: number): ResourceRecord => ({
  name: 'www.example.com',
  class: 'IN',
  ttl,
  type: 'A',
  address,
});

const soa = (ttl: number, minimum: number, zone = 'example.com'): ResourceRecord => ({
  name: zone,
  class: 'IN',
  ttl,
  type: 'SOA',
  mname: 'ns1.example.com',
  rname: 'hostmaster.example.com',
  serial: 1,
  refresh: 3600,
  retry: 600,
  expire: 86400,
  minimum,
});

const response = (fields: Partial<Message>): Message => ({
  ...emptyMessage,
  id: 7,
  qr: true,
  questions: [question],
  ...fields,
});

test('keeps a positive answer for its smallest answer TTL, whatever the case of the name', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  const answer = response({ answers: [a('192.0.2.1', 300), a('192.0.2.2', 60)] });
  assert.ok(cache.put(question, answer));
  assert.is(
    cache.get({ ...question, name: 'WWW.Example.COM.' }),
    answer,
    'served as stored while no second has passed',
  );
  clock.advance(59.5);
  assert.ok(cache.get(question));
  clock.advance(0.5);
  assert.is(cache.get(question), undefined, 'gone once the smallest TTL has run out');
  assert.is(cache.size, 0, 'the expired entry is dropped');
});

test('serves TTLs lowered by the whole seconds spent in the cache, in every section', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  cache.put(
    question,
    response({
      answers: [a('192.0.2.1', 300)],
      authorities: [soa(900, 900)],
      additionals: [a('192.0.2.9', 40)],
    }),
  );
  clock.advance(100.7);
  const hit = cache.get(question);
  assert.equal(
    hit?.answers.map((r) => r.ttl),
    [200],
  );
  assert.equal(
    hit?.authorities.map((r) => r.ttl),
    [800],
  );
  assert.equal(
    hit?.additionals.map((r) => r.ttl),
    [0],
    'never below zero',
  );
});

test('type and class are part of the key', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  cache.put(question, response({ answers: [a('192.0.2.1', 300)] }));
  assert.is(cache.get({ ...question, type: 'AAAA' }), undefined);
  assert.is(cache.get({ ...question, class: 'CH' }), undefined);
});

test('keeps NXDOMAIN for the smaller of the SOA TTL and minimum (RFC 2308)', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  assert.ok(cache.put(question, response({ rcode: Rcode.NXDOMAIN, authorities: [soa(3600, 30)] })));
  clock.advance(29);
  assert.is(cache.get(question)?.rcode, Rcode.NXDOMAIN);
  clock.advance(1);
  assert.is(cache.get(question), undefined);
  assert.ok(cache.put(question, response({ rcode: Rcode.NXDOMAIN, authorities: [soa(20, 3600)] })));
  clock.advance(20);
  assert.is(cache.get(question), undefined, 'the SOA TTL bounds it too');
});

test('keeps NODATA (NOERROR without a record of the type) by the SOA; a CNAME in it bounds it too', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  const cname: ResourceRecord = {
    name: 'www.example.com',
    class: 'IN',
    ttl: 10,
    type: 'CNAME',
    target: 'web.example.com',
  };
  assert.ok(cache.put(question, response({ answers: [cname], authorities: [soa(300, 300)] })));
  clock.advance(9);
  assert.equal(
    cache.get(question)?.answers.map((r) => r.ttl),
    [1],
  );
  clock.advance(1);
  assert.is(cache.get(question), undefined);
});

test('does not keep a negative answer without an SOA, or with an SOA of an unrelated zone', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  assert.not.ok(cache.put(question, response({ rcode: Rcode.NXDOMAIN })));
  assert.not.ok(cache.put(question, response({})));
  assert.not.ok(
    cache.put(question, response({ rcode: Rcode.NXDOMAIN, authorities: [soa(300, 300, 'other.org')] })),
  );
  assert.is(cache.size, 0);
});

test('does not keep truncated answers, SERVFAIL or REFUSED, or answers with a zero TTL', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  assert.not.ok(cache.put(question, response({ tc: true, answers: [a('192.0.2.1', 300)] })));
  assert.not.ok(cache.put(question, response({ rcode: Rcode.SERVFAIL, authorities: [soa(300, 300)] })));
  assert.not.ok(cache.put(question, response({ rcode: Rcode.REFUSED })));
  assert.not.ok(cache.put(question, response({ answers: [a('192.0.2.1', 0)] })));
  assert.is(cache.size, 0);
});

test('past maxEntries the oldest stored is evicted; storing again makes an entry the newest', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock, maxEntries: 2 });
  const q = (name: string): Question => ({ ...question, name });
  const answer = response({ answers: [a('192.0.2.1', 300)] });
  cache.put(q('one.example'), answer);
  cache.put(q('two.example'), answer);
  cache.put(q('one.example'), answer);
  cache.put(q('three.example'), answer);
  assert.is(cache.size, 2);
  assert.is(cache.get(q('two.example')), undefined, 'the oldest went');
  assert.ok(cache.get(q('one.example')));
  assert.ok(cache.get(q('three.example')));
});

test('clear forgets everything; maxEntries under 1 is refused', () => {
  const clock = trackedClock();
  const cache = new ResolverCache({ clock });
  cache.put(question, response({ answers: [a('192.0.2.1', 300)] }));
  cache.clear();
  assert.is(cache.get(question), undefined);
  assert.throws(() => new ResolverCache({ clock, maxEntries: 0 }), RangeError);
});

test.run();
