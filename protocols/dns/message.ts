/**
 * A DNS message as data (RFC 1035 section 4): the header's fields, the questions, the three
 * record sections, and EDNS (RFC 6891) lifted out of the additional section. Records are a
 * union on `type`, so `if (record.type === 'MX') record.exchange` type-checks; a type Spindle
 * does not read field by field (`TYPE65`) keeps its data as bytes and round-trips exactly.
 *
 * @module
 */
import type { OpaqueRecordType, QueryType, RecordClass } from './record-types.js';

/**
 * What a question asks: a name, a type and a class.
 *
 * @example
 * ```ts
 * const question: Question = { name: 'example.com', type: 'MX', class: 'IN' };
 * ```
 */
export interface Question {
  /** Presentation form without the final dot; case kept (servers echo it byte for byte). */
  readonly name: string;
  readonly type: QueryType;
  readonly class: RecordClass;
}

/** What every record has besides its data. */
export interface RecordHeader {
  /** The owner name, presentation form without the final dot. */
  readonly name: string;
  readonly class: RecordClass;
  /** Seconds the record may be cached (0 to 2^31-1). */
  readonly ttl: number;
}

/** An IPv4 address (`A`), dotted quad. */
export interface AData {
  readonly type: 'A';
  readonly address: string;
}
/** An IPv6 address (`AAAA`, RFC 3596), in its compressed text form. */
export interface AAAAData {
  readonly type: 'AAAA';
  readonly address: string;
}
/** A name server for the owner (`NS`). */
export interface NSData {
  readonly type: 'NS';
  readonly host: string;
}
/** The canonical name the owner aliases (`CNAME`). */
export interface CNAMEData {
  readonly type: 'CNAME';
  readonly target: string;
}
/** A pointer to another name (`PTR`, reverse lookups). */
export interface PTRData {
  readonly type: 'PTR';
  readonly host: string;
}
/** A mail exchanger (`MX`): lower preference is tried first. */
export interface MXData {
  readonly type: 'MX';
  readonly preference: number;
  readonly exchange: string;
}
/** The start of a zone of authority (`SOA`). */
export interface SOAData {
  readonly type: 'SOA';
  /** The primary name server. */
  readonly mname: string;
  /** The responsible person's mailbox, as a name (`hostmaster.example.com`). */
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  /** The TTL of negative answers (RFC 2308). */
  readonly minimum: number;
}
/** Text (`TXT`): one or more character-strings of up to 255 octets each, kept as bytes. */
export interface TXTData {
  readonly type: 'TXT';
  readonly strings: readonly Uint8Array[];
}
/** A service location (`SRV`, RFC 2782). */
export interface SRVData {
  readonly type: 'SRV';
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}
/** A certification authority authorisation (`CAA`, RFC 8659). */
export interface CAAData {
  readonly type: 'CAA';
  /** Bit 128 is "issuer critical". */
  readonly flags: number;
  /** `issue`, `issuewild`, `iodef` … (ASCII letters and digits). */
  readonly tag: string;
  readonly value: Uint8Array;
}
/** Any other type (RFC 3597): the data as the wire had it. */
export interface OpaqueData {
  readonly type: OpaqueRecordType;
  readonly data: Uint8Array;
}

/** The data of a record, by type. */
export type RecordData =
  | AData
  | AAAAData
  | NSData
  | CNAMEData
  | PTRData
  | MXData
  | SOAData
  | TXTData
  | SRVData
  | CAAData
  | OpaqueData;

/**
 * A resource record: owner, class, TTL and typed data.
 *
 * @example
 * ```ts
 * const mx: ResourceRecord = { name: 'example.com', class: 'IN', ttl: 3600, type: 'MX', preference: 10, exchange: 'mail.example.com' };
 * ```
 */
export type ResourceRecord = RecordHeader & RecordData;

/** The record of one type, narrowed: `RecordOf<'MX'>` has `exchange`. */
export type RecordOf<T extends RecordData['type']> = RecordHeader & Extract<RecordData, { type: T }>;

/** One EDNS option (RFC 6891 section 6.1.2), kept as bytes. */
export interface EdnsOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/**
 * EDNS (RFC 6891), which travels as an OPT pseudo-record in the additional section; the codec
 * lifts it out (and puts it back), and folds its extended RCODE bits into `Message.rcode`.
 *
 * @example
 * ```ts
 * const edns: Edns = { payloadSize: 1232, version: 0, dnssecOk: false, options: [] };
 * ```
 */
export interface Edns {
  /** The largest UDP payload the sender can take (values under 512 count as 512). */
  readonly payloadSize: number;
  readonly version: number;
  /** The DO bit (RFC 3225). */
  readonly dnssecOk: boolean;
  /** The options, in order. */
  readonly options: readonly EdnsOption[];
}

/**
 * A whole message. The header's flags are plain booleans; `rcode` holds the full 12-bit code
 * when EDNS carries the upper bits.
 *
 * @example
 * ```ts
 * const query: Message = {
 *   ...emptyMessage, id: 0x1234, rd: true,
 *   questions: [{ name: 'example.com', type: 'A', class: 'IN' }],
 * };
 * ```
 */
export interface Message {
  readonly id: number;
  /** A response (true) or a query. */
  readonly qr: boolean;
  readonly opcode: number;
  /** Authoritative answer. */
  readonly aa: boolean;
  /** Truncated: the whole answer did not fit (ask again over TCP). */
  readonly tc: boolean;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Recursion available. */
  readonly ra: boolean;
  /** The reserved bit; must be zero, kept so a message round-trips. */
  readonly z: boolean;
  /** Authentic data (RFC 4035). */
  readonly ad: boolean;
  /** Checking disabled (RFC 4035). */
  readonly cd: boolean;
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  /** The additional records, less the OPT record (see `edns`). */
  readonly additionals: readonly ResourceRecord[];
  /** EDNS, when the message carries an OPT record. */
  readonly edns?: Edns;
}

/**
 * A message with every flag clear and every section empty, to spread from.
 *
 * @example
 * ```ts
 * const reply: Message = { ...emptyMessage, id: query.id, qr: true, questions: query.questions };
 * ```
 */
export const emptyMessage: Message = Object.freeze({
  id: 0,
  qr: false,
  opcode: 0,
  aa: false,
  tc: false,
  rd: false,
  ra: false,
  z: false,
  ad: false,
  cd: false,
  rcode: 0,
  questions: [],
  answers: [],
  authorities: [],
  additionals: [],
});
