/**
 * The corpus of malformed DNS messages: each must make `decodeMessage` throw FormatError, with
 * the message's id whenever its first two bytes are there (a server answers FORMERR to it), and
 * nothing else. Driven by malformed-messages.test.ts. Sources: RFC 1035 section 4.1.4
 * (compression), RFC 6891 section 6.1.1 (one OPT, in the additional section, owned by the root),
 * and what BIND's message parser refuses (trailing bytes, record data of the wrong length).
 *
 * @module
 */
import { header, hex16, wire, wireName } from './_wire.js';

/** One malformed message. */
export interface MalformedMessage {
  /** What is wrong, as the test names it. */
  readonly name: string;
  readonly input: Uint8Array;
  /** A fragment the error message must contain. */
  readonly message?: string;
}

const a = '0001';
const txt = '0010';
const mx = '000f';
const inClass = '0001';
const ttl = '00000e10';
/** A question for `dm.test A` (at offset 12 in these messages, 13 bytes long). */
const question = `${wireName('dm.test')} ${a} ${inClass}`;
/** An A record owned by the question's name (a pointer to offset 12). */
const answerA = `c00c ${a} ${inClass} ${ttl} 0004 7f00000c`;
/** A record owned by the question's name, of `type`, with `data` (hex) as its data. */
const answer = (type: string, data: string): string =>
  `c00c ${type} ${inClass} ${ttl} ${hex16(Buffer.from(data.replace(/\s+/g, ''), 'hex').length)} ${data}`;
/** A well-formed OPT record: root owner, payload 1232, no options. */
const opt = '00 0029 04d0 00000000 0000';
/** A label of `size` octets, as hex. */
const label = (size: number): string => `${hex16(size).slice(2)} ${'61'.repeat(size)}`;

/** The corpus. */
export const malformedMessages: readonly MalformedMessage[] = [
  // The header.
  { name: 'an empty datagram', input: wire(''), message: 'truncated' },
  { name: 'a single byte', input: wire('12'), message: 'truncated' },
  { name: 'a header cut after the id', input: wire('1234'), message: 'truncated header' },
  { name: 'a header cut short (11 bytes)', input: wire('1234 0100 0001 0000 0000 00'), message: 'header' },
  // Counts that overrun the message.
  { name: 'qdcount 1 and no question', input: wire(header({ qd: 1 })) },
  { name: 'qdcount 2 and one question', input: wire(header({ qd: 2 }), question) },
  { name: 'qdcount 65535 in a 12-byte message', input: wire(header({ qd: 0xffff })) },
  { name: 'ancount overrun', input: wire(header({ qd: 1, an: 2 }), question, answerA) },
  { name: 'nscount overrun', input: wire(header({ qd: 1, ns: 1 }), question) },
  { name: 'arcount overrun', input: wire(header({ qd: 1, ar: 1 }), question) },
  { name: 'a question cut after its name', input: wire(header({ qd: 1 }), wireName('dm.test')) },
  { name: 'a question cut inside its class', input: wire(header({ qd: 1 }), wireName('dm.test'), '0001 00') },
  {
    name: 'a record cut inside its TTL',
    input: wire(header({ qd: 1, an: 1 }), question, 'c00c 0001 0001 0000'),
  },
  {
    name: 'a record cut inside its data',
    input: wire(header({ qd: 1, an: 1 }), question, `c00c ${a} ${inClass} ${ttl} 0004 7f00`),
    message: 'record data',
  },
  // Labels and names.
  { name: 'a label cut short', input: wire(header({ qd: 1 }), '05 6162'), message: 'truncated label' },
  { name: 'a name without its root', input: wire(header({ qd: 1 }), '02 646d') },
  {
    name: 'a label of 64 octets (its length byte is the reserved type 0x40)',
    input: wire(header({ qd: 1 }), label(64), '00 0001 0001'),
    message: 'reserved label type 0x40',
  },
  {
    name: 'the reserved label type 0x80',
    input: wire(header({ qd: 1 }), '80 00 0001 0001'),
    message: '0x80',
  },
  {
    name: 'a name of 256 octets in place',
    input: wire(header({ qd: 1 }), label(63), label(63), label(63), label(62), '00 0001 0001'),
    message: 'longer than 255',
  },
  {
    name: 'a name of 257 octets through a pointer',
    // The question is 4 × 63-octet labels less one octet (254 octets); the answer adds a label.
    input: wire(
      header({ qd: 1, an: 1 }),
      label(63),
      label(63),
      label(63),
      label(61),
      '00 0001 0001',
      `01 62 c00c ${a} ${inClass} ${ttl} 0004 7f00000c`,
    ),
    message: 'longer than 255',
  },
  // Compression pointers.
  {
    name: 'a pointer to itself',
    input: wire(header({ qd: 1 }), 'c00c 0001 0001'),
    message: 'compression pointer',
  },
  {
    name: 'a pointer to the start of its own name (a loop)',
    input: wire(header({ qd: 1 }), '01 61 c00c 0001 0001'),
    message: 'compression pointer',
  },
  {
    name: 'a pointer into its own name, after its start',
    input: wire(header({ qd: 1 }), '01 61 01 62 c00e 0001 0001'),
    message: 'compression pointer',
  },
  {
    name: 'a forward pointer',
    input: wire(header({ qd: 1, an: 1 }), 'c012 0001 0001', `01 61 00 ${a} ${inClass} ${ttl} 0004 7f00000c`),
    message: 'compression pointer',
  },
  {
    name: 'a pointer past the end of the message',
    input: wire(header({ qd: 1 }), 'c0ff 0001 0001'),
    message: 'compression pointer',
  },
  {
    name: 'a loop of two pointers, each name pointing to the other',
    // The question's name points to the answer's, which points back to the question's.
    input: wire(header({ qd: 1, an: 1 }), 'c012 0001 0001', `c00c ${a} ${inClass} ${ttl} 0004 7f00000c`),
  },
  { name: 'a pointer cut after its first byte', input: wire(header({ qd: 1 }), 'c0') },
  {
    name: 'a pointer chain going backwards then forwards',
    // Question at 12: "a" then a pointer to 19 (the answer's name, after it); the answer's name points back to 12.
    input: wire(
      header({ qd: 1, an: 1 }),
      '01 61 c013 0001 0001',
      `c00c ${a} ${inClass} ${ttl} 0004 7f00000c`,
    ),
  },
  // Record data that a known type does not use exactly.
  {
    name: 'A data of 5 octets',
    input: wire(header({ qd: 1, an: 1 }), question, answer(a, '7f00000c00')),
    message: 'not 4',
  },
  {
    name: 'A data of 3 octets',
    input: wire(header({ qd: 1, an: 1 }), question, answer(a, '7f0000')),
    message: 'not 4',
  },
  {
    name: 'AAAA data of 4 octets',
    input: wire(header({ qd: 1, an: 1 }), question, answer('001c', '7f00000c')),
    message: 'not 16',
  },
  {
    name: 'MX data with a byte after the exchange',
    input: wire(header({ qd: 1, an: 1 }), question, answer(mx, `000a ${wireName('mail')} ff`)),
    message: 'read',
  },
  {
    name: 'MX data shorter than its exchange',
    input: wire(header({ qd: 1, an: 1 }), question, `c00c ${mx} ${inClass} ${ttl} 0004 000a 04 6d61696c 00`),
  },
  {
    name: 'NS data that is only a preference-sized stub',
    input: wire(header({ qd: 1, an: 1 }), question, answer('0002', '000a')),
  },
  {
    name: 'CNAME data with a forward pointer',
    input: wire(header({ qd: 1, an: 1 }), question, answer('0005', 'c0ff')),
    message: 'compression pointer',
  },
  {
    name: 'SOA data missing its minimum',
    input: wire(
      header({ qd: 1, an: 1 }),
      question,
      answer('0006', `c00c c00c 00000001 00000e10 00000384 00093a80`),
    ),
  },
  {
    name: 'a TXT string overrunning its data',
    input: wire(header({ qd: 1, an: 1 }), question, answer(txt, '05 6162')),
  },
  {
    name: 'TXT data of no strings at all',
    input: wire(header({ qd: 1, an: 1 }), question, `c00c ${txt} ${inClass} ${ttl} 0000`),
  },
  {
    name: 'SRV data cut inside its target',
    input: wire(header({ qd: 1, an: 1 }), question, answer('0021', '0001 0002 13c4 03 7369')),
  },
  {
    name: 'a CAA tag that is not letters and digits',
    input: wire(header({ qd: 1, an: 1 }), question, answer('0101', '00 05 69737375 2d 61')),
    message: 'CAA tag',
  },
  {
    name: 'a CAA tag overrunning its data',
    input: wire(header({ qd: 1, an: 1 }), question, answer('0101', '00 09 6973737565')),
  },
  // EDNS.
  {
    name: 'two OPT records',
    input: wire(header({ qd: 1, ar: 2 }), question, opt, opt),
    message: 'second OPT',
  },
  {
    name: 'an OPT record in the answer section',
    input: wire(header({ qd: 1, an: 1 }), question, opt),
    message: 'answer',
  },
  {
    name: 'an OPT record in the authority section',
    input: wire(header({ qd: 1, ns: 1 }), question, opt),
    message: 'authority',
  },
  {
    name: 'an OPT record owned by a name other than the root',
    input: wire(header({ qd: 1, ar: 1 }), question, 'c00c 0029 04d0 00000000 0000'),
    message: 'not the root',
  },
  {
    name: 'an EDNS option overrunning the OPT data',
    input: wire(header({ qd: 1, ar: 1 }), question, '00 0029 04d0 00000000 0006 000a 0008 01020304'),
    message: 'overruns',
  },
  {
    name: 'an EDNS option header cut inside the OPT data',
    input: wire(header({ qd: 1, ar: 1 }), question, '00 0029 04d0 00000000 0003 000a 00'),
  },
  {
    name: 'OPT data overrunning the message',
    input: wire(header({ qd: 1, ar: 1 }), question, '00 0029 04d0 00000000 0010 000a 0000'),
  },
  // What comes after the last section.
  {
    name: 'a byte after the last section',
    input: wire(header({ qd: 1, an: 1 }), question, answerA, '00'),
    message: 'after the last section',
  },
  {
    name: 'garbage after a header with no records',
    input: wire(header({}), 'deadbeef'),
    message: 'after the last section',
  },
  {
    name: 'a whole second message after the first',
    input: wire(header({ qd: 1 }), question, header({ qd: 1 }), question),
    message: 'after the last section',
  },
];
