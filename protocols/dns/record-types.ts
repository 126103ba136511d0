/**
 * The numbers of DNS: record types and classes by mnemonic (RFC 1035, 3596, 2782, 6844, 6891),
 * with RFC 3597's `TYPE123` / `CLASS123` for those without one; response codes and opcodes.
 *
 * @module
 */

/** The record types whose data Spindle reads and writes field by field. */
export const recordTypeCodes = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  CAA: 257,
} as const;

/** A record type Spindle reads field by field: `'A'`, `'MX'` … */
export type KnownRecordType = keyof typeof recordTypeCodes;

/** Any other record type, in RFC 3597's form: `'TYPE65'`. Its data is kept as opaque bytes. */
export type OpaqueRecordType = `TYPE${number}`;

/** Types only a question (or the EDNS pseudo-record) carries. */
export const queryOnlyTypeCodes = { OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const;

/** What a question may ask for: a record type, `ANY`, a zone transfer, or `TYPE123`. */
export type QueryType = KnownRecordType | keyof typeof queryOnlyTypeCodes | OpaqueRecordType;

/** Record classes by mnemonic. */
export const classCodes = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

/** A record class: `'IN'` (nearly always), `'CH'`, `'HS'`, `'ANY'`, or `'CLASS123'`. */
export type RecordClass = keyof typeof classCodes | `CLASS${number}`;

const typeNames = new Map<number, QueryType>(
  Object.entries({ ...recordTypeCodes, ...queryOnlyTypeCodes }).map(([name, code]) => [
    code,
    name as QueryType,
  ]),
);
const classNames = new Map<number, RecordClass>(
  Object.entries(classCodes).map(([name, code]) => [code, name as RecordClass]),
);

/**
 * The code of a type mnemonic or of `TYPE123`; undefined for a name it does not know.
 *
 * @example
 * ```ts
 * typeCode('MX'); // 15
 * typeCode('TYPE65'); // 65
 * ```
 */
export function typeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known =
    (recordTypeCodes as Record<string, number>)[upper] ??
    (queryOnlyTypeCodes as Record<string, number>)[upper];
  if (known !== undefined) return known;
  return genericCode(upper, 'TYPE');
}

/**
 * The mnemonic of a type code, or `TYPE123`.
 *
 * @example
 * ```ts
 * typeName(28); // 'AAAA'
 * typeName(65); // 'TYPE65'
 * ```
 */
export function typeName(code: number): QueryType {
  return typeNames.get(code) ?? `TYPE${code}`;
}

/**
 * The code of a class mnemonic or of `CLASS123`; undefined for a name it does not know.
 *
 * @example
 * ```ts
 * classCode('IN'); // 1
 * ```
 */
export function classCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  return (classCodes as Record<string, number>)[upper] ?? genericCode(upper, 'CLASS');
}

/**
 * The mnemonic of a class code, or `CLASS123`.
 *
 * @example
 * ```ts
 * className(3); // 'CH'
 * ```
 */
export function className(code: number): RecordClass {
  return classNames.get(code) ?? `CLASS${code}`;
}

/** RFC 3597's `TYPE123`/`CLASS123`: the number, if it fits 16 bits. */
function genericCode(upper: string, prefix: string): number | undefined {
  if (!upper.startsWith(prefix)) return undefined;
  const digits = upper.slice(prefix.length);
  if (!/^\d{1,5}$/.test(digits)) return undefined;
  const code = Number(digits);
  return code <= 0xffff ? code : undefined;
}

/**
 * Response codes (RCODE), including EDNS's extended ones (RFC 6891: 12 bits in all).
 *
 * @example
 * ```ts
 * if (response.rcode === Rcode.NXDOMAIN) console.log('no such name');
 * ```
 */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
} as const;

/**
 * The name of a response code as dig prints it (`NXDOMAIN`), or `RCODE23`.
 *
 * @example
 * ```ts
 * rcodeName(3); // 'NXDOMAIN'
 * ```
 */
export function rcodeName(rcode: number): string {
  const entry = Object.entries(Rcode).find(([, code]) => code === rcode);
  return entry?.[0] ?? `RCODE${rcode}`;
}

/**
 * Opcodes (RFC 1035, 1996, 2136).
 *
 * @example
 * ```ts
 * const query = { ...message, opcode: Opcode.QUERY };
 * ```
 */
export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;
