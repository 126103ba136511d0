import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DomainError, ServerError } from '../../protocols/dns/dns-error.js';
import { listenDns } from '../../protocols/dns/listen-dns.js';
import { Rcode } from '../../protocols/dns/record-types.js';
import { Resolver } from '../../protocols/dns/resolver.js';
import { type DnsServer, dnsServer } from '../../protocols/dns/server.js';
import { Clock } from '../../source/clock.js';
import type { Deferred } from '../../source/deferred.js';
import { Reactor } from '../../source/reactor.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { within } from '../support/demo-process.js';
import { type Dnsmasq, startDnsmasq } from '../support/dnsmasq-peer.js';
import { exampleZone } from '../support/example-zone.js';
import { rejectionOf } from '../support/failure-of.js';

// Spindle's resolver against real servers on 127.0.0.1 (virtual time): dnsmasq, and a Spindle
// server (zone and forwarding) listening on real sockets.
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('interop/dns-resolver'), { reactors: [reactor] });

/** 100 A records: 1645 bytes, past the 1232 bytes the resolver offers over UDP. */
const zone = exampleZone(100);

let dnsmasq: Dnsmasq;

test.before(async () => {
  dnsmasq = await startDnsmasq({
    hostRecords: [{ names: ['host.lan.test'], ips: ['127.0.0.13', '::1'] }],
    txtRecords: [{ name: 'txt.lan.test', strings: ['hello world', 'second'] }],
    mxHosts: [{ name: 'lan.test', exchange: 'mail.lan.test', preference: 10 }],
    locals: ['lan.test'],
  });
});

test.after(async () => {
  await dnsmasq?.stop();
});

const resolverFor = (port: number) =>
  new Resolver({ servers: [{ host: '127.0.0.1', port }], reactor, hosts: false });

/** `answer`, or a failure after 10 seconds of real time (the resolver's own timers are virtual). */
const soon = <T>(answer: Deferred<T>): Promise<T> => within(10, 'the answer', Promise.resolve(answer));

test('against dnsmasq: lookupAddress, lookupIPV6Address, lookupMailExchange, lookupText', async () => {
  const resolver = resolverFor(dnsmasq.port);
  const [a] = await soon(resolver.lookupAddress('host.lan.test'));
  assert.equal([a?.name, a?.address], ['host.lan.test', '127.0.0.13']);
  assert.equal(
    (await soon(resolver.lookupIPV6Address('host.lan.test'))).map((record) => record.address),
    ['::1'],
  );
  assert.equal(
    (await soon(resolver.lookupMailExchange('lan.test'))).map(({ preference, exchange }) => [
      preference,
      exchange,
    ]),
    [[10, 'mail.lan.test']],
  );
  const [txt] = await soon(resolver.lookupText('txt.lan.test'));
  assert.equal(
    txt?.strings.map((bytes) => Buffer.from(bytes).toString()),
    ['hello world', 'second'],
  );
});

test('against dnsmasq: NXDOMAIN is a DomainError, REFUSED a ServerError carrying the RCODE', async () => {
  const resolver = resolverFor(dnsmasq.port);
  assert.instance(await rejectionOf(soon(resolver.lookupAddress('nope.lan.test'))), DomainError);
  const refused = await rejectionOf(soon(resolver.lookupAddress('elsewhere.test')));
  assert.instance(refused, ServerError);
  assert.is((refused as ServerError).rcode, Rcode.REFUSED);
});

test('against dnsmasq over TCP: the same answer', async () => {
  const response = await soon(
    resolverFor(dnsmasq.port).exchange({ name: 'host.lan.test', type: 'A', class: 'IN' }, { tcp: true }),
  );
  assert.equal(
    response.answers.map((record) => record.type === 'A' && record.address),
    ['127.0.0.13'],
  );
});

/** Runs `body` with a Spindle server for the zone on UDP and TCP, closed afterwards. */
async function serving(
  body: (port: number, server: DnsServer, tcpConnections: () => number) => Promise<void>,
  server = dnsServer({ zones: [zone], clock }),
): Promise<void> {
  const listener = listenDns('udp:0:interface=127.0.0.1', server, { reactor });
  try {
    const { port } = await listener.address;
    await body(port, server, () => listener.stream?.stats.accepted ?? 0);
  } finally {
    await listener.close();
  }
}

test('against a Spindle server: lookupService, lookupAuthority, and answers cached for their TTL', async () => {
  await serving(async (port, server) => {
    const resolver = resolverFor(port);
    const [srv] = await soon(resolver.lookupService('_sip._tcp.example.test'));
    assert.equal(srv && [srv.priority, srv.weight, srv.port, srv.target], [10, 60, 5060, 'sip.example.test']);
    const [soa] = await soon(resolver.lookupAuthority('example.test'));
    assert.equal(soa && [soa.mname, soa.rname, soa.serial, soa.minimum], [
      'ns1.example.test',
      'hostmaster.example.test',
      2024060101,
      300,
    ]);
    const asked = server.stats.queries;
    await soon(resolver.lookupAuthority('example.test'));
    assert.is(server.stats.queries, asked, 'from the cache');
    clock.advance(3601);
    await soon(resolver.lookupAuthority('example.test'));
    assert.is(server.stats.queries, asked + 1, 'asked again once the TTL has passed');
  });
});

test('against a Spindle server: a truncated answer is asked again over TCP, whole', async () => {
  await serving(async (port, _server, tcpConnections) => {
    const records = await soon(resolverFor(port).lookupAddress('big.example.test'));
    assert.is(records.length, 100);
    assert.is(tcpConnections(), 1);
  });
});

test('against a Spindle server forwarding to dnsmasq: its names, and its NXDOMAIN as a DomainError', async () => {
  const forward = resolverFor(dnsmasq.port);
  await serving(
    async (port) => {
      const resolver = resolverFor(port);
      const records = await soon(resolver.lookupAddress('host.lan.test'));
      assert.equal(
        records.map((record) => record.address),
        ['127.0.0.13'],
      );
      assert.instance(await rejectionOf(soon(resolver.lookupAddress('nope.lan.test'))), DomainError);
      assert.is((await soon(resolver.lookupAddress('www.example.test')))[0]?.address, '127.0.0.1');
    },
    dnsServer({ zones: [zone], clock, forward }),
  );
});

test.run();
