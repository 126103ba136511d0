import packet from 'dns-packet';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import { InvalidNameError } from '../../../protocols/dns/dns-error.js';
import { encodeMessage } from '../../../protocols/dns/encode-message.js';
import { emptyMessage, type Message, type ResourceRecord } from '../../../protocols/dns/message.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { captured, wire, wireName } from './_wire.js';

const test = checkClean(suite('protocols/dns/encode-message'));

const text = (value: string): Uint8Array => Uint8Array.from(Buffer.from(value));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const roundTrip = (message: Message): Message => decodeMessage(encodeMessage(message));
const occurrences = (bytes: Uint8Array, needle: Uint8Array): number =>
  hex(bytes).split(hex(needle)).length - 1;

const soaFields = {
  mname: 'ns1.example.com',
  rname: 'hostmaster.example.com',
  serial: 0xffffffff,
  refresh: 7200,
  retry: 900,
  expire: 1209600,
  minimum: 300,
};

/** One record of every type Spindle reads field by field, and two it keeps opaque. */
const everyType: ResourceRecord[] = [
  { name: 'example.com', type: 'A', class: 'IN', ttl: 300, address: '192.0.2.1' },
  { name: 'example.com', type: 'AAAA', class: 'IN', ttl: 300, address: '2001:db8::1' },
  { name: 'example.com', type: 'AAAA', class: 'IN', ttl: 300, address: '::ffff:192.0.2.1' },
  { name: 'example.com', type: 'NS', class: 'IN', ttl: 86400, host: 'ns1.example.com' },
  { name: 'www.example.com', type: 'CNAME', class: 'IN', ttl: 60, target: 'example.com' },
  { name: '1.2.0.192.in-addr.arpa', type: 'PTR', class: 'IN', ttl: 60, host: 'example.com' },
  { name: 'example.com', type: 'MX', class: 'IN', ttl: 3600, preference: 10, exchange: 'mail.example.com' },
  {
    name: 'example.com',
    type: 'SOA',
    class: 'IN',
    ttl: 3600,
    ...soaFields,
  },
  {
    name: 'example.com',
    type: 'TXT',
    class: 'IN',
    ttl: 0x7fffffff,
    strings: [text('v=spf1 -all'), new Uint8Array(0), new Uint8Array(255).fill(0x78), Uint8Array.of(0, 0xff)],
  },
  {
    name: '_sip._tcp.example.com',
    type: 'SRV',
    class: 'IN',
    ttl: 60,
    priority: 10,
    weight: 60,
    port: 5060,
    target: 'sip.example.com',
  },
  {
    name: 'example.com',
    type: 'CAA',
    class: 'IN',
    ttl: 60,
    flags: 128,
    tag: 'issue',
    value: text('ca.example'),
  },
  { name: 'example.com', type: 'TYPE65', class: 'IN', ttl: 60, data: wire('0001 00 0002 6833') },
  { name: 'example.com', type: 'TYPE64000', class: 'CLASS42', ttl: 0, data: new Uint8Array(0) },
];

const full: Message = {
  ...emptyMessage,
  id: 0xbeef,
  qr: true,
  aa: true,
  rd: true,
  ra: true,
  questions: [{ name: 'example.com', type: 'ANY', class: 'IN' }],
  answers: everyType,
  authorities: [everyType[3]!, everyType[7]!],
  additionals: [everyType[0]!, everyType[1]!],
  edns: {
    payloadSize: 1232,
    version: 0,
    dnssecOk: true,
    options: [
      { code: 10, data: wire('0102030405060708') },
      { code: 65001, data: new Uint8Array(0) },
    ],
  },
};

test('round-trips a record of every type, field by field, in every section, with EDNS options kept', () => {
  assert.equal(roundTrip(full), full);
});

test('round-trips every header flag alone, every opcode, and every rcode (the upper bits through EDNS)', () => {
  for (const flag of ['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const) {
    const message = { ...emptyMessage, id: 1, [flag]: true };
    assert.equal(roundTrip(message), message, flag);
  }
  for (let opcode = 0; opcode < 16; opcode++) {
    const message = { ...emptyMessage, opcode };
    assert.equal(roundTrip(message), message);
  }
  const edns = { payloadSize: 512, version: 0, dnssecOk: false, options: [] };
  for (const rcode of [0, 1, 15, 16, 23, 0xff0, 0xfff]) {
    const message = { ...emptyMessage, rcode, edns };
    assert.equal(roundTrip(message), message, `rcode ${rcode}`);
  }
  const versioned = {
    ...emptyMessage,
    edns: { payloadSize: 65535, version: 255, dnssecOk: false, options: [] },
  };
  assert.equal(roundTrip(versioned), versioned);
});

test('writes the header, counts and EDNS bits where RFC 1035 and RFC 6891 put them', () => {
  const bytes = encodeMessage({
    ...emptyMessage,
    id: 0x1234,
    qr: true,
    opcode: 5,
    rd: true,
    cd: true,
    rcode: 0x123,
    questions: [{ name: 'a', type: 'A', class: 'IN' }],
    edns: { payloadSize: 1232, version: 1, dnssecOk: true, options: [] },
  });
  assert.is(
    hex(bytes),
    `1234 a913 0001 0000 0000 0001 ${wireName('a')} 0001 0001 00 0029 04d0 12 01 8000 0000`.replace(
      /\s/g,
      '',
    ),
  );
});

test('keeps names as written: mixed case, escaped dots and backslashes, any byte', () => {
  const names = [
    'WWW.Example.COM',
    'a\\.b.example',
    'back\\\\slash.example',
    'sp\\032ace.\\000\\255.example',
    '',
  ];
  for (const name of names) {
    const message = { ...emptyMessage, questions: [{ name, type: 'A' as const, class: 'IN' as const }] };
    assert.equal(roundTrip(message), message, name);
  }
  const trailingDot = roundTrip({
    ...emptyMessage,
    questions: [{ name: 'Example.com.', type: 'A', class: 'IN' }],
  });
  assert.is(trailingDot.questions[0]?.name, 'Example.com');
  const spelledOut = roundTrip({
    ...emptyMessage,
    questions: [{ name: '\\065\\.b.x', type: 'A', class: 'IN' }],
  });
  assert.is(spelledOut.questions[0]?.name, 'A\\.b.x', 'an escape of a printable byte comes back as the byte');
});

test("re-encodes opaque data and dnsmasq's answer byte for byte", () => {
  const bytes = wire(captured.aResponse);
  assert.is(hex(encodeMessage(decodeMessage(bytes))), hex(bytes));
  const opaque = wire(
    '0001 8000 0000 0001 0000 0000',
    wireName('x'),
    '0063 0001 00000000 0007 c00c ff 00 c0 01 02',
  );
  assert.is(hex(encodeMessage(decodeMessage(opaque))), hex(opaque));
});

test('compresses a repeated name to a pointer to its first spelling, without regard to case', () => {
  const message: Message = {
    ...emptyMessage,
    questions: [{ name: 'Example.COM', type: 'MX', class: 'IN' }],
    answers: [
      { name: 'example.com', type: 'MX', class: 'IN', ttl: 60, preference: 10, exchange: 'mail.example.com' },
      { name: 'EXAMPLE.com', type: 'MX', class: 'IN', ttl: 60, preference: 20, exchange: 'mail.example.COM' },
    ],
  };
  const bytes = encodeMessage(message);
  assert.is(
    hex(bytes.subarray(12)),
    [
      `${wireName('Example.COM')} 000f 0001`,
      'c00c 000f 0001 0000003c 0009 000a 04 6d61696c c00c',
      'c00c 000f 0001 0000003c 0004 0014 c02b', // the exchange points to the first one's, at 43
    ]
      .join('')
      .replace(/\s/g, ''),
  );
  const decoded = decodeMessage(bytes);
  assert.equal(
    decoded.answers.map((r) => [r.name, r.type === 'MX' && r.exchange]),
    [
      ['Example.COM', 'mail.Example.COM'],
      ['Example.COM', 'mail.Example.COM'],
    ],
  );
});

test('compression shrinks a message of repeated names, and every pointer points back', () => {
  const answers: ResourceRecord[] = Array.from({ length: 20 }, (_, n) => ({
    name: `host${n}.zone.example.org`,
    type: 'CNAME',
    class: 'IN',
    ttl: 60,
    target: 'www.zone.example.org',
  }));
  const message = {
    ...emptyMessage,
    questions: [{ name: 'zone.example.org', type: 'A' as const, class: 'IN' as const }],
    answers,
  };
  const bytes = encodeMessage(message);
  const uncompressed = 12 + 22 + answers.reduce((sum, r) => sum + r.name.length + 2 + 10 + 22, 0);
  assert.ok(bytes.length < uncompressed / 2, `${bytes.length} bytes, ${uncompressed} uncompressed`);
  assert.is(occurrences(bytes, text('zone')), 1);
  assert.is(occurrences(bytes, text('www')), 1);
  assert.equal(decodeMessage(bytes), message); // the decoder refuses any pointer that does not point back
});

test('does not compress SRV targets or opaque data, nor point into them', () => {
  const message: Message = {
    ...emptyMessage,
    answers: [
      {
        name: '_x._tcp.example',
        type: 'SRV',
        class: 'IN',
        ttl: 1,
        priority: 0,
        weight: 0,
        port: 1,
        target: 'srv.example',
      },
      { name: 'srv.example', type: 'A', class: 'IN', ttl: 1, address: '192.0.2.1' },
    ],
  };
  const bytes = encodeMessage(message);
  assert.is(occurrences(bytes, wire(wireName('srv.example'))), 1, 'the target in full');
  assert.is(occurrences(bytes, wire('03', text('srv'))), 2, 'the owner does not point into the target');
  assert.equal(decodeMessage(bytes), message);
});

test('points only to offsets below 0x4000', () => {
  const big: ResourceRecord = {
    name: 'big.example',
    type: 'TXT',
    class: 'IN',
    ttl: 1,
    strings: Array(70).fill(new Uint8Array(250)),
  };
  const late = (address: string): ResourceRecord => ({
    name: 'late.example',
    type: 'A',
    class: 'IN',
    ttl: 1,
    address,
  });
  const message = { ...emptyMessage, answers: [big, late('192.0.2.1'), late('192.0.2.2')] };
  const bytes = encodeMessage(message);
  assert.ok(bytes.length > 0x4000);
  assert.is(
    occurrences(bytes, wire('04', text('late'))),
    2,
    'written in full twice: its first spelling is past 0x4000',
  );
  assert.is(
    occurrences(bytes, wire('07', text('example'))),
    1,
    'its suffix still points to the first example',
  );
  assert.equal(decodeMessage(bytes), message);
});

/** `count` A records of distinct names (each its own RRset), about 30 bytes each. */
const distinct = (count: number, prefix = 'host'): ResourceRecord[] =>
  Array.from({ length: count }, (_, n) => ({
    name: `${prefix}${n}.example.net`,
    type: 'A',
    class: 'IN',
    ttl: 60,
    address: `192.0.2.${n % 256}`,
  }));

test('maxSize: drops the additional records first, keeping OPT, without setting TC', () => {
  const edns = {
    payloadSize: 512,
    version: 0,
    dnssecOk: false,
    options: [{ code: 10, data: new Uint8Array(8) }],
  };
  const message = {
    ...emptyMessage,
    qr: true,
    answers: distinct(5),
    additionals: distinct(20, 'glue'),
    edns,
  };
  const whole = encodeMessage(message);
  assert.ok(whole.length > 512);
  const cut = encodeMessage(message, { maxSize: 512 });
  assert.ok(cut.length <= 512, `${cut.length} bytes`);
  assert.equal(decodeMessage(cut), { ...message, additionals: [] });
});

test('maxSize: sets TC and keeps the whole answer RRsets that fit, never past maxSize', () => {
  const answers = distinct(40);
  for (const maxSize of [512, 300, 100, 40]) {
    const cut = encodeMessage(
      { ...emptyMessage, qr: true, answers, authorities: distinct(3, 'ns') },
      { maxSize },
    );
    assert.ok(cut.length <= maxSize, `${cut.length} bytes for ${maxSize}`);
    const decoded = decodeMessage(cut);
    assert.ok(decoded.tc, `TC for ${maxSize}`);
    assert.ok(decoded.answers.length < answers.length);
    assert.equal(
      decoded.answers,
      answers.slice(0, decoded.answers.length),
      `a prefix of the answers for ${maxSize}`,
    );
    assert.equal(decoded.authorities, []);
    // One more answer would not have fitted.
    const more = encodeMessage({
      ...emptyMessage,
      qr: true,
      answers: answers.slice(0, decoded.answers.length + 1),
    });
    assert.ok(more.length > maxSize, `${maxSize}: ${decoded.answers.length + 1} answers take ${more.length}`);
  }
});

test('maxSize: an RRset that does not fit whole goes out entirely, even when its records are apart', () => {
  const a = (name: string, n: number): ResourceRecord => ({
    name,
    type: 'A',
    class: 'IN',
    ttl: 60,
    address: `192.0.2.${n}`,
  });
  const answers = [
    a('one.example', 1),
    ...Array.from({ length: 30 }, (_, n) => a('Big.example', n)),
    a('ONE.example', 2),
  ];
  const cut = decodeMessage(encodeMessage({ ...emptyMessage, answers }, { maxSize: 200 }));
  assert.ok(cut.tc);
  assert.equal(
    cut.answers.map((r) => r.type === 'A' && r.address),
    ['192.0.2.1', '192.0.2.2'],
    "both records of one.example's RRset, none of big's",
  );
});

test('maxSize: keeps the authorities that fit after all the answers, and keeps OPT under TC', () => {
  const edns = { payloadSize: 512, version: 0, dnssecOk: true, options: [] };
  const message = { ...emptyMessage, answers: distinct(3), authorities: distinct(40, 'ns'), edns };
  const cut = encodeMessage(message, { maxSize: 512 });
  assert.ok(cut.length <= 512);
  const decoded = decodeMessage(cut);
  assert.ok(decoded.tc);
  assert.equal(decoded.answers, message.answers);
  assert.ok(decoded.authorities.length > 0 && decoded.authorities.length < 40);
  assert.equal(decoded.edns, edns);
});

test('maxSize: a message that fits is written whole, TC as given', () => {
  const message = { ...emptyMessage, answers: distinct(3), additionals: distinct(2, 'glue') };
  assert.equal(decodeMessage(encodeMessage(message, { maxSize: 512 })), message);
});

test('refuses a maxSize outside 12..65535, questions that alone overflow it, and a message over 65535 without it', () => {
  for (const maxSize of [11, 65536, 512.5, Number.NaN]) {
    assert.throws(() => encodeMessage(emptyMessage, { maxSize }), RangeError, String(maxSize));
  }
  const long = {
    ...emptyMessage,
    questions: [{ name: `${'a'.repeat(60)}.example`, type: 'A' as const, class: 'IN' as const }],
  };
  assert.throws(() => encodeMessage({ ...long, answers: distinct(5) }, { maxSize: 40 }), /questions alone/);
  const huge = { ...emptyMessage, answers: distinct(3000) };
  assert.throws(() => encodeMessage(huge), RangeError);
  assert.ok(encodeMessage(huge, { maxSize: 65535 }).length <= 65535);
});

/** Whether encoding `message` with one answer `record` throws `type`. */
function refuses(
  record: Record<string, unknown>,
  type: new (...args: never[]) => Error,
  label: string,
): void {
  const message = {
    ...emptyMessage,
    answers: [{ name: 'x', class: 'IN', ttl: 1, ...record } as ResourceRecord],
  };
  assert.throws(
    () => encodeMessage(message),
    (error: unknown) => error instanceof type,
    label,
  );
}

test('refuses bad fields with a clear error: addresses, TTLs, integers, TXT strings, types and classes', () => {
  for (const address of ['1.2.3', '256.1.1.1', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d', '', ' 1.2.3.4']) {
    refuses({ type: 'A', address }, TypeError, address);
  }
  for (const address of [
    '1::2::3',
    'fe80::1%eth0',
    '12345::',
    ':1',
    '1:',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '::1.2.3',
    'g::',
  ]) {
    refuses({ type: 'AAAA', address }, TypeError, address);
  }
  for (const ttl of [-1, 0x80000000, 1.5, Number.NaN])
    refuses({ type: 'A', address: '192.0.2.1', ttl }, RangeError, `ttl ${ttl}`);
  refuses({ type: 'MX', preference: 65536, exchange: 'x' }, RangeError, 'MX preference');
  refuses({ type: 'SRV', priority: 0, weight: -1, port: 1, target: 'x' }, RangeError, 'SRV weight');
  refuses(
    { type: 'SOA', mname: 'a', rname: 'b', serial: 2 ** 32, refresh: 0, retry: 0, expire: 0, minimum: 0 },
    RangeError,
    'serial',
  );
  refuses({ type: 'TXT', strings: [new Uint8Array(256)] }, RangeError, 'TXT over 255');
  refuses({ type: 'TXT', strings: [] }, RangeError, 'TXT without strings');
  refuses({ type: 'TXT', strings: ['text'] }, TypeError, 'TXT string as a string');
  refuses({ type: 'CAA', flags: 0, tag: 'is-sue', value: new Uint8Array(0) }, TypeError, 'CAA tag');
  refuses({ type: 'CAA', flags: 256, tag: 'issue', value: new Uint8Array(0) }, RangeError, 'CAA flags');
  refuses({ type: 'FOO', data: new Uint8Array(0) }, TypeError, 'unknown type');
  refuses({ type: 'TYPE41', data: new Uint8Array(0) }, RangeError, 'OPT as a record');
  refuses({ type: 'A', address: '192.0.2.1', class: 'XX' }, TypeError, 'unknown class');
  assert.throws(() => encodeMessage({ ...emptyMessage, rcode: 16 }), /EDNS/);
  assert.throws(() => encodeMessage({ ...emptyMessage, id: 65536 }), RangeError);
  assert.throws(() => encodeMessage({ ...emptyMessage, opcode: 16 }), RangeError);
  const edns = (payloadSize: number, version = 0) => ({
    ...emptyMessage,
    edns: { payloadSize, version, dnssecOk: false, options: [] },
  });
  assert.throws(() => encodeMessage(edns(70000)), RangeError);
  assert.throws(() => encodeMessage(edns(512, 256)), RangeError);
});

test('refuses names that cannot be written with InvalidNameError', () => {
  const label64 = 'a'.repeat(64);
  const long = Array(5).fill('a'.repeat(63)).join('.');
  for (const name of ['a..b', '.a', label64, `${label64}.x`, long, 'a\\', 'a\\256.b', '..']) {
    assert.throws(
      () => encodeMessage({ ...emptyMessage, questions: [{ name, type: 'A', class: 'IN' }] }),
      (error: unknown) => error instanceof InvalidNameError,
      name,
    );
    refuses({ type: 'CNAME', target: name }, InvalidNameError, `CNAME ${name}`);
  }
  const exactly255 = `${Array(3).fill('a'.repeat(63)).join('.')}.${'b'.repeat(61)}`;
  assert.is(
    roundTrip({ ...emptyMessage, questions: [{ name: exactly255, type: 'A', class: 'IN' }] }).questions[0]
      ?.name,
    exactly255,
  );
});

test('a failed encode leaves nothing behind for the next one', () => {
  assert.throws(() =>
    encodeMessage({
      ...emptyMessage,
      answers: [...distinct(3), { name: 'x', type: 'A', class: 'IN', ttl: -1, address: '1.2.3.4' }],
    }),
  );
  const message = { ...emptyMessage, answers: distinct(2) };
  assert.equal(decodeMessage(encodeMessage(message)), message);
});

test('dns-packet decodes what Spindle encodes, field for field', () => {
  const decoded = packet.decode(Buffer.from(encodeMessage(full)));
  assert.is(decoded.id, 0xbeef);
  assert.equal(
    [decoded.flag_qr, decoded.flag_aa, decoded.flag_rd, decoded.flag_ra, decoded.flag_tc],
    [true, true, true, true, false],
  );
  assert.equal(decoded.questions, [{ name: 'example.com', type: 'ANY', class: 'IN' }]);
  const answers = decoded.answers ?? [];
  const data = (n: number) => (answers[n] as { data: unknown }).data;
  assert.equal(
    answers.map((r) => r.name),
    everyType.map((r) => r.name),
  );
  assert.is(data(0), '192.0.2.1');
  assert.is(data(1), '2001:db8::1');
  assert.is(data(3), 'ns1.example.com');
  assert.is(data(4), 'example.com');
  assert.is(data(5), 'example.com');
  assert.equal(data(6), { preference: 10, exchange: 'mail.example.com' });
  assert.equal(data(7), soaFields);
  assert.equal(
    (data(8) as Buffer[]).map((s) => s.length),
    [11, 0, 255, 2],
  );
  assert.equal(data(9), { priority: 10, weight: 60, port: 5060, target: 'sip.example.com' });
  assert.equal(data(10), { flags: 128, tag: 'issue', value: 'ca.example', issuerCritical: true });
  assert.is(hex(data(11) as Buffer), '0001000002 6833'.replace(/\s/g, ''));
  const opt = (decoded.additionals ?? []).at(-1) as {
    type: string;
    udpPayloadSize: number;
    flag_do: boolean;
    options: { code: number; data: Buffer }[];
  };
  assert.equal([opt.type, opt.udpPayloadSize, opt.flag_do], ['OPT', 1232, true]);
  assert.equal(
    opt.options.map((o) => [o.code, hex(o.data)]),
    [
      [10, '0102030405060708'],
      [65001, ''],
    ],
  );
});

test.run();
