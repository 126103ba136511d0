/**
 * `encodeMessage`: a `Message` into the bytes of a DNS message (RFC 1035 section 4), names
 * compressed, EDNS written back as the OPT record, cut down to a size limit by RFC 2181's rules.
 *
 * @module
 */
import { recordClassCode, recordTypeCode, writeRecordData } from './_record-data-codec.js';
import { MessageTooLargeError, maxMessageSize, WireWriter } from './_wire-writer.js';
import { nameKey } from './domain-name.js';
import type { Edns, Message, ResourceRecord } from './message.js';
import { recordTypeCodes, typeCode } from './record-types.js';

/** Options of `encodeMessage`. */
export interface EncodeMessageOptions {
  /**
   * The most octets the message may take: 512 for plain UDP, the peer's EDNS payload size, 65535
   * over TCP (the default, and the most). A message that would be larger loses its additional
   * records (the OPT record stays), then, if still too large, is truncated (TC set) to the whole
   * answer RRsets that fit, then the whole authority RRsets that fit (RFC 2181 section 9).
   */
  readonly maxSize?: number;
}

const headerSize = 12;
const optTypeCode = 41;
const maxTtl = 0x7fffffff;

/** One writer for every message: encoding is synchronous, so it is never shared between two. */
const writer = new WireWriter();

/**
 * Writes `message` as DNS wire bytes. Owner names and the names inside NS, CNAME, SOA, PTR and
 * MX data are compressed: a suffix already written (compared without regard to ASCII case) is
 * written as a pointer to it, so the first spelling of a name is the one on the wire. SRV targets
 * and opaque data are never compressed (RFC 3597 section 4). `edns` goes back as an OPT record
 * at the end of the additional section, with the upper bits of `rcode`.
 *
 * With `maxSize`, a message that would be larger drops its additional records (keeping OPT);
 * if that is not enough, it sets TC and keeps only the whole answer RRsets that fit, then the
 * whole authority RRsets that fit, so the result is never larger than `maxSize`.
 *
 * ```text
 * encodeMessage({ …, questions: [example.com A], answers: [example.com A 192.0.2.1] })
 *   → header · 07 example 03 com 00 · 00 01 00 01 · c0 0c 00 01 00 01 … c0 00 02 01
 * ```
 *
 * @throws InvalidNameError for a name that cannot be written; RangeError for a number out of
 * its field's range (a TTL over 2^31-1, a u16, an RCODE over 15 without `edns`, a TXT string
 * over 255 octets), a `maxSize` outside 12..65535, questions that alone exceed `maxSize`, or a
 * message over 65535 octets without `maxSize`; TypeError for a bad address or an unknown type.
 * @see decodeMessage, for the other direction.
 * @example
 * ```ts
 * import { emptyMessage, encodeMessage } from 'spindle/protocols/dns';
 *
 * const bytes = encodeMessage({
 *   ...emptyMessage, id: 7, qr: true, rd: true, ra: true,
 *   questions: [{ name: 'example.com', type: 'A', class: 'IN' }],
 *   answers: [{ name: 'example.com', type: 'A', class: 'IN', ttl: 300, address: '192.0.2.1' }],
 * }, { maxSize: 512 });
 * ```
 */
export function encodeMessage(message: Message, options: EncodeMessageOptions = {}): Uint8Array {
  const limit = options.maxSize;
  const maxSize = limit ?? maxMessageSize;
  if (!(Number.isInteger(maxSize) && maxSize >= headerSize && maxSize <= maxMessageSize)) {
    throw new RangeError(
      `maxSize must be an integer from ${headerSize} to ${maxMessageSize}, not ${maxSize}`,
    );
  }
  const { rcode, edns } = message;
  if (!(Number.isInteger(rcode) && rcode >= 0 && rcode <= 0xfff)) {
    throw new RangeError(`rcode must be an integer from 0 to 4095, not ${rcode}`);
  }
  if (rcode > 0xf && edns === undefined) {
    throw new RangeError(`rcode ${rcode} needs EDNS to carry its upper bits: set edns`);
  }
  try {
    writeMessage(message, 'whole', maxSize);
    if (writer.at <= maxSize) return writer.finish();
  } catch (error) {
    if (!(error instanceof MessageTooLargeError) || limit === undefined) throw error;
  }
  try {
    writeMessage(message, 'no additionals', maxSize);
    if (writer.at <= maxSize) return writer.finish();
  } catch (error) {
    if (!(error instanceof MessageTooLargeError)) throw error;
  }
  writeMessage(message, 'truncated', maxSize);
  return writer.finish();
}

/** What of the message goes in. */
type Plan = 'whole' | 'no additionals' | 'truncated';

function writeMessage(message: Message, plan: Plan, maxSize: number): void {
  writer.reset();
  writer.u16(message.id, 'id');
  const { opcode } = message;
  if (!(Number.isInteger(opcode) && opcode >= 0 && opcode <= 0xf)) {
    throw new RangeError(`opcode must be an integer from 0 to 15, not ${opcode}`);
  }
  writer.u16(
    (message.qr ? 0x8000 : 0) |
      (opcode << 11) |
      (message.aa ? 0x0400 : 0) |
      (message.tc || plan === 'truncated' ? 0x0200 : 0) |
      (message.rd ? 0x0100 : 0) |
      (message.ra ? 0x0080 : 0) |
      (message.z ? 0x0040 : 0) |
      (message.ad ? 0x0020 : 0) |
      (message.cd ? 0x0010 : 0) |
      (message.rcode & 0xf),
    'flags',
  );
  writer.reserve(8); // the four counts, patched at the end
  const { questions } = message;
  for (let n = 0; n < questions.length; n++) {
    const question = questions[n]!;
    writer.name(question.name, true);
    writer.u16(questionTypeCode(question.type), 'question type');
    writer.u16(recordClassCode(question.class), 'question class');
  }
  let answers = 0;
  let authorities = 0;
  let additionals = 0;
  if (plan !== 'truncated') {
    answers = writeRecords(message.answers);
    authorities = writeRecords(message.authorities);
    if (plan === 'whole') additionals = writeRecords(message.additionals);
  } else {
    const budget = maxSize - optSize(message.edns);
    if (writer.at > budget)
      throw new RangeError(`the questions alone take more than maxSize (${maxSize}) octets`);
    answers = writeRRsets(message.answers, budget);
    if (answers === message.answers.length) authorities = writeRRsets(message.authorities, budget);
  }
  if (message.edns !== undefined) {
    writeOpt(message.edns, message.rcode >> 4);
    additionals++;
  }
  writer.patch16(4, count(questions.length, 'questions'));
  writer.patch16(6, count(answers, 'answers'));
  writer.patch16(8, count(authorities, 'authorities'));
  writer.patch16(10, count(additionals, 'additional records'));
}

/** Writes every record; returns how many. */
function writeRecords(records: readonly ResourceRecord[]): number {
  for (let n = 0; n < records.length; n++) writeRecord(records[n]!);
  return records.length;
}

/**
 * Writes the RRsets of `records` (grouped by owner, type and class, in the order each first
 * appears) while each whole RRset fits within `budget`; returns how many records went in.
 */
function writeRRsets(records: readonly ResourceRecord[], budget: number): number {
  const rrsets = new Map<string, ResourceRecord[]>();
  for (const record of records) {
    const key = `${nameKey(record.name)} ${record.type} ${record.class}`;
    const rrset = rrsets.get(key);
    if (rrset === undefined) rrsets.set(key, [record]);
    else rrset.push(record);
  }
  let written = 0;
  for (const rrset of rrsets.values()) {
    const mark = writer.at;
    try {
      for (const record of rrset) writeRecord(record);
    } catch (error) {
      if (!(error instanceof MessageTooLargeError)) throw error;
      writer.rewind(mark);
      break;
    }
    if (writer.at > budget) {
      writer.rewind(mark);
      break;
    }
    written += rrset.length;
  }
  return written;
}

function writeRecord(record: ResourceRecord): void {
  writer.name(record.name, true);
  writer.u16(recordTypeCode(record.type), 'record type');
  writer.u16(recordClassCode(record.class), 'record class');
  writer.u32(record.ttl, 'TTL', maxTtl);
  const [, lengthAt] = writer.reserve(2);
  writeRecordData(writer, record);
  const length = writer.at - lengthAt - 2;
  if (length > 0xffff) throw new RangeError(`${record.type} record data of ${length} octets, over 65535`);
  writer.patch16(lengthAt, length);
}

/** The OPT record (RFC 6891 section 6.1.2): root owner, payload size as class, flags as TTL. */
function writeOpt(edns: Edns, extendedRcode: number): void {
  writer.u8(0, 'OPT owner');
  writer.u16(optTypeCode, 'OPT type');
  writer.u16(edns.payloadSize, 'EDNS payload size');
  writer.u8(extendedRcode, 'extended rcode');
  writer.u8(edns.version, 'EDNS version');
  writer.u16(edns.dnssecOk ? 0x8000 : 0, 'EDNS flags');
  const [, lengthAt] = writer.reserve(2);
  for (const option of edns.options) {
    writer.u16(option.code, 'EDNS option code');
    writer.u16(option.data.length, 'EDNS option length');
    writer.bytes(option.data, 'EDNS option data');
  }
  const length = writer.at - lengthAt - 2;
  if (length > 0xffff) throw new RangeError(`EDNS options of ${length} octets, over 65535`);
  writer.patch16(lengthAt, length);
}

/** The octets the OPT record of `edns` takes (none without EDNS). */
function optSize(edns: Edns | undefined): number {
  if (edns === undefined) return 0;
  let size = 11;
  for (const option of edns.options) size += 4 + option.data.length;
  return size;
}

function questionTypeCode(type: string): number {
  const code = (recordTypeCodes as Record<string, number | undefined>)[type] ?? typeCode(type);
  if (code === undefined) throw new TypeError(`unknown question type ${JSON.stringify(type)}`);
  return code;
}

function count(value: number, what: string): number {
  if (value > 0xffff) throw new RangeError(`${value} ${what}: a section holds at most 65535`);
  return value;
}
