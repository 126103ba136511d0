import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import { DomainError, InvalidNameError, ServerError } from '../../../protocols/dns/dns-error.js';
import { encodeMessage } from '../../../protocols/dns/encode-message.js';
import { emptyMessage, type Message, type ResourceRecord } from '../../../protocols/dns/message.js';
import { Rcode } from '../../../protocols/dns/record-types.js';
import { Resolver, type ResolverOptions } from '../../../protocols/dns/resolver.js';
import { ResolverCache } from '../../../protocols/dns/resolver-cache.js';
import { dnsTcpFrames, encodeTcpFrame } from '../../../protocols/dns/tcp-framing.js';
import { Clock } from '../../../source/clock.js';
import type { Connection } from '../../../source/connection.js';
import { listen } from '../../../source/endpoints.js';
import { CancelledError, ConnectionLost, TimeoutError } from '../../../source/errors.js';
import { Reactor } from '../../../source/reactor.js';
import type { Server } from '../../../source/server.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import type { DatagramPort } from '../../../source/transports/udp.js';
import { rejectionOf } from '../../support/failure-of.js';

/** Real sockets, virtual time: timeouts and retries move only when a test advances the clock. */
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('protocols/dns/resolver'), { reactors: [reactor] });

/** What a fake server does with a query: answer it (`reply`), or not. */
type Handler = (query: Message, reply: (message: Message) => void) => void;

/** A DNS server made of a real UDP port on loopback, answering with `handler`. */
interface FakeServer {
  readonly host: string;
  readonly port: number;
  readonly udp: DatagramPort;
  /** Every query received, with the port it came from. */
  readonly queries: { message: Message; from: number }[];
  /** Fires with the next query received. */
  nextQuery(): Promise<Message>;
}

async function fakeServer(handler: Handler, host = '127.0.0.1'): Promise<FakeServer> {
  const udp = listen(`udp:0:interface=${host.includes(':') ? host.replaceAll(':', '\\:') : host}`, {
    reactor,
  });
  const { port } = await udp.address;
  const queries: { message: Message; from: number }[] = [];
  const arrivals = new Subject<Message>();
  udp.datagrams$.subscribe(({ data, address, port: from }) => {
    const message = decodeMessage(data);
    queries.push({ message, from });
    arrivals.next(message);
    handler(message, (reply) => udp.send(encodeMessage(reply), address, from));
  });
  const nextQuery = () => firstValueFrom(arrivals);
  return { host, port, udp, queries, nextQuery };
}

/** A response to `query` carrying `fields`. */
const responseTo = (query: Message, fields: Partial<Message> = {}): Message => ({
  ...emptyMessage,
  id: query.id,
  qr: true,
  rd: true,
  ra: true,
  questions: query.questions,
  ...fields,
});

const a = (name: string, address: string, ttl = 300): ResourceRecord => ({
  name,
  class: 'IN',
  ttl,
  type: 'A',
  address,
});

const answering =
  (...answers: ResourceRecord[]): Handler =>
  (query, reply) =>
    reply(responseTo(query, { answers }));

const resolverFor = (servers: readonly FakeServer[], options: ResolverOptions = {}) =>
  new Resolver({
    servers: servers.map(({ host, port }) => ({ host, port })),
    hosts: false,
    reactor,
    ...options,
  });

/** Fires once `condition()` holds, checking once per event-loop turn; fails after 10 s waiting for `what`. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after 10 s waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Closes the fake servers, then checks the resolver left no socket open and no timer pending. */
async function closeAll(...servers: FakeServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.udp.close()));
  assert.is(reactor.servers.size, 0, 'no socket left open');
  assert.is(clock.getDelayedCalls().length, 0, 'no timer left pending');
}

test('lookupAddress sends one question with RD and EDNS 1232 and gives the A records, through a CNAME chain', async () => {
  const server = await fakeServer(
    answering(
      { name: 'www.example.com', class: 'IN', ttl: 60, type: 'CNAME', target: 'web.example.com' },
      { name: 'WEB.example.com', class: 'IN', ttl: 60, type: 'CNAME', target: 'host.example.com' },
      a('host.example.com', '192.0.2.1'),
      a('host.example.com', '192.0.2.2'),
      a('other.example.com', '192.0.2.99'),
    ),
  );
  const resolver = resolverFor([server]);
  const records = await resolver.lookupAddress('www.example.com');
  assert.equal(
    records.map((record) => record.address),
    ['192.0.2.1', '192.0.2.2'],
  );
  const query = server.queries[0]!.message;
  assert.is(server.queries.length, 1);
  assert.ok(query.rd && !query.qr);
  assert.equal(query.questions, [{ name: 'www.example.com', type: 'A', class: 'IN' }]);
  assert.is(query.edns?.payloadSize, 1232);
  assert.ok(query.id >= 0 && query.id <= 0xffff);
  assert.is(reactor.servers.size, 1, 'the query socket is closed by the time the answer is given');
  await closeAll(server);
});

test('each record lookup asks its own type and gives only records of that type', async () => {
  const server = await fakeServer((query, reply) => {
    const name = query.questions[0]!.name;
    const byType: Record<string, ResourceRecord[]> = {
      AAAA: [{ name, class: 'IN', ttl: 60, type: 'AAAA', address: '2001:db8::1' }],
      MX: [{ name, class: 'IN', ttl: 60, type: 'MX', preference: 10, exchange: 'mx.example.com' }],
      TXT: [{ name, class: 'IN', ttl: 60, type: 'TXT', strings: [Buffer.from('v=spf1 -all')] }],
      SRV: [
        {
          name,
          class: 'IN',
          ttl: 60,
          type: 'SRV',
          priority: 1,
          weight: 2,
          port: 5060,
          target: 'sip.example.com',
        },
      ],
      PTR: [{ name, class: 'IN', ttl: 60, type: 'PTR', host: 'localhost' }],
      SOA: [
        {
          name,
          class: 'IN',
          ttl: 60,
          type: 'SOA',
          mname: 'ns1.example.com',
          rname: 'hostmaster.example.com',
          serial: 7,
          refresh: 1,
          retry: 2,
          expire: 3,
          minimum: 4,
        },
      ],
      NS: [{ name, class: 'IN', ttl: 60, type: 'NS', host: 'ns1.example.com' }],
    };
    reply(
      responseTo(query, { answers: [a(name, '192.0.2.1'), ...(byType[query.questions[0]!.type] ?? [])] }),
    );
  });
  const resolver = resolverFor([server], { cache: false });
  const got = [
    (await resolver.lookupIPV6Address('example.com')).map((r) => r.address),
    (await resolver.lookupMailExchange('example.com')).map((r) => r.exchange),
    (await resolver.lookupText('example.com')).map((r) =>
      r.strings.map((bytes) => Buffer.from(bytes).toString()),
    ),
    (await resolver.lookupService('_sip._udp.example.com')).map((r) => r.port),
    (await resolver.lookupPointer('1.0.0.127.in-addr.arpa')).map((r) => r.host),
    (await resolver.lookupAuthority('example.com')).map((r) => r.serial),
    (await resolver.lookupNameservers('example.com')).map((r) => r.host),
  ];
  assert.equal(got, [
    ['2001:db8::1'],
    ['mx.example.com'],
    [['v=spf1 -all']],
    [5060],
    ['localhost'],
    [7],
    ['ns1.example.com'],
  ]);
  assert.equal(
    server.queries.map(({ message }) => message.questions[0]!.type),
    ['AAAA', 'MX', 'TXT', 'SRV', 'PTR', 'SOA', 'NS'],
  );
  await closeAll(server);
});

test('query gives the whole response; an answer without the type asked gives an empty list', async () => {
  const server = await fakeServer(answering(a('example.com', '192.0.2.1')));
  const resolver = resolverFor([server], { cache: false });
  const response = await resolver.query({ name: 'example.com', type: 'A', class: 'IN' });
  assert.ok(response.qr && response.ra);
  assert.equal(response.answers, [a('example.com', '192.0.2.1')]);
  assert.equal(await resolver.lookupMailExchange('example.com'), []);
  await closeAll(server);
});

test('NXDOMAIN errbacks with DomainError, SERVFAIL and REFUSED with ServerError and their rcode', async () => {
  const rcodes: Record<string, number> = { 'gone.example': Rcode.NXDOMAIN, 'broken.example': Rcode.SERVFAIL };
  const server = await fakeServer((query, reply) =>
    reply(responseTo(query, { rcode: rcodes[query.questions[0]!.name] ?? Rcode.REFUSED })),
  );
  const resolver = resolverFor([server]);
  const gone = await rejectionOf(resolver.lookupAddress('gone.example'));
  assert.instance(gone, DomainError);
  assert.is((gone as DomainError).domain, 'gone.example');
  const broken = await rejectionOf(resolver.lookupAddress('broken.example'));
  assert.instance(broken, ServerError);
  assert.is((broken as ServerError).rcode, Rcode.SERVFAIL);
  const refused = await rejectionOf(resolver.query({ name: 'no.example', type: 'TXT', class: 'IN' }));
  assert.is((refused as ServerError).rcode, Rcode.REFUSED);
  await closeAll(server);
});

test('with no answer in time it asks the next server, from a new socket and with a new id', async () => {
  const silent = await fakeServer(() => {});
  const second = await fakeServer(answering(a('example.com', '192.0.2.8')));
  const resolver = resolverFor([silent, second], { timeouts: [1, 3] });
  const lookup = resolver.lookupAddress('example.com');
  await silent.nextQuery();
  const asked = second.nextQuery();
  clock.advance(0.999);
  assert.is(second.queries.length, 0, 'waits the whole first timeout');
  clock.advance(0.001);
  await asked;
  assert.equal(
    (await lookup).map((r) => r.address),
    ['192.0.2.8'],
  );
  assert.is.not(second.queries[0]!.from, silent.queries[0]!.from, 'a fresh source port');
  await closeAll(silent, second);
});

test('goes round all servers once per timeout, then errbacks with TimeoutError', async () => {
  const one = await fakeServer(() => {});
  const two = await fakeServer(() => {});
  const resolver = resolverFor([one, two], { timeouts: [1, 3] });
  const lookup = resolver.lookupAddress('example.com');
  const failure = rejectionOf(lookup);
  for (const [server, timeout] of [
    [one, 1],
    [two, 1],
    [one, 3],
    [two, 3],
  ] as const) {
    const before = server.queries.length;
    await until(`a query at ${server.port}`, () => server.queries.length > before);
    clock.advance(timeout);
  }
  assert.instance(await failure, TimeoutError);
  assert.equal([one.queries.length, two.queries.length], [2, 2]);
  await closeAll(one, two);
});

test('drops answers with the wrong id, the wrong name or from the wrong port, and takes the real one', async () => {
  const spoofer = createSocket('udp4');
  let realReply: (() => void) | undefined;
  const server = await fakeServer((query, reply) => {
    reply(responseTo(query, { id: (query.id + 1) & 0xffff, answers: [a('example.com', '6.6.6.1')] }));
    reply(responseTo(query, { questions: [{ name: 'evil.example', type: 'A', class: 'IN' }] }));
    reply(responseTo(query, { questions: [{ name: 'example.com', type: 'MX', class: 'IN' }] }));
    const from = server.queries.at(-1)!.from;
    spoofer.send(
      encodeMessage(responseTo(query, { answers: [a('example.com', '6.6.6.4')] })),
      from,
      '127.0.0.1',
    );
    realReply = () => reply(responseTo(query, { answers: [a('EXAMPLE.com', '192.0.2.1')] }));
  });
  const resolver = resolverFor([server]);
  const lookup = resolver.lookupAddress('Example.COM');
  await until('four dropped answers', () => resolver.dropped === 4);
  realReply!();
  assert.equal(
    (await lookup).map((r) => r.address),
    ['192.0.2.1'],
  );
  spoofer.close();
  await closeAll(server);
});

test('drops a malformed datagram and keeps waiting', async () => {
  const server = await fakeServer((query, reply) => {
    server.udp.send(Buffer.from([1, 2, 3]), '127.0.0.1', server.queries.at(-1)!.from);
    setImmediate(() => reply(responseTo(query, { answers: [a('example.com', '192.0.2.1')] })));
  });
  const resolver = resolverFor([server]);
  const records = await resolver.lookupAddress('example.com');
  assert.is(records.length, 1);
  assert.is(resolver.dropped, 1);
  await closeAll(server);
});

/**
 * A fake server whose UDP side answers every query truncated, with a TCP listener on the same
 * port number running `onConnection`.
 */
async function truncatingServer(
  onConnection: (connection: Connection) => void,
): Promise<{ server: FakeServer; tcp: Server }> {
  // The TCP listener needs the UDP port's number: try a few ephemeral ports until one is free for both.
  for (let tries = 0; tries < 10; tries++) {
    const server = await fakeServer((query, reply) => reply(responseTo(query, { tc: true })));
    const tcp = listen(`tcp:${server.port}:interface=127.0.0.1`, { reactor, required: false });
    const bound = await tcp.address.then(
      () => true,
      () => false,
    );
    if (bound) {
      tcp.connections$.subscribe(onConnection);
      return { server, tcp };
    }
    await server.udp.close();
  }
  throw new Error('no port free for both UDP and TCP');
}

test('a truncated answer is asked again over TCP, on the same port', async () => {
  const overTcp: Message[] = [];
  const { server, tcp } = await truncatingServer((connection) =>
    connection.data$.pipe(dnsTcpFrames()).subscribe((frame) => {
      const query = decodeMessage(frame);
      overTcp.push(query);
      const answers = Array.from({ length: 40 }, (_, i) => a('big.example', `192.0.2.${i + 1}`));
      connection.write(encodeTcpFrame(encodeMessage(responseTo(query, { answers }))));
    }),
  );
  const resolver = resolverFor([server]);
  const records = await resolver.lookupAddress('big.example');
  assert.is(records.length, 40);
  assert.is(overTcp.length, 1);
  assert.equal(overTcp[0]!.questions, server.queries[0]!.message.questions);
  await tcp.close();
  await closeAll(server);
});

test('over TCP, a server that closes without answering gives ConnectionLost; one that stays silent, TimeoutError after 10 s', async () => {
  const { server, tcp } = await truncatingServer((connection) =>
    connection.data$.subscribe(() => {
      if (server.queries.length === 1) connection.close();
    }),
  );
  const resolver = resolverFor([server]);
  assert.instance(await rejectionOf(resolver.lookupAddress('closed.example')), ConnectionLost);
  const silent = resolver.lookupAddress('silent.example');
  const failure = rejectionOf(silent);
  await until('the TCP connection', () => tcp.connections.size === 1);
  clock.advance(9.999);
  assert.not.ok(silent.called);
  clock.advance(0.001);
  assert.instance(await failure, TimeoutError);
  await until('the TCP connection to close', () => tcp.connections.size === 0);
  await tcp.close();
  await closeAll(server);
});

test('rotate starts each query at the next server in turn', async () => {
  const one = await fakeServer(answering(a('example.com', '192.0.2.1')));
  const two = await fakeServer(answering(a('example.com', '192.0.2.2')));
  const resolver = resolverFor([one, two], { rotate: true, cache: false });
  const order: string[] = [];
  for (let i = 0; i < 3; i++) order.push((await resolver.lookupAddress('example.com'))[0]!.address);
  assert.equal(order, ['192.0.2.1', '192.0.2.2', '192.0.2.1']);
  await closeAll(one, two);
});

test('cancelling a lookup closes its socket and cancels its timer', async () => {
  const server = await fakeServer(() => {});
  const resolver = resolverFor([server]);
  const lookup = resolver.lookupAddress('example.com');
  await server.nextQuery();
  assert.is(reactor.servers.size, 2);
  assert.is(clock.getDelayedCalls().length, 1);
  lookup.cancel();
  assert.instance(await rejectionOf(lookup), CancelledError);
  assert.is(clock.getDelayedCalls().length, 0, 'the timer is cancelled at once');
  await until('the query socket to close', () => reactor.servers.size === 1);
  await closeAll(server);
});

test('a cached answer is served without asking again, its TTL counting down; cache: false asks each time', async () => {
  const server = await fakeServer(answering(a('example.com', '192.0.2.1', 300)));
  const resolver = resolverFor([server]);
  await resolver.lookupAddress('example.com');
  clock.advance(100);
  const again = await resolver.lookupAddress('EXAMPLE.COM');
  assert.equal(
    again.map((r) => r.ttl),
    [200],
  );
  assert.is(server.queries.length, 1, 'served from the cache');
  clock.advance(200);
  await resolver.lookupAddress('example.com');
  assert.is(server.queries.length, 2, 'asked again once expired');
  const uncached = resolverFor([server], { cache: false });
  await uncached.lookupAddress('example.com');
  await uncached.lookupAddress('example.com');
  assert.is(server.queries.length, 4);
  assert.is(uncached.cache, undefined);
  await closeAll(server);
});

test('a shared cache serves NXDOMAIN kept by its SOA without asking', async () => {
  const soa: ResourceRecord = {
    name: 'example',
    class: 'IN',
    ttl: 600,
    type: 'SOA',
    mname: 'ns.example',
    rname: 'root.example',
    serial: 1,
    refresh: 1,
    retry: 1,
    expire: 1,
    minimum: 60,
  };
  const server = await fakeServer((query, reply) =>
    reply(responseTo(query, { rcode: Rcode.NXDOMAIN, authorities: [soa] })),
  );
  const cache = new ResolverCache({ clock });
  const resolver = resolverFor([server], { cache });
  assert.instance(await rejectionOf(resolver.lookupAddress('gone.example')), DomainError);
  assert.instance(
    await rejectionOf(resolverFor([server], { cache }).lookupAddress('gone.example')),
    DomainError,
  );
  assert.is(server.queries.length, 1);
  assert.is(resolver.cache, cache);
  clock.advance(60);
  await closeAll(server);
});

test('lookupAddress and lookupIPV6Address answer from the hosts file first, without regard to case', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'spindle-hosts-'));
  const hosts = join(directory, 'hosts');
  writeFileSync(hosts, '# test hosts\n192.0.2.55 printer.local Printer\n::1 v6only.local\n');
  const server = await fakeServer(answering(a('v6only.local', '192.0.2.66')));
  try {
    const resolver = resolverFor([server], { hosts });
    const records = await resolver.lookupAddress('PRINTER.local');
    assert.equal(records, [
      { name: 'PRINTER.local', class: 'IN', ttl: 3600, type: 'A', address: '192.0.2.55' },
    ]);
    assert.equal(
      (await resolver.lookupIPV6Address('v6only.local')).map((r) => r.address),
      ['::1'],
    );
    assert.is(server.queries.length, 0, 'no query for names the hosts file has');
    assert.equal(
      (await resolver.lookupAddress('v6only.local')).map((r) => r.address),
      ['192.0.2.66'],
    );
    assert.is(server.queries.length, 1, 'a name without an address of the type goes to DNS');
    writeFileSync(hosts, '192.0.2.77 printer.local # moved\n');
    assert.equal(
      (await resolver.lookupAddress('printer.local')).map((r) => r.address),
      ['192.0.2.77'],
    );
  } finally {
    rmSync(directory, { recursive: true });
  }
  await closeAll(server);
});

test('a server on ::1 is asked from an IPv6 socket', async () => {
  const server = await fakeServer(answering(a('example.com', '192.0.2.1')), '::1');
  const resolver = resolverFor([server]);
  assert.is((await resolver.lookupAddress('example.com')).length, 1);
  await closeAll(server);
});

test('servers come from resolv.conf when not given; bad options are refused', () => {
  const directory = mkdtempSync(join(tmpdir(), 'spindle-resolv-'));
  const resolvConf = join(directory, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 127.0.0.53\nnameserver ::1\n');
  try {
    assert.equal(new Resolver({ resolvConf, reactor }).servers, [
      { host: '127.0.0.53', port: 53 },
      { host: '::1', port: 53 },
    ]);
    assert.equal(new Resolver({ resolvConf: join(directory, 'missing'), reactor }).servers, [
      { host: '127.0.0.1', port: 53 },
    ]);
  } finally {
    rmSync(directory, { recursive: true });
  }
  assert.throws(() => new Resolver({ servers: [], reactor }), RangeError);
  assert.throws(() => new Resolver({ servers: [{ host: 'dns.example' }], reactor }), TypeError);
  assert.throws(() => new Resolver({ servers: [{ host: '127.0.0.1' }], timeouts: [], reactor }), RangeError);
});

test('a name that cannot be sent errbacks with InvalidNameError without opening a socket', async () => {
  const resolver = new Resolver({ servers: [{ host: '127.0.0.1', port: 9 }], hosts: false, reactor });
  assert.instance(await rejectionOf(resolver.lookupAddress('a..b')), InvalidNameError);
  assert.is(reactor.servers.size, 0);
});

test.run();
