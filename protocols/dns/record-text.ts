/**
 * Records in presentation format (RFC 1035 section 5.1): written as dig prints its answer lines,
 * and read from a zone file's data fields. Types Spindle does not read field by field use RFC
 * 3597's generic form `\# <length> <hex>`, which known types accept too.
 *
 * @module
 */
import { readIpv6, writeIpv4, writeIpv6 } from './_ip-address.js';
import { readRecord } from './_record-data-codec.js';
import { timeValue } from './_time-value.js';
import { WireReader } from './_wire-reader.js';
import { FormatError } from './dns-error.js';
import { canonicalName } from './domain-name.js';
import type { Question, RecordData, ResourceRecord } from './message.js';
import { typeCode } from './record-types.js';
import { RecordSyntaxError } from './zone-error.js';

/**
 * One field of record data as a zone file holds it: its text with escapes still in, and whether
 * it was a quoted string.
 */
export interface DataToken {
  readonly text: string;
  readonly quoted: boolean;
}

/** The longest record data, in octets. */
const maxDataLength = 0xffff;
/** The longest character-string (RFC 1035 section 3.3). */
const maxStringLength = 255;
const backslash = 0x5c;
const quote = 0x22;

/** An escape (`\X`, `\DDD`), kept whole, or a character a zone file gives a meaning to. */
const escapeOrSpecial = /\\(?:\d{3}|.)|["();@$]/gs;

/**
 * `name` as dig prints it: with the final dot (`'.'` for the root), and the characters a zone
 * file gives a meaning to (`"`, `(`, `)`, `;`, `@`, `$`) escaped with a backslash, as BIND does,
 * so that the text reads back as the same name.
 *
 * @example
 * ```ts
 * formatName('www.example.test'); // 'www.example.test.'
 * formatName('a(b.test'); // 'a\\(b.test.'
 * ```
 */
export function formatName(name: string): string {
  return `${name.replace(escapeOrSpecial, (found) => (found.length === 1 ? `\\${found}` : found))}.`;
}

/**
 * A record as one line of dig's answer section: owner, TTL, class, type and data, separated by
 * tabs.
 *
 * @example
 * ```ts
 * formatRecord({ name: 'www.example.test', ttl: 300, class: 'IN', type: 'A', address: '192.0.2.1' });
 * // 'www.example.test.\t300\tIN\tA\t192.0.2.1'
 * ```
 */
export function formatRecord(record: ResourceRecord): string {
  return `${formatName(record.name)}\t${record.ttl}\t${record.class}\t${record.type}\t${formatRecordData(record)}`;
}

/**
 * A question as dig's question section prints it.
 *
 * @example
 * ```ts
 * formatQuestion({ name: 'www.example.test', type: 'A', class: 'IN' }); // ';www.example.test.\t\tIN\tA'
 * ```
 */
export function formatQuestion(question: Question): string {
  return `;${formatName(question.name)}\t\t${question.class}\t${question.type}`;
}

/**
 * The data of a record in presentation format: names with their final dot, character-strings
 * quoted with `"` and `\` escaped and other bytes outside printable ASCII as `\DDD`, the generic
 * `\# <length> <hex>` for a type without a known form.
 *
 * @example
 * ```ts
 * formatRecordData({ type: 'MX', preference: 10, exchange: 'mail.example.test' }); // '10 mail.example.test.'
 * formatRecordData({ type: 'TYPE65', data: Uint8Array.of(1, 2) }); // '\\# 2 0102'
 * ```
 */
export function formatRecordData(data: RecordData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'NS':
    case 'PTR':
      return formatName(data.host);
    case 'CNAME':
      return formatName(data.target);
    case 'MX':
      return `${data.preference} ${formatName(data.exchange)}`;
    case 'SOA':
      return `${formatName(data.mname)} ${formatName(data.rname)} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
    case 'TXT':
      return data.strings.map(quotedString).join(' ');
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${formatName(data.target)}`;
    case 'CAA':
      return `${data.flags} ${data.tag} ${quotedString(data.value)}`;
    default:
      return `\\# ${data.data.length}${data.data.length > 0 ? ` ${Buffer.from(data.data).toString('hex').toUpperCase()}` : ''}`;
  }
}

/**
 * The name a zone file's `text` stands for: `@` is the origin, a name without a final dot is
 * relative to the origin, escapes (`\.`, `\DDD`) are kept in the one spelling of
 * `canonicalName`.
 *
 * @throws RecordSyntaxError for a bad name, or a relative one with no origin.
 * @example
 * ```ts
 * nameFromText('www', 'example.test'); // 'www.example.test'
 * nameFromText('@', 'example.test'); // 'example.test'
 * nameFromText('mail.example.org.', 'example.test'); // 'mail.example.org'
 * ```
 */
export function nameFromText(text: string, origin: string | undefined): string {
  const absolute = /(^|[^\\])(\\\\)*\.$/.test(text);
  if (!absolute && origin === undefined) throw new RecordSyntaxError(`relative name "${text}" and no origin`);
  const full = text === '@' ? origin : absolute ? text : origin === '' ? text : `${text}.${origin}`;
  try {
    return canonicalName(full as string);
  } catch (error) {
    throw new RecordSyntaxError(`bad name "${text}": ${(error as Error).message}`);
  }
}

/**
 * The data of a `type` record from its fields in presentation format, names relative to
 * `origin`. Reads A, AAAA, NS, CNAME, PTR, MX, SOA (its timers in BIND's units too: `1h`), TXT
 * (one or more strings), SRV, CAA, and RFC 3597's generic `\# <length> <hex>` for every type.
 *
 * @throws RecordSyntaxError naming what is wrong (a bad address, a number out of range, a string
 * over 255 octets, a missing or extra field), with the index of the token at fault.
 * @example
 * ```ts
 * parseRecordData('MX', [{ text: '10', quoted: false }, { text: 'mail', quoted: false }], 'example.test');
 * // { type: 'MX', preference: 10, exchange: 'mail.example.test' }
 * ```
 */
export function parseRecordData(
  type: RecordData['type'],
  tokens: readonly DataToken[],
  origin: string | undefined,
): RecordData {
  if (tokens[0]?.text === '\\#' && !tokens[0].quoted) return genericData(type, tokens);
  const fields = new Fields(type, tokens, origin);
  switch (type) {
    case 'A':
      fields.count(['address']);
      return { type, address: fields.at(0, ipv4Text) };
    case 'AAAA':
      fields.count(['address']);
      return { type, address: fields.at(0, ipv6Text) };
    case 'NS':
    case 'PTR':
      fields.count(['host']);
      return { type, host: fields.name(0) };
    case 'CNAME':
      fields.count(['target']);
      return { type, target: fields.name(0) };
    case 'MX':
      fields.count(['preference', 'exchange']);
      return { type, preference: fields.number(0, 0xffff), exchange: fields.name(1) };
    case 'SOA':
      fields.count(['mname', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum']);
      return {
        type,
        mname: fields.name(0),
        rname: fields.name(1),
        serial: fields.number(2, 0xffffffff),
        refresh: fields.time(3),
        retry: fields.time(4),
        expire: fields.time(5),
        minimum: fields.time(6),
      };
    case 'TXT':
      if (tokens.length === 0) throw new RecordSyntaxError('TXT needs at least one string');
      return {
        type,
        strings: fitData(
          type,
          tokens.map((_, i) => fields.string(i, maxStringLength)),
        ),
      };
    case 'SRV':
      fields.count(['priority', 'weight', 'port', 'target']);
      return {
        type,
        priority: fields.number(0, 0xffff),
        weight: fields.number(1, 0xffff),
        port: fields.number(2, 0xffff),
        target: fields.name(3),
      };
    case 'CAA': {
      fields.count(['flags', 'tag', 'value']);
      const tag = fields.at(1, (text) => {
        if (!/^[A-Za-z0-9]{1,255}$/.test(text)) throw new RecordSyntaxError(`bad CAA tag "${text}"`);
        return text;
      });
      return { type, flags: fields.number(0, 0xff), tag, value: fields.string(2, maxDataLength) };
    }
    default:
      throw new RecordSyntaxError(`${type} data must be in the generic form \\# <length> <hex>`);
  }
}

/** The fields of one record's data, read one at a time with the reason and position of a fault. */
class Fields {
  constructor(
    private readonly type: string,
    private readonly tokens: readonly DataToken[],
    private readonly origin: string | undefined,
  ) {}

  count(names: readonly string[]): void {
    if (this.tokens.length !== names.length) {
      throw new RecordSyntaxError(
        `${this.type} takes ${names.length} field${names.length === 1 ? '' : 's'} (${names.join(' ')}), got ${this.tokens.length}`,
        Math.min(this.tokens.length, names.length),
      );
    }
  }

  /** The value `read` makes of token `index`'s text (not quoted), with the index on its error. */
  at<T>(index: number, read: (text: string) => T): T {
    const token = this.tokens[index] as DataToken;
    try {
      if (token.quoted) throw new RecordSyntaxError(`"${token.text}" cannot be a quoted string here`);
      return read(token.text);
    } catch (error) {
      if (error instanceof RecordSyntaxError) throw new RecordSyntaxError(error.message, index);
      throw error;
    }
  }

  number(index: number, max: number): number {
    return this.at(index, (text) => {
      if (!/^\d+$/.test(text)) throw new RecordSyntaxError(`bad number "${text}"`);
      if (Number(text) > max) throw new RecordSyntaxError(`${text} out of range (at most ${max})`);
      return Number(text);
    });
  }

  time(index: number): number {
    return this.at(index, (text) => timeValue(text, 0xffffffff, 'time value'));
  }

  name(index: number): string {
    return this.at(index, (text) => nameFromText(text, this.origin));
  }

  /** Token `index` as a character-string of at most `max` octets, quoted or not. */
  string(index: number, max: number): Uint8Array {
    const text = (this.tokens[index] as DataToken).text;
    const bytes = unescapeBytes(text);
    if (bytes === undefined) throw new RecordSyntaxError(`bad escape in "${text}"`, index);
    if (bytes.length > max) throw new RecordSyntaxError(`string over ${max} octets`, index);
    return bytes;
  }
}

/** `\X` as X and `\DDD` as the byte DDD; undefined for a `\DDD` over 255 or a final `\`. */
function unescapeBytes(text: string): Uint8Array | undefined {
  const input = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] as number;
    if (byte !== backslash) {
      out.push(byte);
      continue;
    }
    const digits = input.subarray(i + 1, i + 4).toString('latin1');
    if (/^\d{3}$/.test(digits)) {
      if (Number(digits) > 255) return undefined;
      out.push(Number(digits));
      i += 3;
    } else if (i + 1 < input.length) {
      out.push(input[i + 1] as number);
      i += 1;
    } else {
      return undefined;
    }
  }
  return Uint8Array.from(out);
}

/** A character-string as dig writes it: quoted, `"` and `\` escaped, other unprintables as `\DDD`. */
function quotedString(bytes: Uint8Array): string {
  let text = '"';
  for (const byte of bytes) {
    if (byte === quote || byte === backslash) text += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${text}"`;
}

/** `strings`, if their wire form (a length octet each) fits in record data. */
function fitData(type: string, strings: Uint8Array[]): Uint8Array[] {
  const length = strings.reduce((sum, string) => sum + string.length + 1, 0);
  if (length > maxDataLength) throw new RecordSyntaxError(`${type} data over ${maxDataLength} octets`);
  return strings;
}

/** RFC 3597's `\# <length> <hex …>`, read into the type's data. */
function genericData(type: RecordData['type'], tokens: readonly DataToken[]): RecordData {
  const lengthText = tokens[1]?.text ?? '';
  if (!/^\d+$/.test(lengthText) || Number(lengthText) > maxDataLength) {
    throw new RecordSyntaxError(`bad length "${lengthText}" in generic data`, 1);
  }
  const hex = tokens
    .slice(2)
    .map((token) => token.text)
    .join('');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new RecordSyntaxError(`bad hex "${hex}" in generic data`, 2);
  const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  if (bytes.length !== Number(lengthText)) {
    throw new RecordSyntaxError(`generic data says ${lengthText} octets but holds ${bytes.length}`, 1);
  }
  return dataFromBytes(type, bytes);
}

/** The data of a `type` record whose wire form is `bytes`, read by the wire codec. */
function dataFromBytes(type: RecordData['type'], bytes: Uint8Array): RecordData {
  try {
    const {
      name: _name,
      class: _class,
      ttl: _ttl,
      ...data
    } = readRecord(new WireReader(bytes), '', typeCode(type) as number, 'IN', 0, bytes.length);
    return data as RecordData;
  } catch (error) {
    if (error instanceof FormatError) throw new RecordSyntaxError(`${type} data: ${error.message}`, 1);
    throw error;
  }
}

/** `text` if it is a dotted quad (no leading zeros, which some readers take for octal). */
function ipv4Text(text: string): string {
  try {
    writeIpv4(text, new Uint8Array(4), 0);
    return text;
  } catch {
    throw new RecordSyntaxError(`bad IPv4 address "${text}"`);
  }
}

/** `text` as an IPv6 address in Node's compressed form (`2001:DB8:0::1` → `2001:db8::1`). */
function ipv6Text(text: string): string {
  const bytes = new Uint8Array(16);
  try {
    writeIpv6(text, bytes, 0);
  } catch {
    throw new RecordSyntaxError(`bad IPv6 address "${text}"`);
  }
  return readIpv6(bytes, 0);
}
