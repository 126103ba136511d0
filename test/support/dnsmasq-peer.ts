/**
 * Starts dnsmasq (Debian's `dnsmasq`) as an authoritative-only DNS peer on a free loopback port,
 * UDP and TCP, serving only the records it is given (no upstream, no /etc/hosts, no config file);
 * it waits until dnsmasq answers, and stops it by its PID.
 *
 * @module
 */
import { answersDns } from './answers-dns.js';
import { type PeerProcess, startPeer } from './peer-process.js';

/** The records dnsmasq serves; each becomes one of its options. */
export interface DnsmasqRecords {
  /** `--address=/NAME/IP`: NAME and every name under it resolve to IP (A, or AAAA for IPv6). */
  readonly addresses?: readonly { readonly name: string; readonly ip: string }[];
  /** `--host-record=NAME,…,IP,…`: A/AAAA records for each name, and the PTR records. */
  readonly hostRecords?: readonly { readonly names: readonly string[]; readonly ips: readonly string[] }[];
  /** `--txt-record=NAME,TEXT,…`: one TXT record of these strings (no commas in them). */
  readonly txtRecords?: readonly { readonly name: string; readonly strings: readonly string[] }[];
  /** `--mx-host=NAME,EXCHANGE,PREFERENCE`. */
  readonly mxHosts?: readonly {
    readonly name: string;
    readonly exchange: string;
    readonly preference: number;
  }[];
  /** `--local=/NAME/`: a name under NAME that dnsmasq was not given is NXDOMAIN (not REFUSED). */
  readonly locals?: readonly string[];
}

/** A running dnsmasq. */
export type Dnsmasq = PeerProcess;

/** The dnsmasq options for `records`. */
export function dnsmasqRecordOptions(records: DnsmasqRecords): string[] {
  const txt = (strings: readonly string[]) => {
    // On the command line dnsmasq splits at every comma, quoted or not.
    if (strings.some((text) => text.includes(','))) throw new Error(`a comma in TXT strings ${strings}`);
    return strings.join(',');
  };
  return [
    ...(records.addresses ?? []).map(({ name, ip }) => `--address=/${name}/${ip}`),
    ...(records.hostRecords ?? []).map(({ names, ips }) => `--host-record=${[...names, ...ips].join(',')}`),
    ...(records.txtRecords ?? []).map(({ name, strings }) => `--txt-record=${name},${txt(strings)}`),
    ...(records.mxHosts ?? []).map(
      ({ name, exchange, preference }) => `--mx-host=${name},${exchange},${preference}`,
    ),
    ...(records.locals ?? []).map((name) => `--local=/${name}/`),
  ];
}

/**
 * Runs `dnsmasq -k -C /dev/null --pid-file= --port=PORT --listen-address=127.0.0.1
 * --bind-interfaces --no-resolv --no-hosts --log-facility=-` with the options for `records`, and
 * resolves once it answers a query (within 20 seconds, or it is stopped and the promise rejects
 * with what it printed). dnsmasq sets `aa` on what it serves from its options, and answers a name
 * it does not know with REFUSED, or NXDOMAIN under one of `locals`.
 *
 * @example
 * ```ts
 * const dnsmasq = await startDnsmasq({ addresses: [{ name: 'dm.test', ip: '127.0.0.12' }] });
 * try { await dig(dnsmasq.port, ['www.dm.test', 'A']); } finally { await dnsmasq.stop(); }
 * ```
 */
export function startDnsmasq(records: DnsmasqRecords): Promise<Dnsmasq> {
  const options = dnsmasqRecordOptions(records);
  return startPeer({
    name: 'dnsmasq',
    hint: "Debian's dnsmasq has it",
    command: (port) => [
      'dnsmasq',
      '-k',
      '-C',
      '/dev/null',
      '--pid-file=',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--log-facility=-',
      ...options,
    ],
    answers: (port) => answersDns(port),
  });
}
