/**
 * Builds DNS wire bytes for the tests from readable parts: hex with spaces, names as labels.
 *
 * @module
 */

/** The bytes of hex parts (spaces ignored) and byte arrays, joined. */
export function wire(...parts: (string | Uint8Array)[]): Uint8Array {
  return Uint8Array.from(
    Buffer.concat(
      parts.map((part) => (typeof part === 'string' ? Buffer.from(part.replace(/\s+/g, ''), 'hex') : part)),
    ),
  );
}

/** The hex of `name` written label by label, uncompressed, with the root's zero (`'a.b'` → `01 61 01 62 00`). */
export function wireName(name: string): string {
  const labels = name === '' ? [] : name.split('.');
  return `${labels.map((label) => `${hex8(label.length)} ${Buffer.from(label, 'latin1').toString('hex')}`).join(' ')} 00`;
}

/** The header's hex: id, flags and the four counts. */
export function header(counts: {
  id?: number;
  flags?: number;
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}): string {
  const { id = 0x1234, flags = 0, qd = 0, an = 0, ns = 0, ar = 0 } = counts;
  return [id, flags, qd, an, ns, ar].map(hex16).join(' ');
}

/** A big-endian 16-bit field's hex. */
export function hex16(value: number): string {
  return value.toString(16).padStart(4, '0');
}

/** One byte's hex. */
export function hex8(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/**
 * Messages captured from dig (9.18) asking dnsmasq (2.90) on 127.0.0.1, as hex: a dig query
 * (RD, AD, EDNS with a cookie) and dnsmasq's answer for each.
 */
export const captured = {
  /** `dig dm.test A`, answered 127.0.0.12 with TTL 0. */
  aQuery: 'f6af0120000100000000000102646d0474657374000001000100002904d000000000000c000a0008f68c6cb3fa32fcb6',
  aResponse:
    'f6af8580000100010000000102646d04746573740000010001c00c000100010000000000047f00000c00002904d0000000000000',
  /** `dig WWW.Dm.Test A`: the case comes back as asked. */
  mixedCaseResponse:
    '496c858000010001000000010357575702446d04546573740000010001c00c000100010000000000047f00000c00002904d0000000000000',
  /** `dig dm.test MX`: dnsmasq writes the exchange uncompressed. */
  mxResponse:
    '288e8580000100010000000102646d047465737400000f0001c00c000f0001000000000010000a046d61696c02646d04746573740000002904d0000000000000',
  /** `dig t.dm.test TXT`: two strings. */
  txtResponse:
    'bb3c85800001000100000001017402646d04746573740000100001c00c0010000100000000000c0568656c6c6f05776f726c6400002904d0000000000000',
  /** `dig _sip._udp.dm.test SRV`. */
  srvResponse:
    '686f85800001000100000001045f736970045f75647002646d04746573740000210001c00c002100010000000000130001000213c40373697002646d04746573740000002904d0000000000000',
  /** `dig nope.example A`: REFUSED, with an extended DNS error (option 15, "Not Ready"). */
  refusedResponse:
    'f64c81850001000000000001046e6f7065076578616d706c65000001000100002904d0000000000006000f0002000e',
} as const;
