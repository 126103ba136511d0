import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { zoneEntries } from '../../../protocols/dns/_zone-lexer.js';
import type { RecordData, ResourceRecord } from '../../../protocols/dns/message.js';
import {
  type DataToken,
  formatName,
  formatQuestion,
  formatRecord,
  formatRecordData,
  nameFromText,
  parseRecordData,
} from '../../../protocols/dns/record-text.js';
import { RecordSyntaxError } from '../../../protocols/dns/zone-error.js';
import { parseZoneFile } from '../../../protocols/dns/zone-file.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/dns/record-text'));

const origin = 'example.test';

/** The data fields of `text`, as a zone file's lexer splits them. */
function tokens(text: string): DataToken[] {
  return [...zoneEntries(text, 'data')].flatMap((entry) => entry.tokens);
}

/** `text` read as `type` data relative to `example.test`. */
function parse(type: RecordData['type'], text: string): RecordData {
  return parseRecordData(type, tokens(text), origin);
}

/** The error reading `text` as `type` data raises. */
function refusal(type: RecordData['type'], text: string, originName?: string | null): RecordSyntaxError {
  try {
    parseRecordData(type, tokens(text), originName === null ? undefined : (originName ?? origin));
  } catch (error) {
    assert.instance(error, RecordSyntaxError);
    return error as RecordSyntaxError;
  }
  throw new Error(`${type} ${text} was accepted`);
}

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

const samples: readonly [RecordData, string][] = [
  [{ type: 'A', address: '192.0.2.1' }, '192.0.2.1'],
  [{ type: 'AAAA', address: '2001:db8::1' }, '2001:db8::1'],
  [{ type: 'NS', host: 'ns1.example.test' }, 'ns1.example.test.'],
  [{ type: 'CNAME', target: 'www.example.org' }, 'www.example.org.'],
  [{ type: 'PTR', host: 'host.example.test' }, 'host.example.test.'],
  [{ type: 'MX', preference: 10, exchange: 'mail.example.test' }, '10 mail.example.test.'],
  [{ type: 'MX', preference: 0, exchange: '' }, '0 .'],
  [
    {
      type: 'SOA',
      mname: 'ns1.example.test',
      rname: 'host\\.master.example.test',
      serial: 4294967295,
      refresh: 7200,
      retry: 900,
      expire: 604800,
      minimum: 300,
    },
    'ns1.example.test. host\\.master.example.test. 4294967295 7200 900 604800 300',
  ],
  [{ type: 'TXT', strings: [bytes('v=spf1 -all')] }, '"v=spf1 -all"'],
  [
    { type: 'TXT', strings: [bytes('say "hi"'), bytes('back\\slash'), bytes('')] },
    '"say \\"hi\\"" "back\\\\slash" ""',
  ],
  [{ type: 'TXT', strings: [Uint8Array.of(0, 9, 0x7f, 0xff, 0x41)] }, '"\\000\\009\\127\\255A"'],
  [
    { type: 'SRV', priority: 10, weight: 60, port: 5060, target: 'sip.example.test' },
    '10 60 5060 sip.example.test.',
  ],
  [
    { type: 'CAA', flags: 128, tag: 'issue', value: bytes('ca.example; account=1') },
    '128 issue "ca.example; account=1"',
  ],
  [{ type: 'TYPE65', data: Uint8Array.of(0x00, 0x01, 0xab) }, '\\# 3 0001AB'],
  [{ type: 'TYPE65534', data: new Uint8Array(0) }, '\\# 0'],
];

test('writes each type as dig prints it, and reads it back', () => {
  for (const [data, text] of samples) {
    assert.is(formatRecordData(data), text, data.type);
    assert.equal(parseRecordData(data.type, tokens(text), origin), data, text);
  }
});

test('writes a whole record and a question as dig answer and question lines', () => {
  const record: ResourceRecord = {
    name: 'www.example.test',
    ttl: 300,
    class: 'IN',
    type: 'A',
    address: '192.0.2.1',
  };
  assert.is(formatRecord(record), 'www.example.test.\t300\tIN\tA\t192.0.2.1');
  assert.is(
    formatRecord({ name: '', ttl: 0, class: 'CH', type: 'TYPE99', data: Uint8Array.of(1) }),
    '.\t0\tCH\tTYPE99\t\\# 1 01',
  );
  assert.is(
    formatQuestion({ name: 'www.example.test', type: 'AAAA', class: 'IN' }),
    ';www.example.test.\t\tIN\tAAAA',
  );
  assert.is(formatName(''), '.');
});

test('reads names relative to the origin, @, absolute names, the root and escaped dots', () => {
  assert.is(nameFromText('www', origin), 'www.example.test');
  assert.is(nameFromText('@', origin), 'example.test');
  assert.is(nameFromText('Mail.Example.ORG.', origin), 'Mail.Example.ORG');
  assert.is(nameFromText('.', origin), '');
  assert.is(nameFromText('a\\.b', origin), 'a\\.b.example.test');
  assert.is(
    nameFromText('ends-in\\.', origin),
    'ends-in\\..example.test',
    'an escaped final dot is not the root',
  );
  assert.is(nameFromText('back\\\\.', origin), 'back\\\\', 'an escaped backslash before the dot');
  assert.is(nameFromText('\\065bc', origin), 'Abc.example.test', 'a \\DDD escape takes its one spelling');
  assert.is(nameFromText('www', ''), 'www');
  assert.throws(() => nameFromText('www', undefined), /relative name "www" and no origin/);
  assert.throws(() => nameFromText('a..b', origin), /bad name "a..b"/);
  assert.equal(parse('NS', '@'), { type: 'NS', host: 'example.test' });
});

test('reads TXT as several strings, quoted or not, with escapes and UTF-8', () => {
  assert.equal(parse('TXT', 'one "two words" \\"three'), {
    type: 'TXT',
    strings: [bytes('one'), bytes('two words'), bytes('"three')],
  });
  assert.equal(parse('TXT', '"caf\u00e9"'), { type: 'TXT', strings: [Uint8Array.from(Buffer.from('café'))] });
  assert.equal(parse('TXT', `"${'x'.repeat(255)}"`), { type: 'TXT', strings: [bytes('x'.repeat(255))] });
});

test('reads the SOA timers in BIND units', () => {
  const soa = parse('SOA', 'ns1 hostmaster ( 2024060101 2h 15m 1w3d 5m )');
  assert.equal(soa, {
    type: 'SOA',
    mname: 'ns1.example.test',
    rname: 'hostmaster.example.test',
    serial: 2024060101,
    refresh: 7200,
    retry: 900,
    expire: 864000,
    minimum: 300,
  });
});

test('reads the generic form for known types too (RFC 3597)', () => {
  assert.equal(parse('A', '\\# 4 7f000001'), { type: 'A', address: '127.0.0.1' });
  assert.equal(parse('AAAA', '\\# 16 20010db8 00000000 00000000 00000001'), {
    type: 'AAAA',
    address: '2001:db8::1',
  });
  assert.equal(parse('MX', '\\# 8 000a 046d61696c 00'), {
    type: 'MX',
    preference: 10,
    exchange: 'mail',
  });
  assert.equal(parse('TXT', '\\# 6 02 6869 02 796f'), { type: 'TXT', strings: [bytes('hi'), bytes('yo')] });
  assert.equal(parse('CAA', '\\# 7 00 05 6973737565'), {
    type: 'CAA',
    flags: 0,
    tag: 'issue',
    value: new Uint8Array(0),
  });
  assert.equal(parse('SRV', '\\# 7 0001 0002 0003 00'), {
    type: 'SRV',
    priority: 1,
    weight: 2,
    port: 3,
    target: '',
  });
  assert.equal(parse('SOA', `\\# 22 00 00 ${'00000001'.repeat(5)}`), {
    type: 'SOA',
    mname: '',
    rname: '',
    serial: 1,
    refresh: 1,
    retry: 1,
    expire: 1,
    minimum: 1,
  });
  assert.equal(parse('PTR', '\\# 3 01 61 00'), { type: 'PTR', host: 'a' });
  assert.equal(parse('CNAME', '\\# 1 00'), { type: 'CNAME', target: '' });
  assert.equal(parse('NS', '\\# 1 00'), { type: 'NS', host: '' });
});

test('refuses bad addresses', () => {
  for (const bad of ['300.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', 'a.b.c.d', '1.2.3.-4']) {
    assert.match(refusal('A', bad).message, `bad IPv4 address "${bad}"`);
  }
  for (const bad of ['fe80::1%eth0', '1:::2', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '192.0.2.1']) {
    assert.match(refusal('AAAA', bad).message, `bad IPv6 address "${bad}"`);
  }
});

test('refuses numbers out of range, naming the field at fault', () => {
  const mx = refusal('MX', '65536 mail');
  assert.is(mx.message, '65536 out of range (at most 65535)');
  assert.is(mx.index, 0);
  assert.is(refusal('SRV', '1 2 70000 t').index, 2);
  assert.is(refusal('SRV', '1 x 7 t').message, 'bad number "x"');
  assert.is(refusal('CAA', '256 issue "x"').message, '256 out of range (at most 255)');
  assert.is(refusal('SOA', 'a b 4294967296 1 1 1 1').message, '4294967296 out of range (at most 4294967295)');
  assert.is(refusal('SOA', 'a b 1 1 1 1 5x').message, 'bad time value "5x"');
  assert.is(refusal('SOA', 'a b 1 1 1 1 5x').index, 6);
});

test('refuses strings over 255 octets, bad escapes and quoted fields where a name goes', () => {
  const long = refusal('TXT', `ok "${'x'.repeat(256)}"`);
  assert.is(long.message, 'string over 255 octets');
  assert.is(long.index, 1);
  assert.is(refusal('TXT', '"\\256"').message, 'bad escape in "\\256"');
  assert.is(refusal('TXT', '').message, 'TXT needs at least one string');
  assert.is(
    refusal(
      'TXT',
      Array(300)
        .fill(`"${'x'.repeat(255)}"`)
        .join(' '),
    ).message,
    'TXT data over 65535 octets',
  );
  assert.is(refusal('NS', '"ns1"').message, '"ns1" cannot be a quoted string here');
  assert.is(refusal('CAA', '0 "is sue" x').message, '"is sue" cannot be a quoted string here');
  assert.is(refusal('CAA', '0 is-sue x').message, 'bad CAA tag "is-sue"');
});

test('refuses a missing or extra field', () => {
  const few = refusal('MX', '10');
  assert.is(few.message, 'MX takes 2 fields (preference exchange), got 1');
  assert.is(few.index, 1);
  assert.is(refusal('A', '192.0.2.1 192.0.2.2').message, 'A takes 1 field (address), got 2');
  assert.is(
    refusal('SOA', 'a b 1 2 3 4').message,
    'SOA takes 7 fields (mname rname serial refresh retry expire minimum), got 6',
  );
});

test('refuses relative names with no origin', () => {
  assert.is(refusal('CNAME', 'www', null).message, 'relative name "www" and no origin');
  assert.equal(parseRecordData('CNAME', tokens('www.example.test.'), undefined), {
    type: 'CNAME',
    target: 'www.example.test',
  });
});

test('refuses bad generic data', () => {
  assert.is(refusal('TYPE65', '\\# 3 0001').message, 'generic data says 3 octets but holds 2');
  assert.is(refusal('TYPE65', '\\# 2 00zz').message, 'bad hex "00zz" in generic data');
  assert.is(refusal('TYPE65', '\\# 2 000').message, 'bad hex "000" in generic data');
  assert.is(refusal('TYPE65', '\\# x').message, 'bad length "x" in generic data');
  assert.is(refusal('TYPE65', '\\#').message, 'bad length "" in generic data');
  assert.is(refusal('TYPE65', '\\# 65536').message, 'bad length "65536" in generic data');
  assert.is(refusal('TYPE65', '0001').message, 'TYPE65 data must be in the generic form \\# <length> <hex>');
  assert.is(refusal('A', '\\# 3 7f0000').message, 'A data: A record data of 3 octets, not 4, at offset 0');
  assert.is(
    refusal('A', '\\# 5 7f00000101').message,
    'A data: A record data of 5 octets, not 4, at offset 0',
  );
  assert.is(
    refusal('NS', '\\# 2 c00c').message,
    'NS data: compression pointer at offset 0 in NS host leads to 12, not before 0',
  );
  const longName = `${'3f'.concat('61'.repeat(63)).repeat(4)}00`;
  assert.is(
    refusal('NS', `\\# 257 ${longName}`).message,
    'NS data: NS host longer than 255 octets at offset 192',
  );
});

test('regression: wrote the SOA rname "q" (a label with quotes) bare, read back as a quoted string and an extra field', () => {
  const soa: ResourceRecord = {
    name: '',
    ttl: 0,
    class: 'IN',
    type: 'SOA',
    mname: '',
    rname: '"q"',
    serial: 0,
    refresh: 0,
    retry: 0,
    expire: 0,
    minimum: 0,
  };
  assert.is(formatRecord(soa), '.\t0\tIN\tSOA\t. \\"q\\". 0 0 0 0 0');
  assert.equal(parseZoneFile(formatRecord(soa)).records, [soa]);
  for (const name of ['a(b)', 'c;d', '$x', '@', 'e\\"f', '\\(g', '\\059h']) {
    const record: ResourceRecord = {
      name: `${name}.test`,
      ttl: 1,
      class: 'IN',
      type: 'A',
      address: '192.0.2.1',
    };
    const [read] = parseZoneFile(`${formatRecord(soa)}\n${formatRecord(record)}\n`, {
      origin: '',
    }).records.slice(1);
    assert.is(read!.name, nameFromText(`${name}.test.`, undefined), name);
  }
});

test.run();
