import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatRecord } from '../../../protocols/dns/record-text.js';
import { ZoneFileError } from '../../../protocols/dns/zone-error.js';
import { loadZoneFile, parseZoneFile, type ZoneFileOptions } from '../../../protocols/dns/zone-file.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { rejectionOf } from '../../support/failure-of.js';

const test = checkClean(suite('protocols/dns/zone-file'));

const fixture = new URL('./fixtures/example.test.zone', import.meta.url).pathname;
const soa = '@ 3600 IN SOA ns1 hostmaster 1 7200 900 604800 300\n';

/** The records of `text` (origin example.test unless given) as dig's answer lines. */
function lines(text: string, options: ZoneFileOptions = {}): string[] {
  return parseZoneFile(text, { origin: 'example.test', ...options }).records.map(formatRecord);
}

/** The ZoneFileError parsing `text` raises. */
function refusal(text: string, options: ZoneFileOptions = {}): ZoneFileError {
  try {
    parseZoneFile(text, { origin: 'example.test', file: 'db.test', ...options });
  } catch (error) {
    assert.instance(error, ZoneFileError);
    return error as ZoneFileError;
  }
  throw new Error('the zone was accepted');
}

/** Asserts `text` is refused at `line` for `reason`, the message saying both. */
function refused(text: string, line: number, reason: string | RegExp, options: ZoneFileOptions = {}): void {
  const error = refusal(text, options);
  assert.is(error.line, line, `line of: ${error.message}`);
  assert.is(error.file, options.file ?? 'db.test');
  if (typeof reason === 'string') assert.is(error.reason, reason);
  else assert.match(error.reason, reason);
  assert.is(
    error.message,
    line === 0 ? `${error.file}: ${error.reason}` : `${error.file}:${line}: ${error.reason}`,
  );
}

/** Runs `body` with a fresh temporary folder, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-zone-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('reads relative names, @, absolute names and $ORIGIN (itself relative to the origin before it)', () => {
  const text = `${soa}www A 192.0.2.1\nabs.example.test. A 192.0.2.2\n$ORIGIN sub\nhost A 192.0.2.3\n@ TXT here\n$ORIGIN other.example.test.\nx A 192.0.2.4\n`;
  assert.equal(lines(text).slice(1), [
    'www.example.test.\t3600\tIN\tA\t192.0.2.1',
    'abs.example.test.\t3600\tIN\tA\t192.0.2.2',
    'host.sub.example.test.\t3600\tIN\tA\t192.0.2.3',
    'sub.example.test.\t3600\tIN\tTXT\t"here"',
    'x.other.example.test.\t3600\tIN\tA\t192.0.2.4',
  ]);
});

test('takes the apex from the options (with or without the final dot) or from the SOA', () => {
  const text = `$ORIGIN example.test.\n${soa}`;
  assert.is(parseZoneFile(text).origin, 'example.test');
  assert.is(parseZoneFile(soa, { origin: 'Example.Test.' }).origin, 'Example.Test');
  assert.is(parseZoneFile('example.test. 1 SOA a. b. 1 2 3 4 5\n').origin, 'example.test');
});

test('a blank owner continues the previous owner, across a $TTL', () => {
  const text = `${soa}www A 192.0.2.1\n      AAAA ::1\n$TTL 60\n\tTXT "tabbed"\n`;
  assert.equal(lines(text).slice(1), [
    'www.example.test.\t3600\tIN\tA\t192.0.2.1',
    'www.example.test.\t3600\tIN\tAAAA\t::1',
    'www.example.test.\t60\tIN\tTXT\t"tabbed"',
  ]);
});

test('TTL and class come in either order, or not at all', () => {
  const text = `$TTL 42\n${soa}a 300 IN A 192.0.2.1\nb IN 300 A 192.0.2.2\nc IN A 192.0.2.3\nd 300 A 192.0.2.4\ne A 192.0.2.5\nf in a 192.0.2.6\n`;
  assert.equal(
    lines(text)
      .slice(1)
      .map((line) => line.split('\t').slice(1, 4).join(' ')),
    ['300 IN A', '300 IN A', '42 IN A', '300 IN A', '42 IN A', '42 IN A'],
  );
});

test('reads BIND time units in TTLs and $TTL', () => {
  const ttls = lines(
    `$TTL 1w3d\n${soa}a 1h30m A 192.0.2.1\nb 2D A 192.0.2.2\nc A 192.0.2.3\nd 45s A 192.0.2.4\n`,
  )
    .slice(1)
    .map((line) => Number(line.split('\t')[1]));
  assert.equal(ttls, [5400, 172800, 864000, 45]);
});

test('a record without a TTL takes $TTL, else the last TTL given, else (an SOA) its minimum', () => {
  const text =
    '@ SOA ns1 hostmaster 1 7200 900 604800 300\nwww A 192.0.2.1\nmail 60 A 192.0.2.2\nftp A 192.0.2.3\n';
  assert.equal(
    lines(text).map((line) => line.split('\t')[1]),
    ['300', '300', '60', '60'],
  );
  assert.equal(
    lines(text, { defaultTtl: 99 }).map((line) => line.split('\t')[1]),
    ['99', '99', '60', '99'],
  );
  refused('www A 192.0.2.1\n', 1, 'no TTL: give one, or a $TTL before this record');
  refused('@ SOA ns1 hostmaster 1 2 3 4 4294967295\n', 1, /TTL 4294967295 \(the SOA minimum\) out of range/);
});

test('joins lines in parentheses, with comments inside and after', () => {
  const text = `@ 3600 IN SOA ns1 hostmaster ( ; the apex
    2024060101 ; serial
    2h ; refresh
    15m 1w
    5m ; minimum
  )
`;
  assert.equal(lines(text), [
    'example.test.\t3600\tIN\tSOA\tns1.example.test. hostmaster.example.test. 2024060101 7200 900 604800 300',
  ]);
  assert.equal(lines(`${soa}www TXT ( "one" ; first\n "two" ) ; second\n`).slice(1), [
    'www.example.test.\t3600\tIN\tTXT\t"one" "two"',
  ]);
});

test('reads quoted strings with spaces, semicolons, parentheses and escapes, escaped delimiters outside quotes; CRLF line ends', () => {
  const text = `${soa}txt TXT "a b;c (d)" "q\\"uote" "back\\\\slash" "\\065\\066" unquoted\\ space semi\\;colon\\(\r\n`;
  assert.equal(lines(text).slice(1), [
    'txt.example.test.\t3600\tIN\tTXT\t"a b;c (d)" "q\\"uote" "back\\\\slash" "AB" "unquoted space" "semi;colon("',
  ]);
});

test('reads escapes in names', () => {
  const text = `${soa}a\\.b A 192.0.2.1\n\\065bc A 192.0.2.2\nsp\\032ace A 192.0.2.3\nalias CNAME a\\.b\n`;
  assert.equal(lines(text).slice(1), [
    'a\\.b.example.test.\t3600\tIN\tA\t192.0.2.1',
    'Abc.example.test.\t3600\tIN\tA\t192.0.2.2',
    'sp\\032ace.example.test.\t3600\tIN\tA\t192.0.2.3',
    'alias.example.test.\t3600\tIN\tCNAME\ta\\.b.example.test.',
  ]);
});

test('reads TYPEnnn and the generic form, for unknown and known types', () => {
  const text = `${soa}x TYPE65 \\# 2 0102\ny TYPE1 \\# 4 C0000201\nz A \\# 4 c0000202\n`;
  assert.equal(lines(text).slice(1), [
    'x.example.test.\t3600\tIN\tTYPE65\t\\# 2 0102',
    'y.example.test.\t3600\tIN\tA\t192.0.2.1',
    'z.example.test.\t3600\tIN\tA\t192.0.2.2',
  ]);
});

test('refuses unknown types, classes and directives, at their line', () => {
  refused(`${soa}\nwww IN BOGUS 1\n`, 3, 'unknown type "BOGUS"');
  refused(`${soa}www FOO A 192.0.2.1\n`, 2, 'unknown type "FOO"');
  refused(`${soa}www IN IN A 192.0.2.1\n`, 2, 'unknown type "IN"');
  refused(`${soa}www CH A 192.0.2.1\n`, 2, 'class CH: a zone holds IN records only');
  refused(`${soa}www CLASS9 A 192.0.2.1\n`, 2, 'class CLASS9: a zone holds IN records only');
  refused(`${soa}www ANY 1.2.3.4\n`, 2, 'type ANY cannot be in a zone');
  refused(`${soa}www 300\n`, 2, 'no type');
  refused(`${soa}www IN "A" 192.0.2.1\n`, 2, 'unknown type "A"');
  refused(`${soa}$GENERATE 1-2 x A 192.0.2.$\n`, 2, 'unknown directive $GENERATE');
  refused(`${soa}$ORIGIN\n`, 2, '$ORIGIN takes 1 argument, got 0');
  refused(`${soa}$TTL 1 2\n`, 2, '$TTL takes 1 argument, got 2');
  refused(`$TTL forever\n${soa}`, 1, 'bad TTL "forever"');
});

test('refuses bad record data at the line of the field at fault', () => {
  refused(`${soa}www A 300.1.1.1\n`, 2, 'bad IPv4 address "300.1.1.1"');
  refused(`${soa}www AAAA fe80::1%eth0\n`, 2, 'bad IPv6 address "fe80::1%eth0"');
  refused(`${soa}mx MX ( 10\n\n mail extra )\n`, 4, 'MX takes 2 fields (preference exchange), got 3');
  refused(`${soa}mx MX (\n  70000\n  mail )\n`, 3, '70000 out of range (at most 65535)');
  refused(`${soa}t TXT "${'x'.repeat(256)}"\n`, 2, 'string over 255 octets');
  refused(`${soa}a..b A 192.0.2.1\n`, 2, /^bad name "a..b"/);
  refused(`${soa}www CNAME ..\n`, 2, /^bad name "\.\."/);
  refused(`${soa}$ORIGIN a..b\n`, 2, /^bad name/);
  refused('www A 192.0.2.1\n', 1, 'relative name "www" and no origin', { origin: undefined });
  refused('  A 192.0.2.1\n', 1, 'no owner name: the first record must give one');
});

test('refuses unbalanced parentheses and quotes, and nested parentheses', () => {
  refused(`${soa}www TXT ( "a"\n\n`, 2, "'(' never closed");
  refused(`${soa}www TXT "a" )\n`, 2, "')' without '('");
  refused(`${soa}www TXT ( ( "a" ) )\n`, 2, 'nested parentheses');
  refused(`${soa}www TXT "open\nnext line"\n`, 2, 'quoted string not closed on its line');
  refused(`${soa}www TXT "open at the end`, 2, 'quoted string not closed on its line');
});

test('refuses names outside the origin', () => {
  refused(`${soa}www.example.org. A 192.0.2.1\n`, 2, 'out of zone (not in example.test)');
  refused(`${soa}$ORIGIN example.org.\nwww A 192.0.2.1\n`, 3, 'out of zone (not in example.test)');
  refused(`${soa}badexample.test. A 192.0.2.1\n`, 2, 'out of zone (not in example.test)');
});

test('refuses a zone without an SOA, with an SOA below the apex, or with two', () => {
  refused('www 1 A 192.0.2.1\n', 0, 'no SOA record at the zone apex');
  refused('www.example.test. 1 A 192.0.2.1\n', 0, 'no SOA record', { origin: undefined });
  refused('', 0, 'no SOA record', { origin: undefined });
  refused(`www 1 A 192.0.2.1\nsub ${soa.slice(2)}`, 2, 'SOA not at the zone apex (example.test)');
  refused(`${soa}\n@ SOA ns2 hostmaster 2 7200 900 604800 300\n`, 3, 'more than one SOA');
});

test('counts a record written twice once, and refuses CNAMEs beside other data or two of them', () => {
  assert.is(
    parseZoneFile(`${soa}${soa}`, { origin: 'example.test' }).records.length,
    2,
    'the file keeps both',
  );
  refused(`${soa}www A 192.0.2.1\nwww CNAME other\n`, 3, 'CNAME beside other data (RFC 2181 section 10.1)');
  refused(`${soa}www CNAME other\nwww A 192.0.2.1\n`, 3, 'CNAME beside other data (RFC 2181 section 10.1)');
  refused(`${soa}@ CNAME other\n`, 2, 'CNAME beside other data (RFC 2181 section 10.1)');
  refused(`${soa}www CNAME one\n     CNAME two\n`, 3, 'more than one CNAME');
  assert.is(lines(`${soa}www CNAME one\nwww CNAME one\nwww TYPE46 \\# 0\n`).length, 4);
});

test('refuses TTLs out of range', () => {
  refused(`${soa}www 2147483648 A 192.0.2.1\n`, 2, 'TTL 2147483648 out of range (at most 2147483647)');
  refused(`$TTL 4000w\n${soa}`, 1, 'TTL 4000w out of range (at most 2147483647)');
  assert.equal(lines(`${soa}www 2147483647 A 192.0.2.1\nz 0 A 192.0.2.2\n`).slice(1), [
    'www.example.test.\t2147483647\tIN\tA\t192.0.2.1',
    'z.example.test.\t0\tIN\tA\t192.0.2.2',
  ]);
});

test('refuses $INCLUDE in text parsed without files', () => {
  refused(`${soa}$INCLUDE other.zone\n`, 2, '$INCLUDE needs files: use loadZoneFile');
});

test('loads the example.test fixture into a zone', async () => {
  const zone = await loadZoneFile(fixture);
  assert.is(zone.origin, 'example.test');
  assert.is(zone.soa.serial, 2024060101);
  assert.is(zone.soa.minimum, 300);
  const www = zone.rrset('www.example.test', 'TXT')[0];
  assert.equal(
    www && formatRecord(www),
    'www.example.test.\t3600\tIN\tTXT\t"a web server" "with two strings"',
  );
  assert.is(zone.rrset('ns2.example.test', 'A')[0]?.ttl, 300);
  assert.is(zone.rrset('*.wild.example.test', 'A').length, 1);
  assert.is(zone.rrset('sub.example.test', 'NS').length, 1);
});

test('loads a realistic zone from a temporary file, with $INCLUDE relative to the including file', async () => {
  await inTempDir(async (dir) => {
    await writeFile(
      join(dir, 'db.example.test'),
      [
        '$ORIGIN example.test.',
        '$TTL 1h',
        '@ IN SOA ns1 hostmaster ( 2024060101 2h 15m 1w 5m )',
        '  IN NS ns1',
        '  IN NS ns.sub',
        '  IN MX 10 mail',
        '  IN TXT "v=spf1 mx -all" "second string"',
        '  IN CAA 0 issue "ca.example"',
        'ns1 IN A 127.0.0.53',
        'mail IN A 127.0.0.25',
        '     IN AAAA ::1',
        'www IN A 127.0.0.1',
        'ftp IN CNAME www',
        'files IN CNAME ftp',
        '_sip._tcp IN SRV 10 60 5060 www',
        '$INCLUDE hosts/sub.inc sub',
        'after A 192.0.2.9 ; back to the origin example.test',
        '*.wild 60 A 192.0.2.30',
      ].join('\n'),
    );
    await mkdir(join(dir, 'hosts'));
    await writeFile(join(dir, 'hosts', 'sub.inc'), '@ NS ns\nns A 127.0.0.55\n');
    const zone = await loadZoneFile(join(dir, 'db.example.test'));
    const text = zone.records.map(formatRecord);
    assert.is(text.length, 17);
    assert.ok(text.includes('sub.example.test.\t3600\tIN\tNS\tns.sub.example.test.'));
    assert.ok(text.includes('ns.sub.example.test.\t3600\tIN\tA\t127.0.0.55'));
    assert.ok(text.includes('after.example.test.\t3600\tIN\tA\t192.0.2.9'));
    assert.ok(text.includes('example.test.\t3600\tIN\tTXT\t"v=spf1 mx -all" "second string"'));
    assert.ok(text.includes('_sip._tcp.example.test.\t3600\tIN\tSRV\t10 60 5060 www.example.test.'));
  });
});

test('names the included file and its line in an error inside it', async () => {
  await inTempDir(async (dir) => {
    const main = join(dir, 'main.zone');
    await writeFile(main, `${soa}$INCLUDE part.inc\n`);
    await writeFile(join(dir, 'part.inc'), 'ok A 192.0.2.1\nbad A 192.0.2.300\n');
    const error = (await rejectionOf(loadZoneFile(main, { origin: 'example.test' }))) as ZoneFileError;
    assert.instance(error, ZoneFileError);
    assert.is(error.message, `${join(dir, 'part.inc')}:2: bad IPv4 address "192.0.2.300"`);
  });
});

test('refuses an $INCLUDE loop, a missing included file, and a file over the size limit', async () => {
  await inTempDir(async (dir) => {
    const main = join(dir, 'main.zone');
    await writeFile(main, `${soa}$INCLUDE loop.inc\n`);
    await writeFile(join(dir, 'loop.inc'), '\n$INCLUDE main.zone\n');
    const loop = (await rejectionOf(loadZoneFile(main, { origin: 'example.test' }))) as ZoneFileError;
    assert.is(loop.message, `${join(dir, 'loop.inc')}:2: $INCLUDE loop: ${main}`);
    await writeFile(main, `${soa}\n$INCLUDE missing.inc\n`);
    const missing = (await rejectionOf(loadZoneFile(main, { origin: 'example.test' }))) as ZoneFileError;
    assert.is(missing.line, 3);
    assert.is(missing.reason, `cannot read ${join(dir, 'missing.inc')}: no such file (ENOENT)`);
    const big = (await rejectionOf(
      loadZoneFile(main, { origin: 'example.test', maxFileBytes: 10 }),
    )) as ZoneFileError;
    assert.instance(big, ZoneFileError);
    assert.match(big.message, /main\.zone: file of \d+ bytes, over the limit of 10/);
  });
});

test('refuses $INCLUDE nested too deep', async () => {
  await inTempDir(async (dir) => {
    await writeFile(join(dir, 'main.zone'), `${soa}$INCLUDE 1.inc\n`);
    for (let i = 1; i <= 9; i++) await writeFile(join(dir, `${i}.inc`), `$INCLUDE ${i + 1}.inc\n`);
    await writeFile(join(dir, '10.inc'), 'x A 192.0.2.1\n');
    const error = (await rejectionOf(
      loadZoneFile(join(dir, 'main.zone'), { origin: 'example.test' }),
    )) as ZoneFileError;
    assert.is(error.message, `${join(dir, '8.inc')}:1: $INCLUDE nested over 8 deep`);
  });
});

test('fails with a one-line ZoneFileError naming the file when it cannot be read', async () => {
  const error = await rejectionOf(loadZoneFile('/nonexistent/spindle/db.zone'));
  assert.instance(error, ZoneFileError);
  assert.is(error.message, '/nonexistent/spindle/db.zone: cannot read it: no such file (ENOENT)');
  assert.is(((error as Error).cause as Error & { code?: string }).code, 'ENOENT');
});

test.run();
