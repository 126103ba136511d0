import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type FtpListEntry,
  formatListLine,
  formatMdtm,
  formatMlsxFacts,
  parseListLine,
  parseMdtm,
  parseMlsxLine,
} from '../../../protocols/ftp/listing.js';
import { formatReply, ReplyDecoder } from '../../../protocols/ftp/reply.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/ftp/listing'));

const now = new Date('2024-03-10T12:00:00Z');
const at = (iso: string): Date => new Date(iso);

const entries: FtpListEntry[] = [
  {
    name: 'notes.txt',
    kind: 'file',
    size: 1234,
    modified: at('2024-01-02T15:04:59Z'),
    mode: 0o644,
    owner: 'alice',
    group: 'staff',
  },
  {
    name: 'old report.pdf',
    kind: 'file',
    size: 0,
    modified: at('2021-03-15T08:00:00Z'),
    mode: 0o600,
    owner: 'bob',
    group: 'bob',
  },
  {
    name: 'pub',
    kind: 'directory',
    size: 4096,
    modified: at('2023-12-31T23:59:00Z'),
    mode: 0o755,
    owner: 'ftp',
    group: 'ftp',
  },
  {
    name: 'latest',
    kind: 'symlink',
    size: 7,
    modified: at('2024-03-10T11:00:00Z'),
    mode: 0o777,
    owner: 'ftp',
    group: 'ftp',
    target: 'pub/v2',
  },
  {
    name: ' été 日本 ',
    kind: 'file',
    size: 2 ** 40,
    modified: at('2024-02-29T00:00:00Z'),
    mode: 0o4755,
    owner: 'ftp',
    group: 'ftp',
  },
  {
    name: 'tmp',
    kind: 'directory',
    size: 0,
    modified: at('2024-03-01T00:00:00Z'),
    mode: 0o1777,
    owner: 'root',
    group: 'root',
  },
];

/** `entry` with its time cut to what a LIST line keeps: minutes when recent, else the day. */
function toListPrecision(entry: FtpListEntry): FtpListEntry {
  const age = now.getTime() - entry.modified.getTime();
  const unit = age >= 0 && age <= 182 * 86400000 ? 60000 : 86400000;
  return { ...entry, modified: new Date(Math.floor(entry.modified.getTime() / unit) * unit) };
}

test('writes ls -l lines: time when recent, year when older than 182 days or in the future', () => {
  assert.is(
    formatListLine(entries[0]!, now),
    '-rw-r--r--   1 alice    staff        1234 Jan 02 15:04 notes.txt',
  );
  assert.is(
    formatListLine(entries[1]!, now),
    '-rw-------   1 bob      bob             0 Mar 15  2021 old report.pdf',
  );
  assert.is(
    formatListLine(entries[3]!, now),
    'lrwxrwxrwx   1 ftp      ftp             7 Mar 10 11:00 latest -> pub/v2',
  );
  assert.is(formatListLine(entries[5]!, now).slice(0, 10), 'drwxrwxrwt');
  assert.is(formatListLine(entries[4]!, now).slice(0, 10), '-rwsr-xr-x');
  const future = { ...entries[0]!, modified: at('2024-03-11T00:00:00Z') };
  assert.match(formatListLine(future, now), / Mar 11 {2}2024 notes\.txt$/);
  const defaults = { name: 'd', kind: 'directory', size: 0, modified: now } as const;
  assert.is(formatListLine(defaults, now), 'drwxr-xr-x   1 ftp      ftp             0 Mar 10 12:00 d');
});

test('round-trips entries through a LIST line, to its precision', () => {
  for (const entry of entries) {
    assert.equal(parseListLine(formatListLine(entry, now), now), toListPrecision(entry), entry.name);
  }
});

test('gives a recent time from last year the previous year', () => {
  const newYear = new Date('2024-01-01T00:30:00Z');
  const entry = { ...entries[0]!, modified: at('2023-12-31T23:00:00Z') };
  assert.equal(parseListLine(formatListLine(entry, newYear), newYear)?.modified, at('2023-12-31T23:00:00Z'));
});

test('regression: a name holding CR LF cannot add an entry to a listing', () => {
  const entry = { ...entries[0]!, name: 'a\r\n-rw-r--r-- 1 x x 1 Jan 01 00:00 forged' };
  const line = formatListLine(entry, now);
  assert.not.match(line, /\n/);
  assert.is(parseListLine(line, now)?.name, 'a\r\x00-rw-r--r-- 1 x x 1 Jan 01 00:00 forged');
  assert.not.match(formatMlsxFacts(entry), /\n/);
});

test('reads LIST lines from vsftpd, pyftpdlib, ProFTPD and ls', () => {
  const cases: [string, Partial<FtpListEntry>][] = [
    [
      '-rw-r--r--    1 1000     1000         1234 Jan 02 15:04 notes.txt',
      { name: 'notes.txt', size: 1234, owner: '1000', group: '1000', modified: at('2024-01-02T15:04:00Z') },
    ],
    [
      'drwxr-xr-x    2 0        0            4096 Mar 15  2021 pub',
      { name: 'pub', kind: 'directory', mode: 0o755, modified: at('2021-03-15T00:00:00Z') },
    ],
    [
      'lrwxrwxrwx    1 0        0               7 Jun 01  2023 latest -> pub/v2',
      { name: 'latest', kind: 'symlink', target: 'pub/v2' },
    ],
    [
      '-rw-r--r--   1 user     group     1048576 Feb 29 08:30 file with  spaces.bin',
      { name: 'file with  spaces.bin', size: 1048576 },
    ],
    [
      '-rw-rw-r--   1 ftp ftp 5 Sep  9  2019 x',
      { name: 'x', mode: 0o664, modified: at('2019-09-09T00:00:00Z') },
    ],
    [
      '-rw-r--r--+  1 owner 12 Aug 31 23:59 no-group.txt\r',
      { name: 'no-group.txt', owner: 'owner', size: 12 },
    ],
    ['-rwsr-Sr-T   1 a b 1 jan 1 2020 modes', { mode: 0o7744 }],
  ];
  for (const [line, want] of cases) {
    const entry = parseListLine(line, now);
    assert.ok(entry, line);
    for (const [key, value] of Object.entries(want))
      assert.equal(entry[key as keyof FtpListEntry], value, `${line}: ${key}`);
  }
  assert.is(parseListLine('-rw-r--r--   1 owner 12 Aug 31 23:59 no-group.txt', now)?.group, undefined);
});

test('reads DOS (IIS) LIST lines', () => {
  assert.equal(parseListLine('01-02-24  03:04PM       <DIR>          Documents'), {
    name: 'Documents',
    kind: 'directory',
    size: 0,
    modified: at('2024-01-02T15:04:00Z'),
  });
  assert.equal(parseListLine('01-02-24 03:04PM 1234 report 2024.txt'), {
    name: 'report 2024.txt',
    kind: 'file',
    size: 1234,
    modified: at('2024-01-02T15:04:00Z'),
  });
  assert.equal(
    parseListLine('10-31-1999  12:05AM                    5 old.txt')?.modified,
    at('1999-10-31T00:05:00Z'),
  );
  assert.equal(parseListLine('07-04-98  12:30PM 5 a')?.modified, at('1998-07-04T12:30:00Z'));
  assert.equal(parseListLine('07-04-2024  17:45 5 b')?.modified, at('2024-07-04T17:45:00Z'));
});

test('skips lines that describe no entry', () => {
  for (const line of [
    'total 12',
    '',
    'brw-rw----  1 root disk 8, 0 Jan 02 15:04 sda',
    '-rw-r--r-- 1 a b 1 Foo 02 15:04 x',
    '02-30-24 03:04PM 1 feb30',
  ]) {
    assert.is(parseListLine(line, now), undefined, line);
  }
});

test('writes MLSx facts in UTC with perm by what the session allows (RFC 3659)', () => {
  assert.is(
    formatMlsxFacts(entries[0]!),
    'type=file;size=1234;modify=20240102150459;perm=r;unix.mode=0644; notes.txt',
  );
  assert.is(
    formatMlsxFacts(entries[2]!, { writable: true }),
    'type=dir;size=4096;modify=20231231235900;perm=elcdfmp;unix.mode=0755; pub',
  );
  assert.match(formatMlsxFacts(entries[3]!), /^type=OS\.unix=slink:pub\/v2;/);
  assert.match(formatMlsxFacts({ ...entries[3]!, target: 'a;b' }), /^type=OS\.unix=symlink;/);
});

test('round-trips entries through MLSx facts, to the second', () => {
  for (const entry of entries) {
    const { facts, ...parsed } = parseMlsxLine(formatMlsxFacts(entry))!;
    const { owner: _owner, group: _group, ...kept } = entry;
    const modified = new Date(Math.floor(entry.modified.getTime() / 1000) * 1000);
    assert.equal(parsed, { ...kept, modified }, entry.name);
    assert.type(facts.perm, 'string');
  }
});

test('reads an MLST reply written by formatReply', () => {
  const bytes = formatReply(250, ['Listing notes.txt', formatMlsxFacts(entries[0]!), 'End']);
  const [reply] = new ReplyDecoder().push(bytes);
  assert.is(reply!.lines[1], ` ${formatMlsxFacts(entries[0]!)}`);
  assert.is(parseMlsxLine(reply!.lines[1]!)?.name, 'notes.txt');
});

test('reads MLSD lines from pyftpdlib, ProFTPD and others, facts case-insensitive', () => {
  const py = parseMlsxLine(
    'type=file;size=1024;perm=radfw;modify=20240102150405;unix.mode=0644;unix.uid=1000;unix.gid=1000;unique=803g2b8a; file.txt',
  );
  assert.equal(
    { ...py, facts: undefined },
    {
      name: 'file.txt',
      kind: 'file',
      size: 1024,
      modified: at('2024-01-02T15:04:05Z'),
      mode: 0o644,
      owner: '1000',
      group: '1000',
      facts: undefined,
    },
  );
  const pro = parseMlsxLine(
    'modify=20240102150405.123;perm=flcdmpe;type=dir;unique=FD00U1A2B;UNIX.group=staff;UNIX.mode=02775;UNIX.owner=alice; my dir\r',
  );
  assert.equal(
    [pro?.name, pro?.kind, pro?.mode, pro?.owner, pro?.group, pro?.modified],
    ['my dir', 'directory', 0o2775, 'alice', 'staff', at('2024-01-02T15:04:05.123Z')],
  );
  assert.is(parseMlsxLine('Type=cdir;Modify=20240102150405; /pub')?.facts.type, 'cdir');
  assert.equal(
    [
      parseMlsxLine('type=OS.unix=slink:/etc/x; link')?.kind,
      parseMlsxLine('type=OS.unix=slink:/etc/x; link')?.target,
    ],
    ['symlink', '/etc/x'],
  );
  assert.equal(parseMlsxLine('size=3; noType')?.kind, 'file');
  assert.equal(parseMlsxLine(' type=file; x')?.modified, new Date(0));
  assert.is(parseMlsxLine('type=file;size=1;'), undefined);
  assert.is(parseMlsxLine('type=file;size=1; '), undefined);
});

test('writes and reads MDTM times (RFC 3659 §2.3)', () => {
  assert.is(formatMdtm(at('2024-01-02T15:04:05.987Z')), '20240102150405');
  assert.equal(parseMdtm('20240102150405'), at('2024-01-02T15:04:05Z'));
  assert.equal(parseMdtm(' 20240102150405.5 '), at('2024-01-02T15:04:05.500Z'));
  for (const text of ['2024010215040', '20241302150405', '20240230150405', '20240102250405', 'x']) {
    assert.is(parseMdtm(text), undefined, text);
  }
});

test.run();
