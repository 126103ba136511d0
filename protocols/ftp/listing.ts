/**
 * Directory listings both ways: `ls -l` lines for LIST, RFC 3659 facts for MLSD and MLST, MDTM
 * times; and a client's reading of them, Unix and DOS (IIS) LIST formats included.
 *
 * @module
 */
import { oneLine } from './_one-line.js';

/** What a listed name is. */
export type FtpEntryKind = 'file' | 'directory' | 'symlink';

/**
 * A file as a listing shows it. Structural and small on purpose: a filesystem's own entry type
 * maps onto it field by field.
 */
export interface FtpListEntry {
  /** The name in its folder (not a path). */
  readonly name: string;
  readonly kind: FtpEntryKind;
  /** In octets. */
  readonly size: number;
  /** When the contents last changed. */
  readonly modified: Date;
  /**
   * The permission bits (`0o644`; `fs.Stats`' `mode & 0o7777`). Default 0o644 for a file,
   * 0o755 for a folder, 0o777 for a symlink.
   */
  readonly mode?: number;
  /** Default `'ftp'`. */
  readonly owner?: string;
  /** Default `'ftp'`. */
  readonly group?: string;
  /** What a symlink points to, when known. */
  readonly target?: string;
}

/** An entry read from an MLSD or MLST line, with all its facts, names lower-cased. */
export interface MlsxEntry extends FtpListEntry {
  /**
   * Every fact as sent, by lower-cased name: `type` tells the listed folder itself (`'cdir'`)
   * and its parent (`'pdir'`), which a client usually skips, from its entries.
   */
  readonly facts: Readonly<Record<string, string>>;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const day = 24 * 60 * 60 * 1000;
/** How old a time may be and still be listed with its hour, not its year: vsftpd's 182 days. */
const recent = 182 * day;
const kindLetters: Readonly<Record<FtpEntryKind, string>> = { file: '-', directory: 'd', symlink: 'l' };
const defaultModes: Readonly<Record<FtpEntryKind, number>> = {
  file: 0o644,
  directory: 0o755,
  symlink: 0o777,
};

/**
 * One line of a LIST reply (without its CR LF), as `ls -l` and vsftpd write it, which curl,
 * lftp, Python's ftplib and basic-ftp read:
 * `-rw-r--r--   1 ftp      ftp          1234 Jan 02 15:04 notes.txt`. Times are UTC (vsftpd's
 * default); a time in the last 182 days shows its hour and minute, any other its year
 * (`Mar 15  2021`), as ls and vsftpd do. A symlink shows `name -> target` when the target is
 * known. A CR or LF in a name is escaped (see `formatReply`) so it cannot end the line, and
 * spaces in an owner or group become `_`.
 *
 * @example
 * ```ts
 * formatListLine({ name: 'a.txt', kind: 'file', size: 5, modified: new Date('2024-01-02T15:04:00Z') }, now);
 * // '-rw-r--r--   1 ftp      ftp             5 Jan 02 15:04 a.txt'
 * ```
 */
export function formatListLine(entry: FtpListEntry, now: Date = new Date()): string {
  const mode = modeText(entry.mode ?? defaultModes[entry.kind]);
  const owner = word(entry.owner).padEnd(8);
  const group = word(entry.group).padEnd(8);
  const size = String(entry.size).padStart(8);
  const target = entry.kind === 'symlink' && entry.target !== undefined ? ` -> ${oneLine(entry.target)}` : '';
  return `${kindLetters[entry.kind]}${mode}   1 ${owner} ${group} ${size} ${listTime(entry.modified, now)} ${oneLine(entry.name)}${target}`;
}

/**
 * The facts and name of an MLSD line or an MLST reply's middle line (RFC 3659 §7), without its
 * CR LF: `type=file;size=1234;modify=20240102150405;perm=r;unix.mode=0644; notes.txt`.
 * `modify` is UTC, to the second. `perm` says what the session lets the client do: `r` on a file
 * and `el` on a folder, plus `adfw` and `cdfmp` when `writable`. A symlink is
 * `type=OS.unix=slink:target` (`OS.unix=symlink` when the target is unknown or cannot be a
 * fact's value). MLST wants the line after one space: `formatReply` writes middle lines so.
 *
 * @example
 * ```ts
 * formatMlsxFacts({ name: 'pub', kind: 'directory', size: 0, modified }, { writable: true });
 * // 'type=dir;size=0;modify=20240102150405;perm=elcdfmp;unix.mode=0755; pub'
 * ```
 */
export function formatMlsxFacts(
  entry: FtpListEntry,
  options: { readonly writable?: boolean; readonly facts?: readonly MlsxFact[] } = {},
): string {
  const writable = options.writable ?? false;
  const target = entry.target;
  let type = entry.kind === 'directory' ? 'dir' : 'file';
  let perm = writable ? 'radfw' : 'r';
  if (entry.kind === 'directory') perm = writable ? 'elcdfmp' : 'el';
  else if (entry.kind === 'symlink') {
    type = target !== undefined && /^[^;\s]+$/.test(target) ? `OS.unix=slink:${target}` : 'OS.unix=symlink';
  }
  const mode = (entry.mode ?? defaultModes[entry.kind]).toString(8).padStart(4, '0');
  const values: Record<MlsxFact, string> = {
    type,
    size: String(entry.size),
    modify: formatMdtm(entry.modified),
    perm,
    'unix.mode': mode,
  };
  const facts = (options.facts ?? mlsxFacts).map((fact) => `${fact}=${values[fact]};`).join('');
  return `${facts} ${oneLine(entry.name)}`;
}

/** The MLSx facts a server writes (RFC 3659 section 7.5), all by default, in this order. */
export const mlsxFacts = ['type', 'size', 'modify', 'perm', 'unix.mode'] as const;

/** One of `mlsxFacts`. */
export type MlsxFact = (typeof mlsxFacts)[number];

/**
 * The facts an `OPTS MLST fact;fact;` argument selects, the ones this server knows, in its own
 * order (RFC 3659 section 7.9: unknown facts are ignored, and none at all is allowed).
 *
 * @example
 * ```ts
 * selectMlsxFacts('Size;type;colour;'); // ['type', 'size']
 * ```
 */
export function selectMlsxFacts(argument: string): MlsxFact[] {
  const asked = new Set(
    argument
      .toLowerCase()
      .split(';')
      .map((fact) => fact.trim()),
  );
  return mlsxFacts.filter((fact) => asked.has(fact));
}

/**
 * A time as MDTM's 213 reply and MLSx's `modify` fact give it (RFC 3659 §2.3): `YYYYMMDDHHMMSS`
 * in UTC, to the second.
 *
 * @example
 * ```ts
 * formatReply(213, formatMdtm(stats.mtime)); // 213 20240102150405
 * ```
 */
export function formatMdtm(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/**
 * The time of an MDTM reply's text or a `modify` fact: `YYYYMMDDHHMMSS`, with an optional
 * fraction of a second, in UTC; `undefined` when it is no such time.
 *
 * @example
 * ```ts
 * parseMdtm('20240102150405.123'); // 2024-01-02T15:04:05.123Z
 * ```
 */
export function parseMdtm(text: string): Date | undefined {
  const found = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3})\d*)?$/.exec(text.trim());
  if (found === null) return undefined;
  const [year, month, date, hours, minutes, seconds] = found.slice(1, 7).map(Number) as number[];
  const ms = Number((found[7] ?? '0').padEnd(3, '0'));
  return utcDate(year!, month! - 1, date!, hours!, minutes!, seconds!, ms);
}

/**
 * The entry a LIST line describes, in the Unix format (`ls -l`, vsftpd, ProFTPD, pyftpdlib; the
 * group column may be missing) or the DOS format of IIS (`01-02-24  03:04PM  <DIR>  name`,
 * `01-02-24 03:04PM 1234 name`, four-digit years and 24-hour times too); `undefined` for other
 * lines (`total 12`, device files). Times are read as UTC. A Unix time without a year is given
 * the latest year that does not put it more than a day after `now`. A name's CR NUL is read back
 * as CR.
 *
 * @example
 * ```ts
 * parseListLine('drwxr-xr-x 2 ftp ftp 4096 Mar 15  2021 pub')?.kind; // 'directory'
 * ```
 */
export function parseListLine(line: string, now: Date = new Date()): FtpListEntry | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return parseUnixLine(text, now) ?? parseDosLine(text);
}

/**
 * The entry an MLSD line or an MLST reply's middle line describes (one leading space allowed),
 * with its facts; `undefined` for a line without a name. Fact names and the `type` value are
 * case-insensitive (ProFTPD writes `UNIX.mode`). `type` `dir`, `cdir` and `pdir` are folders,
 * `OS.unix=slink:target` and `OS.unix=symlink` symlinks, anything else a file. `size` (or
 * `sizd`) is the size, `modify` the time (the epoch when missing), `unix.mode`, `unix.owner` (or
 * `unix.uid`) and `unix.group` (or `unix.gid`) the rest.
 *
 * @example
 * ```ts
 * parseMlsxLine('Type=file;Size=5;Modify=20240102150405; a b.txt')?.name; // 'a b.txt'
 * ```
 */
export function parseMlsxLine(line: string): MlsxEntry | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const start = text.startsWith(' ') ? 1 : 0;
  const space = text.indexOf(' ', start);
  if (space < 0 || space === text.length - 1) return undefined;
  const facts: Record<string, string> = {};
  for (const fact of text.slice(start, space).split(';')) {
    const equals = fact.indexOf('=');
    if (equals > 0) facts[fact.slice(0, equals).toLowerCase()] = fact.slice(equals + 1);
  }
  const type = (facts.type ?? 'file').toLowerCase();
  let kind: FtpEntryKind = 'file';
  let target: string | undefined;
  if (type === 'dir' || type === 'cdir' || type === 'pdir') kind = 'directory';
  else if (type === 'os.unix=symlink' || type.startsWith('os.unix=slink')) {
    kind = 'symlink';
    const colon = facts.type!.indexOf(':');
    if (colon >= 0 && colon < facts.type!.length - 1) target = facts.type!.slice(colon + 1);
  }
  const mode = facts['unix.mode'];
  return {
    name: readName(text.slice(space + 1)),
    kind,
    size: Number(facts.size ?? facts.sizd ?? 0) || 0,
    modified: parseMdtm(facts.modify ?? '') ?? new Date(0),
    ...(mode !== undefined && /^[0-7]{1,6}$/.test(mode) ? { mode: Number.parseInt(mode, 8) & 0o7777 } : {}),
    ...optional('owner', facts['unix.owner'] ?? facts['unix.uid']),
    ...optional('group', facts['unix.group'] ?? facts['unix.gid']),
    ...optional('target', target),
    facts,
  };
}

/** `ls -l`: type and permissions, links, owner, group (or not), size, month, day, time or year, name. */
const unixLine =
  /^([-dl])([-rwxsStT]{9})[+@.]?\s+\d+\s+(\S+)\s+(?:(\S+)\s+)?(\d+)\s+([A-Za-z]{3})\s+(\d{1,2})\s+(?:(\d{1,2}):(\d{2})|(\d{4}))\s(.*)$/s;

function parseUnixLine(text: string, now: Date): FtpListEntry | undefined {
  const found = unixLine.exec(text);
  if (found === null) return undefined;
  const [, letter, permissions, owner, group, size, monthName, date, hours, minutes, year, rest] = found;
  const month = months.findIndex((name) => name.toLowerCase() === monthName!.toLowerCase());
  if (month < 0) return undefined;
  let modified: Date | undefined;
  if (year !== undefined) modified = utcDate(Number(year), month, Number(date), 0, 0, 0, 0);
  else {
    const thisYear = now.getUTCFullYear();
    modified = utcDate(thisYear, month, Number(date), Number(hours), Number(minutes), 0, 0);
    if (modified !== undefined && modified.getTime() > now.getTime() + day) {
      modified = utcDate(thisYear - 1, month, Number(date), Number(hours), Number(minutes), 0, 0);
    }
  }
  if (modified === undefined) return undefined;
  const kind = (Object.keys(kindLetters) as FtpEntryKind[]).find((key) => kindLetters[key] === letter)!;
  const arrow = kind === 'symlink' ? rest!.indexOf(' -> ') : -1;
  return {
    name: readName(arrow < 0 ? rest! : rest!.slice(0, arrow)),
    kind,
    size: Number(size),
    modified,
    mode: parseMode(permissions!),
    owner: owner!,
    ...optional('group', group),
    ...(arrow < 0 ? {} : { target: readName(rest!.slice(arrow + 4)) }),
  };
}

function parseDosLine(text: string): FtpListEntry | undefined {
  const found =
    /^(\d{2})-(\d{2})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?\s+(<DIR>|\d+)\s+(.+)$/s.exec(text);
  if (found === null) return undefined;
  const [, month, date, yearText, hourText, minutes, half, size, name] = found;
  let year = Number(yearText);
  if (yearText!.length === 2) year += year < 70 ? 2000 : 1900;
  let hours = Number(hourText);
  if (half !== undefined) hours = (hours % 12) + (half.toLowerCase() === 'pm' ? 12 : 0);
  const modified = utcDate(year, Number(month) - 1, Number(date), hours, Number(minutes), 0, 0);
  if (modified === undefined) return undefined;
  const directory = size === '<DIR>';
  return {
    name: readName(name!),
    kind: directory ? 'directory' : 'file',
    size: directory ? 0 : Number(size),
    modified,
  };
}

/** `Jan 02 15:04` for a recent time, `Jan 02  2021` for another, in UTC. */
function listTime(modified: Date, now: Date): string {
  const age = now.getTime() - modified.getTime();
  const month = months[modified.getUTCMonth()];
  const date = String(modified.getUTCDate()).padStart(2, '0');
  if (age >= 0 && age <= recent) {
    const hours = String(modified.getUTCHours()).padStart(2, '0');
    const minutes = String(modified.getUTCMinutes()).padStart(2, '0');
    return `${month} ${date} ${hours}:${minutes}`;
  }
  return `${month} ${date}  ${modified.getUTCFullYear()}`;
}

/** `rwxr-xr-x` for 0o755, with setuid, setgid and sticky as `s`/`S` and `t`/`T`. */
function modeText(mode: number): string {
  let text = '';
  for (const [shift, special, letter] of [
    [6, 0o4000, 's'],
    [3, 0o2000, 's'],
    [0, 0o1000, 't'],
  ] as const) {
    const bits = (mode >> shift) & 7;
    const execute = bits & 1 ? 'x' : '-';
    const extra = mode & special ? (bits & 1 ? letter : letter.toUpperCase()) : execute;
    text += `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${extra}`;
  }
  return text;
}

/** The bits of a `rwxr-xr-x` string, the inverse of `modeText`. */
function parseMode(text: string): number {
  let mode = 0;
  for (const [at, shift, special] of [
    [0, 6, 0o4000],
    [3, 3, 0o2000],
    [6, 0, 0o1000],
  ] as const) {
    if (text[at] === 'r') mode |= 4 << shift;
    if (text[at + 1] === 'w') mode |= 2 << shift;
    const execute = text[at + 2]!;
    if ('xst'.includes(execute)) mode |= 1 << shift;
    if ('sStT'.includes(execute)) mode |= special;
  }
  return mode;
}

/** An owner or group as one word: `'ftp'` when missing or empty. */
function word(name: string | undefined): string {
  return name === undefined || name === '' ? 'ftp' : name.replace(/[\s\0]/g, '_');
}

/** A name as listed, with Telnet's CR NUL read back as CR. */
function readName(text: string): string {
  return text.includes('\r\0') ? text.replace(/\r\0/g, '\r') : text;
}

/** `{ [key]: value }`, or nothing when `value` is undefined (for optional fields). */
function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}

/** The UTC date of these fields, or `undefined` when they name no such date (Feb 30). */
function utcDate(
  year: number,
  month: number,
  date: number,
  hours: number,
  minutes: number,
  seconds: number,
  ms: number,
): Date | undefined {
  const result = new Date(Date.UTC(year, month, date, hours, minutes, seconds, ms));
  const valid =
    result.getUTCFullYear() === year &&
    result.getUTCMonth() === month &&
    result.getUTCDate() === date &&
    result.getUTCHours() === hours &&
    result.getUTCMinutes() === minutes &&
    result.getUTCSeconds() === seconds;
  return valid ? result : undefined;
}
