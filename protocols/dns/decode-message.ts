/**
 * `decodeMessage`: the bytes of a DNS message (RFC 1035 section 4) into a `Message`, strictly:
 * anything malformed is a `FormatError`, which a server answers with FORMERR.
 *
 * @module
 */
import { readRecord } from './_record-data-codec.js';
import { WireReader } from './_wire-reader.js';
import type { Edns, EdnsOption, Message, Question, ResourceRecord } from './message.js';
import { className, typeName } from './record-types.js';

const optTypeCode = 41;
/** RFC 2181 section 8: a TTL with the top bit set is read as zero. */
const maxTtl = 0x7fffffff;

/**
 * Reads one DNS message. Names keep their case as the wire has it (a server echoes the question
 * byte for byte) and come out in presentation form without the final dot; compression pointers
 * are followed anywhere a name may stand, each one strictly backwards. A and AAAA addresses
 * come out as text (AAAA compressed as Node's `net` prints it), TXT strings and any type it
 * does not read field by field (`TYPE65`) as bytes, copied out of `bytes`. An OPT record in the
 * additional section becomes `edns`, its extended RCODE bits folded into `rcode` (the OPT
 * flags other than DO, which must be zero, are not kept). A TTL with its top bit set reads as 0
 * (RFC 2181 section 8). Empty data of any type in class ANY or NONE (RFC 2136's updates) reads
 * as opaque (`TYPE1`).
 *
 * It is strict where BIND is: a pointer loop or forward pointer, a reserved label type, a label
 * over 63 octets or a name over 255, counts that overrun the message, record data a known type
 * does not use exactly, more than one OPT (or one outside the additional section, or owned by
 * another name than the root), and bytes after the last section are all FormatErrors, carrying
 * the message's id once its first two bytes are read. Nothing else is thrown, whatever the input.
 *
 * ```text
 * decodeMessage([12 34 01 00 00 01 00 00 00 00 00 00 03 w w w 00 00 01 00 01])
 *   → { id: 0x1234, rd: true, questions: [{ name: 'www', type: 'A', class: 'IN' }], … }
 * ```
 *
 * @throws FormatError for any malformed message.
 * @see encodeMessage, for the other direction.
 * @example
 * ```ts
 * import { decodeMessage, FormatError } from 'spindle/protocols/dns';
 *
 * try {
 *   const query = decodeMessage(datagram);
 *   console.log(query.questions[0]?.name);
 * } catch (error) {
 *   if (error instanceof FormatError && error.id !== undefined) replyFormErr(error.id);
 * }
 * ```
 */
export function decodeMessage(bytes: Uint8Array): Message {
  const reader = new WireReader(bytes);
  reader.id = reader.u16('header');
  const flags = reader.u16('header');
  const questionCount = reader.u16('header');
  const answerCount = reader.u16('header');
  const authorityCount = reader.u16('header');
  const additionalCount = reader.u16('header');
  const questions: Question[] = [];
  for (let n = 0; n < questionCount; n++) {
    const name = reader.name('question name');
    const type = typeName(reader.u16('question type'));
    questions.push({ name, type, class: className(reader.u16('question class')) });
  }
  const answers = records(reader, answerCount, 'answer');
  const authorities = records(reader, authorityCount, 'authority');
  const additionals: ResourceRecord[] = [];
  let edns: Edns | undefined;
  let extendedRcode = 0;
  for (let n = 0; n < additionalCount; n++) {
    const recordStart = reader.at;
    const name = reader.name('owner name');
    const type = reader.u16('record type');
    if (type !== optTypeCode) {
      additionals.push(record(reader, name, type));
      continue;
    }
    if (edns !== undefined) reader.fail(`a second OPT record at offset ${recordStart}`);
    if (name !== '') reader.fail(`an OPT record owned by ${JSON.stringify(name)}, not the root`);
    const payloadSize = reader.u16('OPT payload size');
    const ttl = reader.u32('OPT flags');
    const length = reader.u16('OPT length');
    reader.need(length, 'OPT data');
    const end = reader.at + length;
    const options: EdnsOption[] = [];
    while (reader.at < end) {
      const code = reader.u16('EDNS option code');
      const size = reader.u16('EDNS option length');
      if (reader.at + size > end)
        reader.fail(`EDNS option ${code} overruns the OPT data at offset ${reader.at}`);
      options.push({ code, data: reader.take(size, 'EDNS option') });
    }
    if (reader.at !== end) reader.fail(`EDNS option header overruns the OPT data at offset ${reader.at}`);
    extendedRcode = ttl >>> 24;
    edns = { payloadSize, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0, options };
  }
  if (reader.at !== reader.end) {
    const extra = reader.end - reader.at;
    reader.fail(`${extra} byte${extra === 1 ? '' : 's'} after the last section, at offset ${reader.at}`);
  }
  const message: { -readonly [K in keyof Message]: Message[K] } = {
    id: reader.id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: (extendedRcode << 4) | (flags & 0xf),
    questions,
    answers,
    authorities,
    additionals,
  };
  if (edns !== undefined) message.edns = edns;
  return message;
}

/** Reads `count` records of a section other than the additional one (where OPT may stand). */
function records(reader: WireReader, count: number, section: string): ResourceRecord[] {
  const read: ResourceRecord[] = [];
  for (let n = 0; n < count; n++) {
    const at = reader.at;
    const name = reader.name('owner name');
    const type = reader.u16('record type');
    if (type === optTypeCode) reader.fail(`an OPT record in the ${section} section at offset ${at}`);
    read.push(record(reader, name, type));
  }
  return read;
}

/** The rest of a record, after its owner name and type. */
function record(reader: WireReader, name: string, type: number): ResourceRecord {
  const klass = className(reader.u16('record class'));
  const ttl = reader.u32('record TTL');
  const length = reader.u16('record length');
  return readRecord(reader, name, type, klass, ttl > maxTtl ? 0 : ttl, length);
}
