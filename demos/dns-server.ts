/**
 * DNS server: authoritative for the zone files given (without one, a small built-in
 * `example.test`), and forwarding the other names, with a cache, to the `--forward` servers.
 * One `--listen udp:PORT` serves UDP and TCP on that port, as a DNS server must; a `tls:`
 * endpoint serves DNS over TLS. At Ctrl-C, TCP queries in flight are answered, then it exits.
 *
 * Run: `npx tsx demos/dns-server.ts [--zone FILE]… [--listen udp:5353:interface=127.0.0.1]…
 * [--forward IP[:PORT]]…`, then `dig @127.0.0.1 -p 5353 www.example.test`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type DnsServer,
  dnsServer,
  listenDns,
  loadZoneFile,
  parseServerAddress,
  parseZoneFile,
  Resolver,
  Zone,
} from '../protocols/dns/index.js';
import { describeEndpoint, reactor } from '../source/index.js';

/** The zone served when no `--zone` is given. */
export const exampleZone = `$ORIGIN example.test.
$TTL 300
@     SOA   ns hostmaster 1 7200 900 604800 300
      NS    ns
      MX    10 mail
      TXT   "served by Spindle"
ns    A     127.0.0.1
www   A     127.0.0.1
      AAAA  ::1
mail  A     127.0.0.1
ftp   CNAME www
`;

/** A server for `zones`, forwarding to `forward` when given. */
export function startDnsServer(zones: readonly Zone[], forward: readonly string[] = []): DnsServer {
  // 1 s, then 2 s, per upstream: SERVFAIL before a client such as dig (3 tries of 5 s) gives up
  const resolver =
    forward.length > 0
      ? new Resolver({
          servers: forward.map((text) => parseServerAddress(text) ?? { host: text, port: 53 }),
          hosts: false,
          timeouts: [1, 2],
        })
      : undefined;
  return dnsServer({ zones, ...(resolver !== undefined && { forward: resolver }) });
}

/** Prints `listening on …` for each listener of `endpoint` once it listens. */
function announce(endpoint: string, server: DnsServer): void {
  const listener = listenDns(endpoint, server);
  listener.address.addCallback((address) => {
    console.log(`listening on ${describeEndpoint(address)}`);
    listener.stream?.address.addCallback((stream) => {
      if (listener.datagrams !== undefined) console.log(`listening on ${describeEndpoint(stream)}`);
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = {
    zone: { type: 'string', multiple: true },
    listen: { type: 'string', multiple: true },
    forward: { type: 'string', multiple: true },
  } as const;
  const { values } = parseArgs({ options });
  let zones: Zone[];
  try {
    zones =
      values.zone === undefined
        ? [new Zone(parseZoneFile(exampleZone))]
        : await Promise.all(values.zone.map((file) => loadZoneFile(file).toPromise()));
  } catch (error) {
    console.error(`dns-server: cannot load a zone: ${(error as Error).message}`);
    process.exit(1);
  }
  const server = startDnsServer(zones, values.forward);
  for (const endpoint of values.listen ?? ['udp:5353:interface=127.0.0.1']) announce(endpoint, server);
  reactor.run(); // Ctrl-C: answer the TCP queries taken, close, exit
}
