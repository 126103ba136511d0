/**
 * `spindle/protocols/dns`: DNS (RFC 1035 and its successors). The message model (`Message`,
 * records as a union on `type`, EDNS lifted out), domain names in one spelling, the errors, and
 * the sans-I/O wire codec: `decodeMessage` (strict: anything malformed is a `FormatError`, which
 * a server answers with FORMERR) and `encodeMessage` (names compressed, cut to a size limit by
 * RFC 2181's rules), with `dnsTcpFrames` and `encodeTcpFrame` for DNS over TCP and TLS.
 *
 * @example
 * ```ts
 * import { decodeMessage, encodeMessage } from 'spindle/protocols/dns';
 *
 * const query = decodeMessage(datagram);
 * const reply = encodeMessage(
 *   { ...query, qr: true, ra: true, answers: [{ name: query.questions[0]!.name, type: 'A', class: 'IN', ttl: 60, address: '192.0.2.1' }] },
 *   { maxSize: 512 },
 * );
 * ```
 * @module
 */

export {
  Authority,
  type AuthorityAnswer,
  type AuthorityOptions,
  type NoDataAnswer,
  type NotAuthoritative,
  type NxDomainAnswer,
  type PositiveAnswer,
  type ReferralAnswer,
} from './authority.js';
export { decodeMessage } from './decode-message.js';
export { DomainError, FormatError, InvalidNameError, ServerError } from './dns-error.js';
export { dnsMessageType, dohHandler } from './doh-handler.js';
export {
  canonicalName,
  isInDomain,
  labelText,
  maxLabelLength,
  maxNameLength,
  nameFromLabels,
  nameKey,
  nameLabels,
  namesEqual,
  parentName,
} from './domain-name.js';
export { type EncodeMessageOptions, encodeMessage } from './encode-message.js';
export type { Forwarder } from './forwarder.js';
export { type DnsListener, listenDns } from './listen-dns.js';
export {
  type AAAAData,
  type AData,
  type CAAData,
  type CNAMEData,
  type Edns,
  type EdnsOption,
  emptyMessage,
  type Message,
  type MXData,
  type NSData,
  type OpaqueData,
  type PTRData,
  type Question,
  type RecordData,
  type RecordHeader,
  type RecordOf,
  type ResourceRecord,
  type SOAData,
  type SRVData,
  type TXTData,
} from './message.js';
export {
  type DataToken,
  formatName,
  formatQuestion,
  formatRecord,
  formatRecordData,
  nameFromText,
  parseRecordData,
} from './record-text.js';
export {
  classCode,
  classCodes,
  className,
  type KnownRecordType,
  type OpaqueRecordType,
  Opcode,
  type QueryType,
  queryOnlyTypeCodes,
  Rcode,
  type RecordClass,
  rcodeName,
  recordTypeCodes,
  typeCode,
  typeName,
} from './record-types.js';
export { Resolver, type ResolverOptions } from './resolver.js';
export { ResolverCache, type ResolverCacheOptions } from './resolver-cache.js';
export { type RateLimitOptions, type RateVerdict, ResponseRateLimiter } from './response-rate-limiter.js';
export { type DnsServer, type DnsServerOptions, defaultPayloadSize, dnsServer } from './server.js';
export { parseServerAddress } from './server-address.js';
export type { DnsServerStats } from './server-stats.js';
export { dnsTcpFrames, dnsTcpFramesAsync, encodeTcpFrame } from './tcp-framing.js';
export { Zone, type ZoneMatch } from './zone.js';
export { RecordSyntaxError, ZoneError, ZoneFileError } from './zone-error.js';
export {
  type LoadZoneFileOptions,
  loadZoneFile,
  parseZoneFile,
  type ZoneFileData,
  type ZoneFileOptions,
} from './zone-file.js';
