import { SocketAddress } from 'node:net';
import packet from 'dns-packet';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import type { Message } from '../../../protocols/dns/message.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { captured, header, hex8, wire, wireName } from './_wire.js';

const test = checkClean(suite('protocols/dns/decode-message'));

const noFlags = { qr: false, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false };
const edns1232 = { payloadSize: 1232, version: 0, dnssecOk: false, options: [] };

test("decodes dig's query: RD and AD set, EDNS with a cookie option", () => {
  assert.equal(decodeMessage(wire(captured.aQuery)), {
    id: 0xf6af,
    ...noFlags,
    rd: true,
    ad: true,
    opcode: 0,
    rcode: 0,
    questions: [{ name: 'dm.test', type: 'A', class: 'IN' }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: { ...edns1232, options: [{ code: 10, data: wire('f68c6cb3fa32fcb6') }] },
  } satisfies Message);
});

test("decodes dnsmasq's A answer, its owner compressed to the question", () => {
  assert.equal(decodeMessage(wire(captured.aResponse)), {
    id: 0xf6af,
    ...noFlags,
    qr: true,
    aa: true,
    rd: true,
    ra: true,
    opcode: 0,
    rcode: 0,
    questions: [{ name: 'dm.test', type: 'A', class: 'IN' }],
    answers: [{ name: 'dm.test', type: 'A', class: 'IN', ttl: 0, address: '127.0.0.12' }],
    authorities: [],
    additionals: [],
    edns: edns1232,
  } satisfies Message);
});

test('keeps the case of names as the wire has it', () => {
  const message = decodeMessage(wire(captured.mixedCaseResponse));
  assert.equal(message.questions[0]?.name, 'WWW.Dm.Test');
  assert.equal(message.answers[0]?.name, 'WWW.Dm.Test');
});

test('decodes MX, TXT and SRV answers field by field', () => {
  assert.equal(decodeMessage(wire(captured.mxResponse)).answers, [
    { name: 'dm.test', type: 'MX', class: 'IN', ttl: 0, preference: 10, exchange: 'mail.dm.test' },
  ]);
  assert.equal(decodeMessage(wire(captured.txtResponse)).answers, [
    {
      name: 't.dm.test',
      type: 'TXT',
      class: 'IN',
      ttl: 0,
      strings: [wire('68656c6c6f'), wire('776f726c64')],
    },
  ]);
  assert.equal(decodeMessage(wire(captured.srvResponse)).answers, [
    {
      name: '_sip._udp.dm.test',
      type: 'SRV',
      class: 'IN',
      ttl: 0,
      priority: 1,
      weight: 2,
      port: 5060,
      target: 'sip.dm.test',
    },
  ]);
});

test('decodes a REFUSED answer with an extended DNS error option', () => {
  const message = decodeMessage(wire(captured.refusedResponse));
  assert.is(message.rcode, 5);
  assert.equal(message.edns?.options, [{ code: 15, data: wire('000e') }]);
});

test("folds OPT's extended RCODE into rcode, and reads the version and the DO bit", () => {
  const message = decodeMessage(wire(header({ ar: 1, flags: 0x8001 }), '00 0029 0200 01 02 8000 0000'));
  assert.is(message.rcode, (1 << 4) | 1);
  assert.equal(message.edns, { payloadSize: 512, version: 2, dnssecOk: true, options: [] });
  assert.equal(message.additionals, []);
});

test('reads every header flag, the opcode and the rcode from their own bits', () => {
  const bits = {
    qr: 0x8000,
    aa: 0x0400,
    tc: 0x0200,
    rd: 0x0100,
    ra: 0x0080,
    z: 0x0040,
    ad: 0x0020,
    cd: 0x0010,
  };
  for (const [flag, bit] of Object.entries(bits)) {
    const message = decodeMessage(wire(header({ flags: bit })));
    assert.equal({ ...noFlags, [flag]: true }, { ...noFlags, ...pick(message, Object.keys(noFlags)) }, flag);
    assert.is(message.opcode, 0, flag);
    assert.is(message.rcode, 0, flag);
  }
  for (let opcode = 0; opcode < 16; opcode++) {
    assert.is(decodeMessage(wire(header({ flags: opcode << 11 }))).opcode, opcode);
  }
  for (let rcode = 0; rcode < 16; rcode++)
    assert.is(decodeMessage(wire(header({ flags: rcode }))).rcode, rcode);
});

function pick(message: Message, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, (message as unknown as Record<string, unknown>)[key]]));
}

const question = `${wireName('x')} 0001 0001`;
/** A message with one answer owned by `x` of type `type` (hex) and data `data` (hex). */
const withAnswer = (type: string, data: string, klass = '0001', ttl = '00000e10'): Uint8Array => {
  const bytes = wire(data);
  return wire(
    header({ qd: 1, an: 1 }),
    question,
    `c00c ${type} ${klass} ${ttl} ${hex8(bytes.length >> 8)}${hex8(bytes.length & 0xff)}`,
    bytes,
  );
};
const only = (bytes: Uint8Array) => decodeMessage(bytes).answers[0];

test('reads a TTL with its top bit set as 0 (RFC 2181 section 8)', () => {
  assert.is(only(withAnswer('0001', '7f000001', '0001', '80000000'))?.ttl, 0);
  assert.is(only(withAnswer('0001', '7f000001', '0001', '7fffffff'))?.ttl, 0x7fffffff);
});

test('decodes NS, CNAME, PTR and SOA, following pointers inside their data', () => {
  assert.equal(only(withAnswer('0002', '02 6e 73 c00c')), {
    name: 'x',
    type: 'NS',
    class: 'IN',
    ttl: 3600,
    host: 'ns.x',
  });
  assert.equal(only(withAnswer('0005', 'c00c')), {
    name: 'x',
    type: 'CNAME',
    class: 'IN',
    ttl: 3600,
    target: 'x',
  });
  assert.equal(only(withAnswer('000c', wireName('host.example'))), {
    name: 'x',
    type: 'PTR',
    class: 'IN',
    ttl: 3600,
    host: 'host.example',
  });
  assert.equal(
    only(
      withAnswer(
        '0006',
        '02 6e 73 c00c 0a 686f73746d6173746572 c00c 00000001 00000e10 00000384 00093a80 0000012c',
      ),
    ),
    {
      name: 'x',
      type: 'SOA',
      class: 'IN',
      ttl: 3600,
      mname: 'ns.x',
      rname: 'hostmaster.x',
      serial: 1,
      refresh: 3600,
      retry: 900,
      expire: 604800,
      minimum: 300,
    },
  );
});

test('accepts a compressed SRV target (RFC 3597 section 4 lets decoders)', () => {
  assert.equal(only(withAnswer('0021', '0000 0000 0035 c00c')), {
    name: 'x',
    type: 'SRV',
    class: 'IN',
    ttl: 3600,
    priority: 0,
    weight: 0,
    port: 53,
    target: 'x',
  });
});

test('decodes CAA, an empty TXT string, and a type it does not know as opaque bytes', () => {
  assert.equal(
    only(withAnswer('0101', `80 05 6973737565 ${Buffer.from('letsencrypt.org').toString('hex')}`)),
    {
      name: 'x',
      type: 'CAA',
      class: 'IN',
      ttl: 3600,
      flags: 128,
      tag: 'issue',
      value: Uint8Array.from(Buffer.from('letsencrypt.org')),
    },
  );
  assert.equal(only(withAnswer('0010', '00')), {
    name: 'x',
    type: 'TXT',
    class: 'IN',
    ttl: 3600,
    strings: [new Uint8Array(0)],
  });
  assert.equal(only(withAnswer('0041', '0001 00 0002 6833')), {
    name: 'x',
    type: 'TYPE65',
    class: 'IN',
    ttl: 3600,
    data: wire('0001 00 0002 6833'),
  });
});

test('a pointer into the middle of a name, or to a pointer to one, gives the rest of that name, escaped labels and all', () => {
  const question = '03 612e62 01 63 01 64 00 0001 0001'; // offset 12: a\.b.c.d, its labels at 12, 16, 18
  const a = '0001 0001 00000e10 0004 7f000001';
  const message = decodeMessage(
    wire(
      header({ qd: 1, an: 3 }),
      question,
      'c010 0005 0001 00000e10 0002 c00c', // offset 25: c.d, a CNAME to a pointer (offset 37) to the name
      `c025 ${a}`, // a pointer to that pointer
      `c012 ${a}`,
    ),
  );
  assert.equal(
    message.answers.map((record) => [record.name, record.type === 'CNAME' ? record.target : record.type]),
    [
      ['c.d', 'a\\.b.c.d'],
      ['a\\.b.c.d', 'A'],
      ['d', 'A'],
    ],
  );
  assert.throws(
    () => decodeMessage(wire(header({ qd: 1, an: 1 }), question, `c00d ${a}`)),
    /reserved label type/,
    'a pointer into the bytes of a label is no name',
  );
});

/** The median time, in ms, of five decodings of `bytes`. */
function decodeTime(bytes: Uint8Array): number {
  const times: number[] = [];
  for (let n = 0; n < 5; n++) {
    const started = performance.now();
    decodeMessage(bytes);
    times.push(performance.now() - started);
  }
  return times.sort((x, y) => x - y)[2]!;
}

test('regression: names pointing into the middle of long names, or along chains of pointers, are read once each (a 64 KB message took 7 s)', () => {
  const owner = (offset: number) =>
    `${hex8(0xc0 | (offset >> 8))}${hex8(offset & 0xff)} ff00 0001 00000001 0000`;
  const records = 5000;
  // plain: 5,000 records owned by the question's name
  const plain = wire(header({ qd: 1, an: records }), '01 61 00 ff00 0001', ...Array(records).fill(owner(12)));
  // 127 one-octet labels (a name of 255 octets), then records owned by its long suffixes
  const long = Array(127).fill('01 61').join(' ');
  const suffixes = Array.from({ length: records }, (_, n) => owner(12 + 2 * (n % 60)));
  const intoNames = wire(header({ qd: 1, an: records }), long, '00 ff00 0001', ...suffixes);
  // a record whose data is a chain of 8,000 pointers, each to the one before, then records owned by the last
  const chain = Array.from({ length: 8000 }, (_, n) => owner(n === 0 ? 12 : 28 + 2 * (n - 1)).slice(0, 4));
  const pointers = wire(
    header({ qd: 1, an: 4001 }),
    '00 ff00 0001',
    '00 ff00 0001 00000001 3e80',
    ...chain,
    ...Array(4000).fill(owner(28 + 2 * 7999)),
  );
  assert.is(
    decodeMessage(intoNames).answers.at(-1)?.name,
    Array(127 - ((records - 1) % 60))
      .fill('a')
      .join('.'),
  );
  assert.is(decodeMessage(pointers).answers.at(-1)?.name, '');
  const baseline = decodeTime(plain);
  for (const [what, bytes] of [
    ['names pointing into a long name', intoNames],
    ['names at the end of a chain of pointers', pointers],
  ] as const) {
    const took = decodeTime(bytes);
    assert.ok(
      took < 10 * baseline + 20,
      `${what}: ${bytes.length} bytes in ${took.toFixed(1)} ms, ${plain.length} plain ones in ${baseline.toFixed(1)} ms`,
    );
  }
});

test('copies bytes out of the message: reusing its memory later changes nothing decoded', () => {
  const bytes = withAnswer('0010', '02 6869');
  const record = only(bytes);
  bytes.fill(0);
  assert.equal(record?.type === 'TXT' ? record.strings : undefined, [wire('6869')]);
});

test("reads empty data of any type as opaque in an update's class ANY or NONE (RFC 2136)", () => {
  assert.equal(only(withAnswer('0001', '', '00ff', '00000000')), {
    name: 'x',
    type: 'TYPE1',
    class: 'ANY',
    ttl: 0,
    data: new Uint8Array(0),
  });
  assert.is(only(withAnswer('000f', '', '00fe', '00000000'))?.type, 'TYPE15');
});

test('unknown classes and question types come back as CLASS123 and TYPE123', () => {
  const message = decodeMessage(wire(header({ qd: 1 }), wireName('x'), 'fff0 002a'));
  assert.equal(message.questions, [{ name: 'x', type: 'TYPE65520', class: 'CLASS42' }]);
});

test('escapes the bytes of a label that presentation form cannot show as is', () => {
  const label = wire('09', Buffer.from('a.b\\c d', 'latin1'), '00 ff');
  const message = decodeMessage(wire(header({ qd: 1 }), label, '00 0001 0001'));
  assert.is(message.questions[0]?.name, 'a\\.b\\\\c\\032d\\000\\255');
});

test('takes a label of 63 octets and a name of exactly 255', () => {
  const label63 = `3f ${'61'.repeat(63)}`;
  const name = decodeMessage(
    wire(header({ qd: 1 }), label63, label63, label63, `3d ${'62'.repeat(61)}`, '00 0001 0001'),
  ).questions[0]?.name;
  assert.is(name, `${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'b'.repeat(61)}`);
});

test('prints AAAA addresses as node:net does, for every shape of zero runs', () => {
  const cases = [
    '::',
    '::1',
    '1::',
    '2001:db8::1',
    '1:0:0:1:0:0:1:1',
    '1:0:0:1:0:0:0:1',
    '::ffff:1.2.3.4',
    '::1.2.3.4',
    '::ffff:0:0',
    '64:ff9b::1.2.3.4',
    '0:0:0:0:0:1:0:0',
    '1:2:3:4:5:6:7:8',
    '1:0:2:3:4:5:6:7',
    'fe80::abcd:ef01:2345:6789',
  ];
  let seed = 7;
  for (let n = 0; n < 300; n++) {
    // Random groups, each zero half the time, so every run length and position comes up.
    const groups = Array.from({ length: 8 }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 1 ? 0 : (seed >> 8) & 0xffff;
    });
    cases.push(groups.map((g) => g.toString(16)).join(':'));
  }
  for (const address of cases) {
    const bytes = Buffer.alloc(16);
    const node = new SocketAddress({ address, family: 'ipv6' }).address;
    packetBytes(address, bytes);
    const record = only(withAnswer('001c', bytes.toString('hex')));
    assert.is(record?.type === 'AAAA' ? record.address : undefined, node, address);
  }
});

/** The 16 bytes of an IPv6 address, by dns-packet's parser (a second, independent one). */
function packetBytes(address: string, into: Buffer): void {
  const encoded = packet.encode({
    type: 'response',
    id: 0,
    answers: [{ type: 'AAAA', name: 'x', ttl: 0, class: 'IN', data: address }],
  });
  Buffer.from(encoded).copy(into, 0, encoded.length - 16);
}

const soaFields = {
  mname: 'ns.mixed.example',
  rname: 'root.mixed.example',
  serial: 9,
  refresh: 8,
  retry: 7,
  expire: 6,
  minimum: 5,
};

test('decodes what dns-packet encodes, field for field', () => {
  const encoded = packet.encode({
    type: 'response',
    id: 4242,
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | packet.AUTHORITATIVE_ANSWER,
    questions: [{ name: 'Mixed.Example', type: 'MX', class: 'IN' }],
    answers: [
      {
        name: 'mixed.example',
        type: 'MX',
        ttl: 60,
        class: 'IN',
        data: { preference: 5, exchange: 'mx.mixed.example' },
      },
      { name: 'mixed.example', type: 'A', ttl: 60, class: 'IN', data: '192.0.2.7' },
      { name: 'mixed.example', type: 'AAAA', ttl: 60, class: 'IN', data: '2001:db8::7' },
      { name: 'mixed.example', type: 'TXT', ttl: 60, class: 'IN', data: ['v=spf1 -all', 'second'] },
      { name: 'c.mixed.example', type: 'CNAME', ttl: 60, class: 'IN', data: 'mixed.example' },
      {
        name: '_x._tcp.mixed.example',
        type: 'SRV',
        ttl: 60,
        class: 'IN',
        data: { priority: 1, weight: 2, port: 3, target: 't.mixed.example' },
      },
      {
        name: 'mixed.example',
        type: 'CAA',
        ttl: 60,
        class: 'IN',
        data: { flags: 0, tag: 'issue', value: 'ca.example' },
      },
    ],
    authorities: [
      {
        name: 'mixed.example',
        type: 'SOA',
        ttl: 60,
        class: 'IN',
        data: soaFields,
      },
      { name: 'mixed.example', type: 'NS', ttl: 60, class: 'IN', data: 'ns.mixed.example' },
    ],
    additionals: [
      { name: '1.2.0.192.in-addr.arpa', type: 'PTR', ttl: 60, class: 'IN', data: 'mixed.example' },
      {
        name: '.',
        type: 'OPT',
        udpPayloadSize: 4096,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: packet.DNSSEC_OK,
        flag_do: true,
        options: [{ code: 12, data: Buffer.alloc(3) }],
      },
    ],
  });
  const message = decodeMessage(encoded);
  assert.equal(pick(message, ['id', 'qr', 'aa', 'rd', 'ra', 'tc']), {
    id: 4242,
    qr: true,
    aa: true,
    rd: true,
    ra: true,
    tc: false,
  });
  assert.equal(message.questions, [{ name: 'Mixed.Example', type: 'MX', class: 'IN' }]);
  const text = (strings: readonly Uint8Array[]) => strings.map((s) => Buffer.from(s).toString());
  assert.equal(
    message.answers.map((r) =>
      r.type === 'TXT'
        ? { ...r, strings: text(r.strings) }
        : r.type === 'CAA'
          ? { ...r, value: text([r.value]) }
          : r,
    ),
    [
      {
        name: 'mixed.example',
        type: 'MX',
        class: 'IN',
        ttl: 60,
        preference: 5,
        exchange: 'mx.mixed.example',
      },
      { name: 'mixed.example', type: 'A', class: 'IN', ttl: 60, address: '192.0.2.7' },
      { name: 'mixed.example', type: 'AAAA', class: 'IN', ttl: 60, address: '2001:db8::7' },
      { name: 'mixed.example', type: 'TXT', class: 'IN', ttl: 60, strings: ['v=spf1 -all', 'second'] },
      { name: 'c.mixed.example', type: 'CNAME', class: 'IN', ttl: 60, target: 'mixed.example' },
      {
        name: '_x._tcp.mixed.example',
        type: 'SRV',
        class: 'IN',
        ttl: 60,
        priority: 1,
        weight: 2,
        port: 3,
        target: 't.mixed.example',
      },
      {
        name: 'mixed.example',
        type: 'CAA',
        class: 'IN',
        ttl: 60,
        flags: 0,
        tag: 'issue',
        value: ['ca.example'],
      },
    ],
  );
  assert.equal(message.authorities, [
    {
      name: 'mixed.example',
      type: 'SOA',
      class: 'IN',
      ttl: 60,
      ...soaFields,
    },
    { name: 'mixed.example', type: 'NS', class: 'IN', ttl: 60, host: 'ns.mixed.example' },
  ]);
  assert.equal(message.additionals, [
    { name: '1.2.0.192.in-addr.arpa', type: 'PTR', class: 'IN', ttl: 60, host: 'mixed.example' },
  ]);
  assert.equal(message.edns, {
    payloadSize: 4096,
    version: 0,
    dnssecOk: true,
    options: [{ code: 12, data: new Uint8Array(3) }],
  });
});

test('agrees with dns-packet on every captured message: id, flags, questions and records', () => {
  for (const [name, hex] of Object.entries(captured)) {
    const bytes = wire(hex);
    const ours = decodeMessage(bytes);
    const theirs = packet.decode(Buffer.from(bytes));
    const brief = (records: readonly { name: string; type: string; class?: string; ttl?: number }[]) =>
      records.filter((r) => r.type !== 'OPT').map((r) => [r.name, r.type, r.class, r.ttl]);
    assert.equal(
      [ours.id, ours.qr, ours.rd, ours.ad],
      [theirs.id, theirs.flag_qr, theirs.flag_rd, theirs.flag_ad],
      name,
    );
    assert.equal(
      brief(ours.questions.map((q) => ({ ...q, ttl: undefined }))),
      brief(theirs.questions ?? []),
      name,
    );
    assert.equal(
      brief(ours.answers),
      brief((theirs.answers ?? []) as { name: string; type: string; ttl: number }[]),
      name,
    );
    assert.is(
      ours.edns?.payloadSize,
      (theirs.additionals?.[0] as { udpPayloadSize?: number } | undefined)?.udpPayloadSize,
      name,
    );
  }
});

test.run();
