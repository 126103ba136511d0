/**
 * IP addresses between their text and their bytes, for A and AAAA records: IPv4 as a dotted
 * quad (no leading zeros, which some parsers read as octal), IPv6 as RFC 4291 text in, and out in
 * the compressed form Node's `net` (libuv's `inet_ntop`) prints, IPv4-mapped tail included.
 *
 * @module
 */

/**
 * Writes the IPv4 address `text` into `into` at `at`.
 *
 * @throws TypeError when `text` is not a dotted quad of decimal octets.
 */
export function writeIpv4(text: string, into: Uint8Array, at: number): void {
  if (!parseIpv4(text, 0, text.length, into, at)) {
    throw new TypeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  }
}

/** The dotted quad of the 4 bytes at `at`. */
export function readIpv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/**
 * Writes the IPv6 address `text` into `into` at `at` (16 bytes).
 *
 * @throws TypeError when `text` is not an IPv6 address (a zone index like `%eth0` is not one).
 */
export function writeIpv6(text: string, into: Uint8Array, at: number): void {
  if (!parseIpv6(text, into, at)) throw new TypeError(`not an IPv6 address: ${JSON.stringify(text)}`);
}

/**
 * The text of the 16 bytes at `at`, as Node's `net` prints it: lowercase hex without leading
 * zeros, the first longest run of two or more zero groups as `::`, and `::a.b.c.d` or
 * `::ffff:a.b.c.d` for IPv4-compatible and IPv4-mapped addresses.
 */
export function readIpv6(bytes: Uint8Array, at: number): string {
  let bestStart = -1;
  let bestLength = 0;
  let runStart = -1;
  for (let group = 0; group < 8; group++) {
    const zero = bytes[at + group * 2] === 0 && bytes[at + group * 2 + 1] === 0;
    if (!zero) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = group;
    if (group - runStart + 1 > bestLength) {
      bestStart = runStart;
      bestLength = group - runStart + 1;
    }
  }
  if (bestLength < 2) bestStart = -1;
  if (
    bestStart === 0 &&
    (bestLength === 6 || (bestLength === 5 && bytes[at + 10] === 0xff && bytes[at + 11] === 0xff))
  ) {
    return `::${bestLength === 5 ? 'ffff:' : ''}${readIpv4(bytes, at + 12)}`;
  }
  let text = '';
  for (let group = 0; group < 8; group++) {
    if (group === bestStart) {
      text += '::';
      group += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += (((bytes[at + group * 2] as number) << 8) | (bytes[at + group * 2 + 1] as number)).toString(16);
  }
  return text;
}

/**
 * `address` as Node's sockets write it (the form a datagram's sender comes in): IPv6 compressed
 * and lower-cased (`0:0::1` → `::1`), a zone index (`%eth0`) kept; IPv4 and anything that is not
 * an IPv6 address unchanged.
 *
 * @example
 * ```ts
 * ipText('FE80:0:0:0:0:0:0:1%eth0'); // 'fe80::1%eth0'
 * ```
 */
export function ipText(address: string): string {
  const [bare = address, zone] = address.split('%', 2);
  const bytes = new Uint8Array(16);
  if (!parseIpv6(bare, bytes, 0)) return address;
  const text = readIpv6(bytes, 0);
  return zone === undefined ? text : `${text}%${zone}`;
}

/** Parses the dotted quad in `text[from, to)` into `into` at `at`; false when it is not one. */
function parseIpv4(text: string, from: number, to: number, into: Uint8Array, at: number): boolean {
  let octets = 0;
  let value = -1;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const code = i < to ? text.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || octets === 4) return false;
      into[at + octets++] = value;
      value = -1;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      if (value === 0) return false; // a leading zero
      value = value < 0 ? code - 0x30 : value * 10 + code - 0x30;
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return octets === 4;
}

/** Parses IPv6 text into 16 bytes at `at`; false when it is not an address. */
function parseIpv6(text: string, into: Uint8Array, at: number): boolean {
  const groups: number[] = [];
  let gap = -1; // the group index where `::` stands
  let i = 0;
  const end = text.length;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
    if (end === 2) return fill(groups, gap, into, at);
  } else if (text.startsWith(':')) {
    return false;
  }
  while (i < end) {
    let value = 0;
    let digits = 0;
    const start = i;
    for (; i < end; i++) {
      const nibble = hexValue(text.charCodeAt(i));
      if (nibble < 0) break;
      value = value * 16 + nibble;
      digits++;
    }
    if (i < end && text.charCodeAt(i) === 0x2e) {
      // An IPv4 tail: the last 32 bits.
      if (groups.length > 6 || !parseIpv4(text, start, end, into, at + 12)) return false;
      groups.push(((into[at + 12] as number) << 8) | (into[at + 13] as number));
      groups.push(((into[at + 14] as number) << 8) | (into[at + 15] as number));
      return fill(groups, gap, into, at);
    }
    if (digits === 0 || digits > 4 || groups.length === 8) return false;
    groups.push(value);
    if (i === end) break;
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = groups.length;
      i++;
    } else if (i === end) {
      return false; // a single trailing colon
    }
  }
  return fill(groups, gap, into, at);
}

/** Writes `groups`, with zeros at `gap` (when there is one) to make eight. */
function fill(groups: readonly number[], gap: number, into: Uint8Array, at: number): boolean {
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return false;
  const zeros = 8 - groups.length;
  let out = at;
  for (let g = 0; g <= groups.length; g++) {
    if (g === gap) {
      into.fill(0, out, out + zeros * 2);
      out += zeros * 2;
    }
    if (g === groups.length) break;
    const value = groups[g] as number;
    into[out++] = value >> 8;
    into[out++] = value & 0xff;
  }
  return true;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
