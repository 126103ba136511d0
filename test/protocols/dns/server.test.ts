import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import { encodeMessage } from '../../../protocols/dns/encode-message.js';
import type { Forwarder } from '../../../protocols/dns/forwarder.js';
import { emptyMessage, type Message, type Question } from '../../../protocols/dns/message.js';
import { Rcode } from '../../../protocols/dns/record-types.js';
import { type DnsServerOptions, dnsServer } from '../../../protocols/dns/server.js';
import { encodeTcpFrame } from '../../../protocols/dns/tcp-framing.js';
import { Zone } from '../../../protocols/dns/zone.js';
import { parseZoneFile } from '../../../protocols/dns/zone-file.js';
import { Deferred } from '../../../source/deferred.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';
import { loudRecords } from '../../support/loud-records.js';
import { steppedTurns } from '../../support/stepped-turns.js';

const test = checkClean(suite('protocols/dns/server'));

const zoneText = readFileSync(new URL('fixtures/example.test.zone', import.meta.url), 'utf8');
const zone = new Zone(parseZoneFile(zoneText));

const query = (id: number, question: Question, extra: Partial<Message> = {}): Message => ({
  ...emptyMessage,
  id,
  rd: true,
  questions: [question],
  ...extra,
});
const a = (name: string): Question => ({ name, type: 'A', class: 'IN' });

/** A server on a virtual clock, one TCP connection to it, and the messages it wrote back. */
function tcpSession(options: DnsServerOptions = {}) {
  const clock = trackedClock();
  const server = dnsServer({ zones: [zone], clock, ...options });
  const transport = new StringTransport({ allowHalfOpen: true });
  const session = server.serve(transport);
  const replies = () => framesOf(transport.value()).map(decodeMessage);
  return { clock, server, transport, session, replies };
}

/** Splits TCP-framed bytes into messages. */
function framesOf(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let at = 0; at + 2 <= bytes.length; ) {
    const length = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
    frames.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return frames;
}

const framed = (message: Message) => encodeTcpFrame(encodeMessage(message));

test('answers pipelined TCP queries fed at every split, in order, authoritatively', () => {
  const wire = Buffer.concat([
    framed(query(1, a('www.example.test'))),
    framed(query(2, a('mail.example.test'))),
  ]);
  for (const { label, chunks } of chunkings(wire)) {
    const { transport, replies } = tcpSession();
    for (const chunk of chunks) transport.receive(chunk);
    const [first, second] = replies();
    assert.is(replies().length, 2, label);
    assert.equal([first?.id, second?.id], [1, 2], label);
    assert.ok(first?.qr && first.aa && first.rd && !first.ra, label);
    assert.equal(
      first?.answers.map((record) => record.type === 'A' && record.address),
      ['127.0.0.1'],
      label,
    );
    assert.equal(
      second?.answers.map((record) => record.type === 'A' && record.address),
      ['127.0.0.25'],
      label,
    );
    transport.loseConnection();
  }
});

test('echoes the question byte for byte, mixed case included', () => {
  const asked = encodeMessage(query(7, a('WwW.ExAmPlE.TeSt')));
  const { transport } = tcpSession();
  transport.receive(encodeTcpFrame(asked));
  const reply = framesOf(transport.value())[0] as Uint8Array;
  const questionBytes = asked.subarray(12);
  assert.equal([...reply.subarray(12, 12 + questionBytes.length)], [...questionBytes]);
  transport.loseConnection();
});

test('NXDOMAIN and NODATA carry the SOA, with the negative TTL, in the authority section', () => {
  const { transport, replies } = tcpSession();
  transport.receive(framed(query(1, a('nope.example.test'))));
  transport.receive(framed(query(2, { name: 'www.example.test', type: 'MX', class: 'IN' })));
  const [nxdomain, nodata] = replies();
  assert.is(nxdomain?.rcode, Rcode.NXDOMAIN);
  assert.ok(nxdomain?.aa);
  assert.equal(
    nxdomain?.authorities.map((record) => [record.type, record.ttl]),
    [['SOA', 300]],
  );
  assert.is(nodata?.rcode, Rcode.NOERROR);
  assert.is(nodata?.answers.length, 0);
  assert.equal(
    nodata?.authorities.map((record) => record.type),
    ['SOA'],
  );
  transport.loseConnection();
});

test('a referral below a delegation has AA clear, the NS set and the glue', () => {
  const { transport, replies } = tcpSession();
  transport.receive(framed(query(1, a('host.sub.example.test'))));
  const [referral] = replies();
  assert.not.ok(referral?.aa);
  assert.is(referral?.rcode, Rcode.NOERROR);
  assert.equal(
    referral?.authorities.map((record) => record.type === 'NS' && record.host),
    ['ns.sub.example.test'],
  );
  assert.equal(
    referral?.additionals.map((record) => record.type === 'A' && record.address),
    ['127.0.0.55'],
  );
  transport.loseConnection();
});

test('follows CNAMEs inside the zone', () => {
  const { transport, replies } = tcpSession();
  transport.receive(framed(query(1, a('files.example.test'))));
  assert.equal(
    replies()[0]?.answers.map((record) => record.type),
    ['CNAME', 'CNAME', 'A'],
  );
  transport.loseConnection();
});

test('REFUSED outside its zones without a forwarder, NOTIMP for other opcodes, REFUSED for zone transfers', () => {
  const { transport, replies } = tcpSession();
  transport.receive(framed(query(1, a('example.com'))));
  transport.receive(framed(query(2, a('www.example.test'), { opcode: 4 })));
  transport.receive(framed(query(3, { name: 'example.test', type: 'AXFR', class: 'IN' })));
  assert.equal(
    replies().map((reply) => [reply.id, reply.rcode, reply.ra]),
    [
      [1, Rcode.REFUSED, false],
      [2, Rcode.NOTIMP, false],
      [3, Rcode.REFUSED, false],
    ],
  );
  transport.loseConnection();
});

test('FORMERR for a malformed query whose id can be read, and for two questions', () => {
  const { server, transport, replies } = tcpSession();
  const malformed = Buffer.from(encodeMessage(query(0x4242, a('www.example.test'))));
  malformed.writeUInt16BE(2, 6); // ANCOUNT 2, with no answers after the question
  transport.receive(encodeTcpFrame(malformed));
  transport.receive(
    framed({
      ...query(5, a('www.example.test')),
      questions: [a('www.example.test'), a('mail.example.test')],
    }),
  );
  assert.equal(
    replies().map((reply) => [reply.id, reply.rcode, reply.qr]),
    [
      [0x4242, Rcode.FORMERR, true],
      [5, Rcode.FORMERR, true],
    ],
  );
  assert.is(server.stats.formatErrors, 2);
  assert.not.ok(transport.closedByProtocol, 'the connection goes on');
  transport.loseConnection();
});

test('a TCP message too short to hold an id closes the connection; responses are not answered', () => {
  const { server, transport } = tcpSession();
  transport.receive(framed({ ...query(9, a('www.example.test')), qr: true }));
  assert.is(transport.value().length, 0, 'a response gets no answer');
  transport.receive(encodeTcpFrame(Uint8Array.of(1)));
  assert.ok(transport.closedByProtocol);
  assert.is(server.stats.dropped, 2);
});

test('EDNS queries get an OPT record back; EDNS version 1 gets BADVERS', () => {
  const edns = { payloadSize: 4096, version: 0, dnssecOk: false, options: [] };
  const { transport, replies } = tcpSession();
  transport.receive(framed(query(1, a('www.example.test'), { edns })));
  transport.receive(framed(query(2, a('www.example.test'), { edns: { ...edns, version: 1 } })));
  const [answered, badVersion] = replies();
  assert.equal(answered?.edns, { payloadSize: 1232, version: 0, dnssecOk: false, options: [] });
  assert.is(badVersion?.rcode, Rcode.BADVERS);
  assert.is(badVersion?.answers.length, 0);
  transport.loseConnection();
});

test('the DO bit of an EDNS query is copied into the answer (RFC 3225), which dig +dnssec showed missing', () => {
  const edns = { payloadSize: 1232, version: 0, dnssecOk: true, options: [] };
  const { transport, replies } = tcpSession();
  transport.receive(framed(query(1, a('www.example.test'), { edns })));
  transport.receive(framed(query(2, a('nope.example.test'), { edns })));
  assert.equal(
    replies().map((reply) => reply.edns?.dnssecOk),
    [true, true],
  );
  transport.loseConnection();
});

test('an idle TCP connection is closed after tcpIdleTimeout, each query restarting the wait', () => {
  const { clock, transport } = tcpSession({ tcpIdleTimeout: 10 });
  clock.advance(9);
  transport.receive(framed(query(1, a('www.example.test'))));
  clock.advance(9.9);
  assert.not.ok(transport.closedByProtocol);
  clock.advance(0.1);
  assert.ok(transport.closedByProtocol);
});

/** A forwarder whose answers the test gives, one Deferred per question asked. */
function heldForwarder() {
  const asked: { question: Question; answer: Deferred<Message> }[] = [];
  const forwarder: Forwarder = {
    exchange: (question) => {
      const answer = new Deferred<Message>();
      asked.push({ question, answer });
      return answer;
    },
  };
  return { forwarder, asked };
}

const upstreamReply = (question: Question, address: string): Message => ({
  ...emptyMessage,
  qr: true,
  ra: true,
  questions: [question],
  answers: [{ name: question.name, class: 'IN', ttl: 60, type: 'A', address }],
});

test('forwards names outside its zones, answering each TCP query as it completes, with RA set', () => {
  const { forwarder, asked } = heldForwarder();
  const { transport, replies } = tcpSession({ forward: forwarder });
  transport.receive(framed(query(1, a('one.example.com'))));
  transport.receive(framed(query(2, a('two.example.com'))));
  transport.receive(framed(query(3, a('www.example.test'))));
  assert.equal(
    replies().map((reply) => reply.id),
    [3],
    'the zone answers at once',
  );
  asked[1]?.answer.callback(upstreamReply(a('two.example.com'), '192.0.2.2'));
  asked[0]?.answer.callback({ ...upstreamReply(a('one.example.com'), '192.0.2.1'), rcode: Rcode.NXDOMAIN });
  const got = replies();
  assert.equal(
    got.map((reply) => [reply.id, reply.rcode, reply.ra, reply.aa]),
    [
      [3, Rcode.NOERROR, true, true],
      [2, Rcode.NOERROR, true, false],
      [1, Rcode.NXDOMAIN, true, false],
    ],
  );
  transport.loseConnection();
});

test('a forwarder that fails gives SERVFAIL; a query without RD is REFUSED rather than forwarded', () => {
  const { forwarder, asked } = heldForwarder();
  const { transport, replies } = tcpSession({ forward: forwarder });
  transport.receive(framed(query(1, a('one.example.com'))));
  transport.receive(framed(query(2, a('two.example.com'), { rd: false })));
  asked[0]?.answer.errback(new Error('upstream gone'));
  assert.equal(
    replies().map((reply) => [reply.id, reply.rcode]),
    [
      [2, Rcode.REFUSED],
      [1, Rcode.SERVFAIL],
    ],
  );
  assert.is(asked.length, 1);
  transport.loseConnection();
});

test('regression: a forwarder that throws rather than errbacks gives SERVFAIL, logged as an error (the throw crashed the process)', async () => {
  const forward: Forwarder = {
    exchange: () => {
      throw new Error('a bug in the forwarder');
    },
  };
  const logged = await loudRecords(async () => {
    const { transport, replies, server } = tcpSession({ forward });
    transport.receive(framed(query(1, a('one.example.com'))));
    assert.equal(
      replies().map((reply) => [reply.id, reply.rcode]),
      [[1, Rcode.SERVFAIL]],
    );
    const bytes = await server.respond(encodeMessage(query(2, a('two.example.com'))));
    assert.is(decodeMessage(bytes!).rcode, Rcode.SERVFAIL, 'and over UDP or HTTPS');
    transport.loseConnection();
  });
  assert.equal(
    logged.map((record) => record.message),
    ['the forwarder threw on one.example.com A', 'the forwarder threw on two.example.com A'],
  );
});

test('reading pauses while maxQueriesInFlight forwarded queries wait, and resumes as they complete', () => {
  const { forwarder, asked } = heldForwarder();
  const { transport } = tcpSession({ forward: forwarder, maxQueriesInFlight: 2 });
  transport.receive(framed(query(1, a('one.example.com'))));
  assert.ok(transport.reading);
  transport.receive(framed(query(2, a('two.example.com'))));
  assert.not.ok(transport.reading, 'two wait: reading paused');
  asked[0]?.answer.callback(upstreamReply(a('one.example.com'), '192.0.2.1'));
  assert.ok(transport.reading, 'one answered: reading again');
  transport.loseConnection();
});

/** `count` pipelined queries, alternating between two names of the zone. */
function flood(count: number): Uint8Array {
  const names = ['www.example.test', 'mail.example.test'];
  return Buffer.concat(Array.from({ length: count }, (_, i) => framed(query(i + 1, a(names[i % 2]!)))));
}

test('regression (issue 13): a pipelined flood in one read is answered queriesPerTurn a turn, in order, unread meanwhile', () => {
  const wire = flood(40);
  const unbounded = tcpSession({ queriesPerTurn: Number.POSITIVE_INFINITY });
  unbounded.transport.receive(wire);
  const expected = unbounded.transport.value();
  assert.is(unbounded.replies().length, 40);
  unbounded.transport.loseConnection();

  const turns = steppedTurns();
  const { transport, replies } = tcpSession({ queriesPerTurn: 4, scheduler: turns.scheduler });
  transport.receive(wire);
  const answered = [replies().length];
  assert.not.ok(transport.reading, 'queries wait: the connection is not read');
  while (turns.turn()) {
    answered.push(replies().length);
    if (answered.length < 10) assert.not.ok(transport.reading, `turn ${answered.length}`);
  }
  assert.equal(answered, [4, 8, 12, 16, 20, 24, 28, 32, 36, 40], 'ten turns of four');
  assert.ok(transport.reading, 'read again once all are answered');
  assert.equal(transport.value(), expected, 'the same answers as without a budget');
  transport.loseConnection();
});

test('a budgeted flood fed at every split gets the answers it gets without a budget', () => {
  const wire = flood(12);
  const unbounded = tcpSession({ queriesPerTurn: Number.POSITIVE_INFINITY });
  unbounded.transport.receive(wire);
  const expected = unbounded.transport.value();
  unbounded.transport.loseConnection();
  for (const { label, chunks } of chunkings(wire)) {
    const turns = steppedTurns();
    const { transport } = tcpSession({ queriesPerTurn: 2, scheduler: turns.scheduler });
    for (const chunk of chunks) transport.receive(chunk);
    turns.settle();
    assert.equal(transport.value(), expected, label);
    assert.ok(transport.reading, label);
    transport.loseConnection();
  }
});

test("after a budgeted flood and the peer's FIN, every query is answered before the connection closes", () => {
  const turns = steppedTurns();
  const { transport, replies } = tcpSession({ queriesPerTurn: 4, scheduler: turns.scheduler });
  transport.receive(flood(10));
  transport.receiveEnd();
  assert.not.ok(transport.closedByProtocol);
  assert.is(turns.settle(), 2);
  assert.equal(
    replies().map((reply) => reply.id),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.ok(transport.closedByProtocol);
});

test('a connection lost while its flood waits for its turn answers no more', () => {
  const turns = steppedTurns();
  const { transport, replies } = tcpSession({ queriesPerTurn: 4, scheduler: turns.scheduler });
  transport.receive(flood(10));
  transport.loseConnection();
  turns.settle();
  assert.is(replies().length, 4);
});

test('a closed connection cancels the forwarded queries it was waiting on', () => {
  const { forwarder, asked } = heldForwarder();
  const { transport } = tcpSession({ forward: forwarder });
  transport.receive(framed(query(1, a('one.example.com'))));
  transport.loseConnection();
  assert.ok(asked[0]?.answer.called, 'cancelled');
  assert.is(transport.value().length, 0);
});

test('drain answers what is in flight, takes no more, then settles and closes', () => {
  const { forwarder, asked } = heldForwarder();
  const { clock, transport, session } = tcpSession({ forward: forwarder });
  transport.receive(framed(query(1, a('one.example.com'))));
  let drained = false;
  (session.drain(clock.seconds() + 30) as Deferred<void>).addCallback(() => {
    drained = true;
  });
  transport.receive(framed(query(2, a('www.example.test'))));
  assert.not.ok(drained);
  asked[0]?.answer.callback(upstreamReply(a('one.example.com'), '192.0.2.1'));
  assert.ok(drained);
  assert.equal(
    framesOf(transport.value()).map((frame) => decodeMessage(frame).id),
    [1],
    'the query after the drain began was not taken',
  );
  assert.ok(transport.closedByProtocol);
});

test('after the peer half-closes, answers still go out, then the connection closes', () => {
  const { forwarder, asked } = heldForwarder();
  const { transport, replies } = tcpSession({ forward: forwarder });
  transport.receive(framed(query(1, a('one.example.com'))));
  transport.receiveEnd();
  assert.not.ok(transport.closedByProtocol);
  asked[0]?.answer.callback(upstreamReply(a('one.example.com'), '192.0.2.1'));
  assert.equal(
    replies().map((reply) => reply.id),
    [1],
  );
  assert.ok(transport.closedByProtocol);
});

test('respond() gives the encoded answer held to maxSize, with TC when it does not fit', async () => {
  const records = Array.from({ length: 40 }, (_, i) => `big IN A 192.0.2.${i + 1}`).join('\n');
  const bigZone = new Zone(parseZoneFile(`${zoneText}\n${records}\n`));
  const server = dnsServer({ zones: [bigZone], clock: trackedClock() });
  const bytes = encodeMessage(query(1, a('big.example.test')));
  const small = decodeMessage((await server.respond(bytes, 512)) as Uint8Array);
  const whole = decodeMessage((await server.respond(bytes)) as Uint8Array);
  assert.ok(small.tc);
  assert.not.ok(whole.tc);
  assert.is(whole.answers.length, 40);
  assert.is(await server.respond(Uint8Array.of(1, 2, 3).subarray(0, 1)), undefined);
});

test.run();
