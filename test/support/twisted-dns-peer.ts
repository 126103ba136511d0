/**
 * Starts Twisted Names (Debian's `twistd3 dns`) as an authoritative DNS peer on a free loopback
 * port, UDP and TCP, serving one zone from a generated `--pyzone` file; it waits until the server
 * answers, and stops it by its PID. (`--bindzone` crashes on Debian's Python, hence the pyzone.)
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersDns } from './answers-dns.js';
import { type PeerProcess, startPeer } from './peer-process.js';
import { twistdCommand, twistdHint } from './twistd.js';

/** A record of the zone, its name absolute without the final dot (`www.example.test`). */
export type TwistedRecord =
  | { readonly type: 'A' | 'AAAA'; readonly name: string; readonly address: string }
  | { readonly type: 'CNAME' | 'NS'; readonly name: string; readonly target: string }
  | { readonly type: 'MX'; readonly name: string; readonly preference: number; readonly exchange: string }
  | { readonly type: 'TXT'; readonly name: string; readonly strings: readonly string[] };

/** The zone Twisted serves: an SOA at `origin` (made up), then `records`, all with one TTL. */
export interface TwistedZone {
  readonly origin: string;
  readonly records: readonly TwistedRecord[];
  /** Default 300 seconds. */
  readonly ttl?: number;
}

/** A running `twistd3 dns`. */
export type TwistedDns = PeerProcess;

/** A Python str literal (JSON's string syntax is Python's for what JSON.stringify writes). */
const str = (text: string) => JSON.stringify(text);

/** A Python bytes literal of `text`'s UTF-8, every byte escaped: Twisted wants TXT data as bytes. */
const bytes = (text: string) =>
  `b'${[...Buffer.from(text)].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('')}'`;

function pythonRecord(record: TwistedRecord, ttl: number): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return `${record.type}(${str(record.name)}, ${str(record.address)}, ttl=${ttl})`;
    case 'CNAME':
    case 'NS':
      return `${record.type}(${str(record.name)}, ${str(record.target)}, ttl=${ttl})`;
    case 'MX':
      return `MX(${str(record.name)}, ${record.preference}, ${str(record.exchange)}, ttl=${ttl})`;
    case 'TXT':
      return `TXT(${str(record.name)}, ${record.strings.map(bytes).join(', ')}, ttl=${ttl})`;
  }
}

/**
 * The `--pyzone` source for `zone`: a `zone` list of Twisted's record constructors, SOA first.
 *
 * @example
 * ```ts
 * pyzone({ origin: 'example.test', records: [{ type: 'A', name: 'www.example.test', address: '127.0.0.10' }] });
 * ```
 */
export function pyzone(zone: TwistedZone): string {
  const ttl = zone.ttl ?? 300;
  const soa =
    `SOA(${str(zone.origin)}, mname=${str(`ns1.${zone.origin}`)}, rname=${str(`hostmaster.${zone.origin}`)}, ` +
    `serial=1, refresh=3600, retry=600, expire=86400, minimum=${ttl}, ttl=${ttl})`;
  const lines = [soa, ...zone.records.map((record) => pythonRecord(record, ttl))];
  return `zone = [\n${lines.map((line) => `    ${line},\n`).join('')}]\n`;
}

/**
 * Runs `twistd3 -n --pidfile= -l - dns -i 127.0.0.1 -p PORT --pyzone ZONE.py` for `zone` and
 * resolves once it answers a query (within 20 seconds, or it is stopped and the promise rejects
 * with what it printed). Twisted answers a name it has no records for with NXDOMAIN, in its zone
 * or not.
 *
 * @example
 * ```ts
 * const twisted = await startTwistedDns({ origin: 'example.test', records: [...] });
 * try { await dig(twisted.port, ['www.example.test', 'A']); } finally { await twisted.stop(); }
 * ```
 */
export async function startTwistedDns(zone: TwistedZone): Promise<TwistedDns> {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-twisted-dns-'));
  const file = join(folder, 'zone.py');
  writeFileSync(file, pyzone(zone));
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  try {
    const peer = await startPeer({
      name: 'twistd3 dns',
      hint: twistdHint,
      command: (port) => twistdCommand('dns', '-i', '127.0.0.1', '-p', String(port), '--pyzone', file),
      answers: (port) => answersDns(port, zone.origin),
    });
    return { ...peer, stop: () => peer.stop().finally(removeFolder) };
  } catch (error) {
    removeFolder();
    throw error;
  }
}
