import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkClean } from '../../source/testing/index.js';
import { answersDns } from '../support/answers-dns.js';
import { dig } from '../support/dig.js';
import { type Dnsmasq, startDnsmasq } from '../support/dnsmasq-peer.js';
import { startTwistedDns, type TwistedDns } from '../support/twisted-dns-peer.js';

// The DNS peers the interop tests run, each answering dig for records it was configured with.
const test = checkClean(suite('interop/dns-peers'));

let dnsmasq: Dnsmasq;
let twisted: TwistedDns;

test.before(async () => {
  [dnsmasq, twisted] = await Promise.all([
    startDnsmasq({
      addresses: [{ name: 'dm.test', ip: '127.0.0.12' }],
      hostRecords: [{ names: ['host.dm.test'], ips: ['127.0.0.13', '::1'] }],
      txtRecords: [{ name: 'txt.dm.test', strings: ['hello world', 'second'] }],
      mxHosts: [{ name: 'dm.test', exchange: 'mail.dm.test', preference: 10 }],
    }),
    startTwistedDns({
      origin: 'example.test',
      records: [
        { type: 'A', name: 'www.example.test', address: '127.0.0.10' },
        { type: 'AAAA', name: 'www.example.test', address: '::1' },
        { type: 'TXT', name: 'txt.example.test', strings: ['hello, world', 'été'] },
        { type: 'MX', name: 'example.test', preference: 10, exchange: 'mail.example.test' },
        { type: 'CNAME', name: 'alias.example.test', target: 'www.example.test' },
      ],
    }),
  ]);
});

test.after(async () => {
  await Promise.all([dnsmasq?.stop(), twisted?.stop()]);
});

test('dnsmasq answers an --address name and the names under it, authoritatively', async () => {
  const reply = await dig(dnsmasq.port, ['www.dm.test', 'A']);
  assert.is(reply.status, 'NOERROR');
  assert.ok(reply.flags.includes('qr') && reply.flags.includes('aa'), reply.flags.join(' '));
  assert.equal(
    reply.answer.map((record) => [record.name, record.type, record.data]),
    [['www.dm.test.', 'A', '127.0.0.12']],
  );
  assert.is(reply.transport, 'UDP');
});

test('dnsmasq answers a --host-record over TCP, A and AAAA', async () => {
  const a = await dig(dnsmasq.port, ['host.dm.test', 'A', '+tcp']);
  assert.is(a.transport, 'TCP');
  assert.equal(
    a.answer.map((record) => record.data),
    ['127.0.0.13'],
  );
  const aaaa = await dig(dnsmasq.port, ['host.dm.test', 'AAAA']);
  assert.equal(
    aaaa.answer.map((record) => record.data),
    ['::1'],
  );
});

test('dnsmasq answers a --txt-record with its strings and a --mx-host', async () => {
  const txt = await dig(dnsmasq.port, ['txt.dm.test', 'TXT']);
  assert.equal(
    txt.answer.map((record) => record.data),
    ['"hello world" "second"'],
  );
  const mx = await dig(dnsmasq.port, ['dm.test', 'MX']);
  assert.equal(
    mx.answer.map((record) => record.data),
    ['10 mail.dm.test.'],
  );
});

test('dnsmasq refuses a name it was not given (no upstream)', async () => {
  const reply = await dig(dnsmasq.port, ['elsewhere.test', 'A']);
  assert.is(reply.status, 'REFUSED');
  assert.equal(reply.answer, []);
});

test('Twisted answers an A record of its pyzone, authoritatively, over UDP and TCP', async () => {
  for (const transport of ['+notcp', '+tcp']) {
    const reply = await dig(twisted.port, ['www.example.test', 'A', transport]);
    assert.is(reply.status, 'NOERROR');
    assert.ok(reply.flags.includes('aa'), reply.flags.join(' '));
    assert.equal(reply.answer, [
      { name: 'www.example.test.', ttl: 300, class: 'IN', type: 'A', data: '127.0.0.10' },
    ]);
    assert.is(reply.transport, transport === '+tcp' ? 'TCP' : 'UDP');
  }
});

test('Twisted answers TXT strings given as bytes (a comma, UTF-8), MX and a CNAME', async () => {
  const txt = await dig(twisted.port, ['txt.example.test', 'TXT']);
  assert.equal(
    txt.answer.map((record) => record.data),
    ['"hello, world" "\\195\\169t\\195\\169"'],
  );
  const mx = await dig(twisted.port, ['example.test', 'MX']);
  assert.equal(
    mx.answer.map((record) => record.data),
    ['10 mail.example.test.'],
  );
  const cname = await dig(twisted.port, ['alias.example.test', 'A']);
  assert.equal(cname.answer[0], {
    name: 'alias.example.test.',
    ttl: 300,
    class: 'IN',
    type: 'CNAME',
    data: 'www.example.test.',
  });
});

test('Twisted answers a name of its zone it has no records for with NXDOMAIN, without aa or SOA', async () => {
  // Twisted 22.4's quirks: RFC 2308 wants an authoritative NXDOMAIN with the zone's SOA.
  const reply = await dig(twisted.port, ['nope.example.test', 'A']);
  assert.is(reply.status, 'NXDOMAIN');
  assert.equal(reply.flags, ['qr']);
  assert.equal(reply.answer, []);
  assert.equal(reply.authority, []);
});

test('a stopped peer no longer answers', async () => {
  const peer = await startDnsmasq({ addresses: [{ name: 'gone.test', ip: '127.0.0.14' }] });
  assert.ok(await answersDns(peer.port, 'gone.test'));
  await peer.stop();
  assert.not.ok(await answersDns(peer.port, 'gone.test'));
});

test('a peer that exits at start rejects with what it printed', async () => {
  try {
    await startDnsmasq({ addresses: [{ name: 'bad.test', ip: 'not-an-address' }] });
    assert.unreachable('dnsmasq started');
  } catch (error) {
    assert.instance(error, Error);
    assert.match((error as Error).message, /dnsmasq did not start on port \d+:\n.*dnsmasq/s);
  }
});

test.run();
