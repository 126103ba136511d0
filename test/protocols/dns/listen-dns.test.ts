import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { firstValueFrom } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import { DomainError } from '../../../protocols/dns/dns-error.js';
import { encodeMessage } from '../../../protocols/dns/encode-message.js';
import { listenDns } from '../../../protocols/dns/listen-dns.js';
import { emptyMessage, type Message, type Question } from '../../../protocols/dns/message.js';
import { Resolver } from '../../../protocols/dns/resolver.js';
import { type DnsServer, type DnsServerOptions, dnsServer } from '../../../protocols/dns/server.js';
import { dnsTcpFrames, encodeTcpFrame } from '../../../protocols/dns/tcp-framing.js';
import { Clock } from '../../../source/clock.js';
import { succeed } from '../../../source/deferred.js';
import { connect } from '../../../source/endpoints.js';
import { CannotListenError, ServerClosedError } from '../../../source/errors.js';
import { Reactor } from '../../../source/reactor.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { askOverUdp } from '../../support/ask-over-udp.js';
import { exampleZone } from '../../support/example-zone.js';
import { rejectionOf } from '../../support/failure-of.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';

/** Real sockets on 127.0.0.1, virtual time. */
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('protocols/dns/listen-dns'), { reactors: [reactor] });

const zone = exampleZone(60);

async function serving(options: DnsServerOptions = {}, endpoint = 'udp:0:interface=127.0.0.1') {
  const server = dnsServer({ zones: [zone], clock, ...options });
  const listener = listenDns(endpoint, server, { reactor });
  const { port } = await listener.address;
  const resolver = new Resolver({
    servers: [{ host: '127.0.0.1', port }],
    reactor,
    hosts: false,
    cache: false,
  });
  return { server, listener, port, resolver };
}

/** One datagram to 127.0.0.1:`port`, and the server's answer decoded (see `askOverUdp`). */
async function ask(
  server: DnsServer,
  port: number,
  message: Message | Uint8Array,
): Promise<Message | undefined> {
  const reply = await askOverUdp(
    server,
    port,
    message instanceof Uint8Array ? message : encodeMessage(message),
  );
  return reply === undefined ? undefined : decodeMessage(reply);
}

const query = (id: number, name: string, extra: Partial<Message> = {}): Message => ({
  ...emptyMessage,
  id,
  questions: [{ name, type: 'A', class: 'IN' }],
  ...extra,
});

test('one udp: endpoint listens for UDP and TCP on the same port', async () => {
  const { listener, port, resolver } = await serving();
  try {
    assert.is(listener.datagrams !== undefined && listener.stream !== undefined, true);
    const udp = await resolver.exchange({ name: 'www.example.test', type: 'A', class: 'IN' });
    const tcp = await resolver.exchange({ name: 'www.example.test', type: 'A', class: 'IN' }, { tcp: true });
    for (const response of [udp, tcp]) {
      assert.ok(response.aa);
      assert.equal(
        response.answers.map((record) => record.type === 'A' && record.address),
        ['127.0.0.1'],
      );
    }
    const stream = await listener.stream?.address;
    assert.is(stream !== undefined && 'port' in stream && stream.port, port);
    assert.instance(await rejectionOf(resolver.lookupAddress('nope.example.test')), DomainError);
  } finally {
    await listener.close();
  }
});

test('UDP answers are truncated at 512 bytes without EDNS, at the smaller of both sizes with it; the resolver then asks over TCP', async () => {
  const { listener, port, resolver, server } = await serving();
  try {
    const plain = await ask(server, port, query(1, 'big.example.test'));
    assert.ok(plain?.tc, 'TC without EDNS');
    const edns = await ask(
      server,
      port,
      query(2, 'big.example.test', { edns: { payloadSize: 4096, version: 0, dnssecOk: false, options: [] } }),
    );
    assert.not.ok(edns?.tc, '60 A records fit in 1232 bytes');
    assert.is(edns?.answers.length, 60);
    const records = await resolver.lookupAddress('big.example.test');
    assert.is(records.length, 60, 'the whole answer, over TCP after TC');
  } finally {
    await listener.close();
  }
});

test('rate limiting: past the burst, answers are dropped, every second one slipping back empty with TC', async () => {
  const { listener, port, server } = await serving({ rateLimit: { responsesPerSecond: 1, burst: 2 } });
  try {
    const replies: (Message | undefined)[] = [];
    for (let id = 1; id <= 5; id++) replies.push(await ask(server, port, query(id, 'www.example.test')));
    assert.equal(
      replies.map((reply) => (reply === undefined ? 'none' : reply.tc ? 'slip' : 'answer')),
      ['answer', 'answer', 'none', 'slip', 'none'],
    );
    assert.is(server.stats.rateLimited, 3);
    clock.advance(1);
    assert.is(
      (await ask(server, port, query(6, 'www.example.test')))?.answers.length,
      1,
      'a token came back',
    );
  } finally {
    await listener.close();
  }
});

test('a repeated UDP query is answered from the answer cache: the same bytes, its own id, still counted and rate limited', async () => {
  const { listener, port, server } = await serving({
    rateLimit: { responsesPerSecond: 1, burst: 2, slip: 0 },
  });
  try {
    const first = await ask(server, port, query(1, 'www.example.test'));
    const second = await ask(server, port, query(2, 'www.example.test'));
    assert.equal({ ...second, id: 1 }, first);
    assert.is(second?.id, 2);
    assert.is(await ask(server, port, query(3, 'www.example.test')), undefined, 'over the rate: dropped');
    assert.equal([server.stats.queries, server.stats.answered, server.stats.rateLimited], [3, 2, 1]);
  } finally {
    await listener.close();
  }
});

test('forwarded answers are not kept: each repeated query goes to the forwarder', async () => {
  let asked = 0;
  const forward = {
    exchange: (question: Question) => {
      asked++;
      return succeed<Message>({
        ...emptyMessage,
        qr: true,
        questions: [question],
        answers: [{ name: question.name, class: 'IN', ttl: 60, type: 'A', address: `192.0.2.${asked}` }],
      });
    },
  };
  const { listener, port, server } = await serving({ forward });
  try {
    const first = await ask(server, port, query(1, 'elsewhere.example', { rd: true }));
    const second = await ask(server, port, query(2, 'elsewhere.example', { rd: true }));
    assert.equal(
      [first, second].map((reply) => reply?.answers[0]?.type === 'A' && reply.answers[0].address),
      ['192.0.2.1', '192.0.2.2'],
    );
  } finally {
    await listener.close();
  }
});

test('regression: a datagram that gets no answer takes no rate-limit token (it took one once the answer cache came)', async () => {
  const { listener, port, server } = await serving({
    rateLimit: { responsesPerSecond: 1, burst: 1, slip: 0 },
  });
  try {
    assert.is(await ask(server, port, Uint8Array.of(7)), undefined);
    assert.is(
      (await ask(server, port, query(1, 'www.example.test')))?.id,
      1,
      'the one token answers the query',
    );
    assert.is(server.stats.rateLimited, 0);
  } finally {
    await listener.close();
  }
});

test('an unparseable datagram is dropped and counted; the next query is answered', async () => {
  const { listener, port, server } = await serving();
  try {
    assert.is(await ask(server, port, Uint8Array.of(7)), undefined);
    assert.is((await ask(server, port, query(1, 'www.example.test')))?.id, 1);
    assert.is(server.stats.dropped, 1);
  } finally {
    await listener.close();
  }
});

test('DNS over TLS on a tls: endpoint, with the same framing', async () => {
  const { cert, key } = throwawayCertificate();
  const server = dnsServer({ zones: [zone], clock });
  const listener = listenDns({ type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } }, server, {
    reactor,
  });
  try {
    const { port } = await listener.address;
    assert.is(listener.datagrams, undefined);
    const connection = await connect(
      { type: 'tls', host: '127.0.0.1', port, tls: { ca: cert, servername: 'localhost' } },
      { reactor },
    );
    try {
      const reply = firstValueFrom(connection.data$.pipe(dnsTcpFrames()));
      connection.write(encodeTcpFrame(encodeMessage(query(3, 'mail.example.test'))));
      const answer = decodeMessage(await reply);
      assert.equal(
        answer.answers.map((record) => record.type === 'A' && record.address),
        ['127.0.0.25'],
      );
    } finally {
      await connection.close();
    }
  } finally {
    await listener.close();
  }
});

test('closing before the ephemeral port is bound fails the address with ServerClosedError', async () => {
  const server = dnsServer({ zones: [zone], clock });
  const listener = listenDns('udp:0:interface=127.0.0.1', server, { reactor });
  const address = listener.address;
  await listener.close();
  assert.instance(await rejectionOf(address), ServerClosedError);
});

test('regression: a fixed port already taken fails the address with the CannotListenError itself (it was wrapped in a FirstError)', async () => {
  const taken = createSocket('udp4');
  taken.bind(0, '127.0.0.1');
  await once(taken, 'listening');
  try {
    const server = dnsServer({ zones: [zone], clock });
    const listener = listenDns(`udp:${taken.address().port}:interface=127.0.0.1`, server, {
      reactor,
      required: false,
    });
    const error = await rejectionOf(listener.address);
    assert.instance(error, CannotListenError);
    assert.is((error as CannotListenError).reason, 'EADDRINUSE');
    await listener
      .close()
      .toPromise()
      .catch(() => undefined);
  } finally {
    taken.close();
  }
});

test.run();
