/**
 * Faults: the DNS server's upstream stops answering. A forwarding server (`dnsServer` with a
 * `Resolver`) in front of a UDP socket on 127.0.0.1 that reads every query and answers none: each
 * forwarded query gets SERVFAIL once the resolver's timeouts have all passed (on the virtual
 * clock), with RA set and the query's id; the zone's own names are answered meanwhile; a client
 * that leaves first cancels its queries; no timer, socket or Deferred is left.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LengthPrefixedDecoder } from '../../operators/length-prefixed.js';
import { decodeMessage } from '../../protocols/dns/decode-message.js';
import { encodeMessage } from '../../protocols/dns/encode-message.js';
import { emptyMessage, type Message } from '../../protocols/dns/message.js';
import { Rcode } from '../../protocols/dns/record-types.js';
import { Resolver } from '../../protocols/dns/resolver.js';
import { dnsServer } from '../../protocols/dns/server.js';
import { encodeTcpFrame } from '../../protocols/dns/tcp-framing.js';
import { Clock } from '../../source/clock.js';
import { Reactor } from '../../source/reactor.js';
import { checkClean, StringTransport } from '../../source/testing/index.js';
import { exampleZone } from '../support/example-zone.js';

/** Real UDP sockets on 127.0.0.1, virtual time. */
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('faults/dns-upstream'), { reactors: [reactor] });

const zone = exampleZone();

/** A UDP socket on 127.0.0.1 that reads queries and answers none; `asked` counts them. */
async function silentUpstream(): Promise<{ port: number; asked: () => number; close: () => void }> {
  const socket: Socket = createSocket('udp4');
  let asked = 0;
  socket.on('message', () => asked++);
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { port: socket.address().port, asked: () => asked, close: () => socket.close() };
}

/** Lets the event loop turn until `ready()` holds (the datagrams cross the loopback). */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let turn = 0; !ready(); turn++) {
    if (turn > 100_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise(setImmediate);
  }
}

const query = (id: number, name: string): Message => ({
  ...emptyMessage,
  id,
  rd: true,
  questions: [{ name, type: 'A', class: 'IN' }],
});

/** A forwarding server to the silent upstream, and one TCP connection to it. */
async function forwarding() {
  const upstream = await silentUpstream();
  const forward = new Resolver({
    servers: [{ host: '127.0.0.1', port: upstream.port }],
    reactor,
    hosts: false,
    cache: false,
    timeouts: [1, 3],
  });
  const server = dnsServer({ zones: [zone], forward, clock });
  const transport = new StringTransport({ allowHalfOpen: true });
  server.serve(transport);
  const replies = (): Message[] =>
    [...new LengthPrefixedDecoder({ bytes: 2, maxLength: 65_535 }).push(transport.value())].map((frame) =>
      decodeMessage(frame),
    );
  return { upstream, server, transport, replies };
}

test('an upstream that stops answering: SERVFAIL once every timeout has passed (1 s, then 3 s), the zone answered meanwhile', async () => {
  const { upstream, server, transport, replies } = await forwarding();
  try {
    const start = clock.seconds();
    transport.receive(encodeTcpFrame(encodeMessage(query(1, 'elsewhere.example'))));
    transport.receive(encodeTcpFrame(encodeMessage(query(2, 'www.example.test'))));
    assert.equal(
      replies().map((reply) => [reply.id, reply.rcode]),
      [[2, Rcode.NOERROR]],
      'the zone does not wait on the upstream',
    );
    await until(() => upstream.asked() === 1, 'the first attempt');
    clock.advance(1);
    await until(() => upstream.asked() === 2, 'the second attempt');
    clock.advance(2.9);
    assert.is(replies().length, 1, 'no answer before the last timeout');
    clock.advance(0.1);
    await until(() => replies().length === 2, 'the SERVFAIL');
    const failed = replies()[1]!;
    assert.equal([failed.id, failed.rcode, failed.ra, failed.qr], [1, Rcode.SERVFAIL, true, true]);
    assert.equal(failed.questions, query(1, 'elsewhere.example').questions);
    assert.is(clock.seconds() - start, 4);
    assert.is(server.stats.forwarded, 1);
    assert.equal(
      clock.getDelayedCalls().map((call) => call.getTime()),
      [start + 30],
      'only the connection’s idle deadline (30 s from its last query): the resolver’s timers are gone',
    );
  } finally {
    transport.loseConnection();
    upstream.close();
  }
});

test('a client that leaves while its query waits on the silent upstream cancels it: no answer, no timer left', async () => {
  const { upstream, transport } = await forwarding();
  try {
    transport.receive(encodeTcpFrame(encodeMessage(query(1, 'elsewhere.example'))));
    await until(() => upstream.asked() === 1, 'the first attempt');
    assert.ok(clock.getDelayedCalls().length > 0, 'the resolver waits');
    transport.loseConnection();
    assert.equal(clock.getDelayedCalls(), [], 'its timeout cancelled with it');
    assert.is(transport.value().length, 0);
  } finally {
    upstream.close();
  }
});

test.run();
