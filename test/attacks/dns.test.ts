/**
 * Attacks on the DNS server (`dnsServer`), each with the refusal it must meet:
 * - names that loop or overflow: a compression pointer to itself, a cycle of two, a forward
 *   pointer, one past the end, a label over 63 octets, a name over 255 octets, more labels than a
 *   name may have: FORMERR with the query's id (over TCP and UDP), or dropped when there is no id;
 *   the FORMERR answer is no bigger than what it answers; names that point along long chains or
 *   into long names cost linear time;
 * - amplification over UDP: ANY and large answers held to 512 bytes (no EDNS) or the EDNS size
 *   (TC set), and response-rate limiting that drops a flood, every second answer slipping back
 *   empty with TC;
 * - zone transfers (AXFR, IXFR): REFUSED over TCP and UDP.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LengthPrefixedDecoder } from '../../operators/length-prefixed.js';
import { decodeMessage } from '../../protocols/dns/decode-message.js';
import { encodeMessage } from '../../protocols/dns/encode-message.js';
import { listenDns } from '../../protocols/dns/listen-dns.js';
import { emptyMessage, type Message, type Question } from '../../protocols/dns/message.js';
import { Rcode } from '../../protocols/dns/record-types.js';
import { type DnsServerOptions, dnsServer } from '../../protocols/dns/server.js';
import { encodeTcpFrame } from '../../protocols/dns/tcp-framing.js';
import { Clock } from '../../source/clock.js';
import { Reactor } from '../../source/reactor.js';
import { checkClean, StringTransport } from '../../source/testing/index.js';
import { header, hex8, wire, wireName } from '../protocols/dns/_wire.js';
import { askOverUdp } from '../support/ask-over-udp.js';
import { exampleZone } from '../support/example-zone.js';

/** Real UDP sockets on 127.0.0.1, virtual time (for the rate limiter). */
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('attacks/dns'), { reactors: [reactor] });

const zone = exampleZone(60);

const query = (id: number, question: Question, extra: Partial<Message> = {}): Message => ({
  ...emptyMessage,
  id,
  questions: [question],
  ...extra,
});
const edns4096 = { payloadSize: 4096, version: 0, dnssecOk: false, options: [] };

/** A server listening for UDP and TCP on a loopback port; `ask` sends it one datagram. */
async function serving(options: DnsServerOptions = {}) {
  const server = dnsServer({ zones: [zone], clock, ...options });
  const listener = listenDns('udp:0:interface=127.0.0.1', server, { reactor });
  const { port } = await listener.address;
  return {
    server,
    ask: (datagram: Uint8Array) => askOverUdp(server, port, datagram),
    close: () => listener.close(),
  };
}

/** A server on one TCP connection played by the test; `replies()` decodes what it wrote back. */
function overTcp() {
  const server = dnsServer({ zones: [zone], clock });
  const transport = new StringTransport({ allowHalfOpen: true });
  server.serve(transport);
  const replies = (): Message[] =>
    [...new LengthPrefixedDecoder({ bytes: 2, maxLength: 65_535 }).push(transport.value())].map((frame) =>
      decodeMessage(frame),
    );
  return { server, transport, replies };
}

/** A question for `dm.test A` after a header of `counts`, then `rest` (hex). */
const withQuestion = (rest: string, counts = { qd: 1, an: 1 }) =>
  wire(header({ id: 0x4242, ...counts }), wireName('dm.test'), '0001 0001', rest);
/** A record owned by `owner` (hex of a name), type A, with good data. */
const recordOwnedBy = (owner: string) => `${owner} 0001 0001 00000e10 0004 7f000001`;

/** One message whose names loop or overflow; each carries id 0x4242. */
const badNames: readonly { name: string; input: Uint8Array }[] = [
  { name: 'a compression pointer to itself', input: withQuestion(recordOwnedBy('c019')) },
  {
    name: 'a pointer to the start of its own name',
    input: wire(header({ id: 0x4242, qd: 1 }), 'c00c 0001 0001'),
  },
  {
    name: 'a cycle of two pointers, each name pointing to the other',
    input: withQuestion(`${recordOwnedBy('c027')} ${recordOwnedBy('c019')}`, { qd: 1, an: 2 }),
  },
  { name: 'a forward pointer', input: withQuestion(recordOwnedBy('c030')) },
  { name: 'a pointer past the end of the message', input: withQuestion(recordOwnedBy('cfff')) },
  {
    name: 'a pointer into the bytes of a label',
    input: withQuestion(recordOwnedBy('c00d')),
  },
  {
    name: 'a label of 64 octets',
    input: wire(header({ id: 0x4242, qd: 1 }), `40 ${'61'.repeat(64)} 00 0001 0001`),
  },
  {
    name: 'a name of 256 octets in place',
    input: wire(header({ id: 0x4242, qd: 1 }), `${`3f ${'61'.repeat(63)} `.repeat(4)}00 0001 0001`),
  },
  {
    name: 'a name over 255 octets through a pointer',
    input: wire(
      header({ id: 0x4242, qd: 1, an: 1 }),
      `3f ${'61'.repeat(63)} 3f ${'62'.repeat(63)} 00 0001 0001`, // 129 octets at 12
      recordOwnedBy(`3f ${'63'.repeat(63)} 3f ${'64'.repeat(63)} c00c`), // 128 more
    ),
  },
  {
    name: '128 labels: more than a name may have',
    input: wire(header({ id: 0x4242, qd: 1 }), `${'01 61 '.repeat(128)}00 0001 0001`),
  },
  {
    name: 'a reserved label type (0x80)',
    input: wire(header({ id: 0x4242, qd: 1 }), '80 61 00 0001 0001'),
  },
];

test('names that loop or overflow get FORMERR with their id over TCP, and the connection goes on', () => {
  const { server, transport, replies } = overTcp();
  for (const { input } of badNames) transport.receive(encodeTcpFrame(input));
  transport.receive(
    encodeTcpFrame(encodeMessage(query(7, { name: 'www.example.test', type: 'A', class: 'IN' }))),
  );
  const got = replies();
  assert.equal(
    got.map((reply) => [reply.id, reply.rcode]),
    [...badNames.map(() => [0x4242, Rcode.FORMERR]), [7, Rcode.NOERROR]],
    badNames.map((bad) => bad.name).join(', '),
  );
  assert.is(server.stats.formatErrors, badNames.length);
  assert.not.ok(transport.closedByProtocol);
  transport.loseConnection();
});

test('names that loop or overflow get FORMERR over UDP, no bigger than the datagram; without an id, nothing', async () => {
  const { server, ask, close } = await serving();
  try {
    for (const { name, input } of badNames) {
      const reply = await ask(input);
      assert.ok(reply !== undefined, name);
      const message = decodeMessage(reply!);
      assert.equal([message.id, message.rcode, message.qr], [0x4242, Rcode.FORMERR, true], name);
      assert.ok(reply!.length <= input.length, `${name}: ${reply!.length} bytes for ${input.length}`);
    }
    assert.is(await ask(Uint8Array.of(0x42)), undefined, 'one byte: no id to answer');
    assert.is(server.stats.dropped, 1);
  } finally {
    await close();
  }
});

test('a query whose names point along a chain of 8,000 pointers, or into a name of 127 labels, is answered in linear time', async () => {
  const owner = (offset: number) =>
    `${hex8(0xc0 | (offset >> 8))}${hex8(offset & 0xff)} ff00 0001 00000001 0000`;
  // the question (www.example.test, at 12) is 22 octets, then a record whose data (at 45) is the chain
  const chain = Array.from({ length: 8000 }, (_, n) => owner(n === 0 ? 12 : 45 + 2 * (n - 1)).slice(0, 4));
  const pointers = wire(
    header({ id: 0x4242, qd: 1, an: 4001 }),
    wireName('www.example.test'),
    '0001 0001',
    '00 ff00 0001 00000001 3e80',
    ...chain,
    ...Array(4000).fill(owner(45 + 2 * 7999)),
  );
  const long = Array(127).fill('01 61').join(' ');
  const intoName = wire(
    header({ id: 0x4343, qd: 1, an: 5000 }),
    long,
    '00 0001 0001',
    ...Array.from({ length: 5000 }, (_, n) => owner(12 + 2 * (n % 60))),
  );
  const { transport, replies } = overTcp();
  const started = performance.now();
  transport.receive(encodeTcpFrame(pointers));
  transport.receive(encodeTcpFrame(intoName));
  const took = performance.now() - started;
  assert.equal(
    replies().map((reply) => [reply.id, reply.rcode]),
    [
      [0x4242, Rcode.NOERROR],
      [0x4343, Rcode.REFUSED],
    ],
  );
  assert.ok(took < 500, `${pointers.length + intoName.length} bytes answered in ${took.toFixed(0)} ms`);
  transport.loseConnection();
});

test('amplification: ANY and large answers over UDP are held to 512 bytes without EDNS, to 1232 with EDNS 4096, with TC', async () => {
  const { ask, close } = await serving();
  try {
    for (const [name, type] of [
      ['example.test', 'ANY'],
      ['big.example.test', 'A'],
      ['big.example.test', 'ANY'],
    ] as const) {
      const question: Question = { name, type, class: 'IN' };
      const plain = encodeMessage(query(1, question));
      const small = await ask(plain);
      assert.ok(small!.length <= 512, `${name} ${type}: ${small!.length} bytes`);
      const withEdns = encodeMessage(query(2, question, { edns: edns4096 }));
      const large = await ask(withEdns);
      assert.ok(large!.length <= 1232, `${name} ${type} with EDNS: ${large!.length} bytes`);
      assert.ok(large!.length / withEdns.length < 40, 'the amplification factor stays bounded');
      if (name === 'big.example.test') assert.ok(decodeMessage(small!).tc, `${name} ${type}: TC`);
    }
  } finally {
    await close();
  }
});

test('amplification: a flood of one query from one address is answered to its burst, then mostly dropped, one in two slipping back empty with TC', async () => {
  const { server, ask, close } = await serving({ rateLimit: { responsesPerSecond: 5, burst: 5, slip: 2 } });
  try {
    const datagram = encodeMessage(
      query(1, { name: 'big.example.test', type: 'ANY', class: 'IN' }, { edns: edns4096 }),
    );
    let sent = 0;
    let received = 0;
    const kinds: string[] = [];
    for (let n = 0; n < 45; n++) {
      sent += datagram.length;
      const reply = await ask(datagram);
      received += reply?.length ?? 0;
      kinds.push(
        reply === undefined ? 'none' : decodeMessage(reply).answers.length === 0 ? 'slip' : 'answer',
      );
    }
    assert.equal(kinds.slice(0, 9), [
      'answer',
      'answer',
      'answer',
      'answer',
      'answer',
      'none',
      'slip',
      'none',
      'slip',
    ]);
    assert.is(kinds.filter((kind) => kind === 'answer').length, 5);
    assert.is(server.stats.rateLimited, 40);
    assert.ok(
      received < sent * 7,
      `${received} bytes back for ${sent}: the burst's answers, then empty slips`,
    );
  } finally {
    await close();
  }
});

test('zone transfers are refused: AXFR and IXFR, over TCP and UDP', async () => {
  const transfers = ['AXFR', 'IXFR'].map((type, n) =>
    encodeMessage(query(n + 1, { name: 'example.test', type: type as 'AXFR', class: 'IN' })),
  );
  const { transport, replies } = overTcp();
  for (const transfer of transfers) transport.receive(encodeTcpFrame(transfer));
  assert.equal(
    replies().map((reply) => [reply.id, reply.rcode, reply.answers.length]),
    [
      [1, Rcode.REFUSED, 0],
      [2, Rcode.REFUSED, 0],
    ],
  );
  transport.loseConnection();
  const { ask, close } = await serving();
  try {
    for (const transfer of transfers) {
      const reply = decodeMessage((await ask(transfer))!);
      assert.equal([reply.rcode, reply.answers.length], [Rcode.REFUSED, 0]);
    }
  } finally {
    await close();
  }
});

test.run();
