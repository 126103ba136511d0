/**
 * The data of each record type, read and written field by field: A, AAAA, NS, CNAME, PTR, MX,
 * SOA, TXT, SRV and CAA; any other type as opaque bytes (RFC 3597). Names inside NS, CNAME,
 * SOA, PTR and MX data are compressed on write; SRV's target is not (RFC 2782, RFC 3597
 * section 4) but a compressed one is still read.
 *
 * @module
 */
import { readIpv4, readIpv6, writeIpv4, writeIpv6 } from './_ip-address.js';
import type { WireReader } from './_wire-reader.js';
import type { WireWriter } from './_wire-writer.js';
import type { OpaqueData, ResourceRecord } from './message.js';
import { classCode, classCodes, type RecordClass, recordTypeCodes, typeCode } from './record-types.js';

const optTypeCode = 41;

/**
 * Reads the data of a record of type `type` (`length` octets at the reader's offset) and returns
 * the whole record. The data must be consumed exactly.
 */
export function readRecord(
  reader: WireReader,
  name: string,
  type: number,
  klass: RecordClass,
  ttl: number,
  length: number,
): ResourceRecord {
  reader.need(length, 'record data');
  const start = reader.at;
  const end = start + length;
  const outer = reader.end;
  reader.end = end;
  let record: ResourceRecord;
  if (length === 0 && (klass === 'ANY' || klass === 'NONE')) {
    // RFC 2136: an update's prerequisites and deletions carry empty data for any type.
    record = opaque(name, type, klass, ttl, new Uint8Array(0));
  } else {
    switch (type) {
      case recordTypeCodes.A:
        if (length !== 4) reader.fail(`A record data of ${length} octets, not 4, at offset ${start}`);
        record = { name, type: 'A', class: klass, ttl, address: readIpv4(reader.bytes, start) };
        reader.at = end;
        break;
      case recordTypeCodes.AAAA:
        if (length !== 16) reader.fail(`AAAA record data of ${length} octets, not 16, at offset ${start}`);
        record = { name, type: 'AAAA', class: klass, ttl, address: readIpv6(reader.bytes, start) };
        reader.at = end;
        break;
      case recordTypeCodes.NS:
        record = { name, type: 'NS', class: klass, ttl, host: reader.name('NS host') };
        break;
      case recordTypeCodes.CNAME:
        record = { name, type: 'CNAME', class: klass, ttl, target: reader.name('CNAME target') };
        break;
      case recordTypeCodes.PTR:
        record = { name, type: 'PTR', class: klass, ttl, host: reader.name('PTR host') };
        break;
      case recordTypeCodes.MX:
        record = {
          name,
          type: 'MX',
          class: klass,
          ttl,
          preference: reader.u16('MX preference'),
          exchange: reader.name('MX exchange'),
        };
        break;
      case recordTypeCodes.SOA:
        record = {
          name,
          type: 'SOA',
          class: klass,
          ttl,
          mname: reader.name('SOA mname'),
          rname: reader.name('SOA rname'),
          serial: reader.u32('SOA serial'),
          refresh: reader.u32('SOA refresh'),
          retry: reader.u32('SOA retry'),
          expire: reader.u32('SOA expire'),
          minimum: reader.u32('SOA minimum'),
        };
        break;
      case recordTypeCodes.TXT: {
        const strings: Uint8Array[] = [];
        do {
          strings.push(reader.take(reader.u8('TXT string length'), 'TXT string'));
        } while (reader.at < end);
        record = { name, type: 'TXT', class: klass, ttl, strings };
        break;
      }
      case recordTypeCodes.SRV:
        record = {
          name,
          type: 'SRV',
          class: klass,
          ttl,
          priority: reader.u16('SRV priority'),
          weight: reader.u16('SRV weight'),
          port: reader.u16('SRV port'),
          target: reader.name('SRV target'),
        };
        break;
      case recordTypeCodes.CAA: {
        const flags = reader.u8('CAA flags');
        const tagLength = reader.u8('CAA tag length');
        reader.need(tagLength, 'CAA tag');
        const tag = reader.bytes.latin1Slice(reader.at, reader.at + tagLength);
        if (!caaTag.test(tag)) reader.fail(`CAA tag ${JSON.stringify(tag)} is not letters and digits`);
        reader.at += tagLength;
        record = {
          name,
          type: 'CAA',
          class: klass,
          ttl,
          flags,
          tag,
          value: reader.take(end - reader.at, 'CAA value'),
        };
        break;
      }
      default:
        record = opaque(name, type, klass, ttl, reader.take(length, 'record data'));
    }
  }
  if (reader.at !== end) {
    reader.fail(
      `${record.type} record data of ${length} octets at offset ${start}, ${reader.at - start} read`,
    );
  }
  reader.end = outer;
  return record;
}

/** CAA's tag: one or more ASCII letters and digits (RFC 8659 section 4.1). */
const caaTag = /^[A-Za-z0-9]+$/;

function opaque(
  name: string,
  type: number,
  klass: RecordClass,
  ttl: number,
  data: Uint8Array,
): ResourceRecord {
  const record: OpaqueData & { name: string; class: RecordClass; ttl: number } = {
    name,
    type: `TYPE${type}`,
    class: klass,
    ttl,
    data,
  };
  return record;
}

/**
 * The type code of `record`, by mnemonic or RFC 3597's `TYPE123`.
 *
 * @throws TypeError for a type it does not know, RangeError for OPT (EDNS goes in `Message.edns`).
 */
export function recordTypeCode(type: string): number {
  const known = (recordTypeCodes as Record<string, number | undefined>)[type];
  if (known !== undefined) return known;
  const code = type.startsWith('TYPE') ? typeCode(type) : undefined;
  if (code === undefined) throw new TypeError(`unknown record type ${JSON.stringify(type)}`);
  if (code === optTypeCode) throw new RangeError('an OPT record goes in the message as `edns`');
  return code;
}

/**
 * The code of a class mnemonic or `CLASS123`.
 *
 * @throws TypeError for a class it does not know.
 */
export function recordClassCode(klass: string): number {
  const code = (classCodes as Record<string, number | undefined>)[klass] ?? classCode(klass);
  if (code === undefined) throw new TypeError(`unknown class ${JSON.stringify(klass)}`);
  return code;
}

/**
 * Writes the data of `record` (not its length).
 *
 * @throws TypeError, RangeError or InvalidNameError for a field that cannot be written.
 */
export function writeRecordData(writer: WireWriter, record: ResourceRecord): void {
  switch (record.type) {
    case 'A': {
      const [bytes, at] = writer.reserve(4);
      writeIpv4(record.address, bytes, at);
      break;
    }
    case 'AAAA': {
      const [bytes, at] = writer.reserve(16);
      writeIpv6(record.address, bytes, at);
      break;
    }
    case 'NS':
    case 'PTR':
      writer.name(record.host, true);
      break;
    case 'CNAME':
      writer.name(record.target, true);
      break;
    case 'MX':
      writer.u16(record.preference, 'MX preference');
      writer.name(record.exchange, true);
      break;
    case 'SOA':
      writer.name(record.mname, true);
      writer.name(record.rname, true);
      writer.u32(record.serial, 'SOA serial');
      writer.u32(record.refresh, 'SOA refresh');
      writer.u32(record.retry, 'SOA retry');
      writer.u32(record.expire, 'SOA expire');
      writer.u32(record.minimum, 'SOA minimum');
      break;
    case 'TXT':
      if (record.strings.length === 0) throw new RangeError('a TXT record holds at least one string');
      for (const text of record.strings) {
        if (!(text instanceof Uint8Array)) throw new TypeError('a TXT string must be a Uint8Array');
        writer.u8(text.length, 'TXT string length');
        writer.bytes(text, 'TXT string');
      }
      break;
    case 'SRV':
      writer.u16(record.priority, 'SRV priority');
      writer.u16(record.weight, 'SRV weight');
      writer.u16(record.port, 'SRV port');
      writer.name(record.target, false);
      break;
    case 'CAA':
      writer.u8(record.flags, 'CAA flags');
      if (typeof record.tag !== 'string' || !caaTag.test(record.tag)) {
        throw new TypeError(`CAA tag ${JSON.stringify(record.tag)} is not letters and digits`);
      }
      writer.u8(record.tag.length, 'CAA tag length');
      writer.ascii(record.tag);
      writer.bytes(record.value, 'CAA value');
      break;
    default:
      writer.bytes(record.data, `${record.type} data`);
  }
}
