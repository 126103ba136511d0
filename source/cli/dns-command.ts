/**
 * `spindle dns`: an authoritative DNS server for zone files, forwarding other names to upstream
 * servers, over UDP and TCP on one port, and DNS over HTTPS on a web listener (Twisted's
 * `twistd dns`).
 *
 * @module
 */
import { dohHandler } from '../../protocols/dns/doh-handler.js';
import { listenDns } from '../../protocols/dns/listen-dns.js';
import { Resolver } from '../../protocols/dns/resolver.js';
import { dnsServer } from '../../protocols/dns/server.js';
import { parseServerAddress } from '../../protocols/dns/server-address.js';
import type { Zone } from '../../protocols/dns/zone.js';
import { loadZoneFile } from '../../protocols/dns/zone-file.js';
import { httpServer } from '../../protocols/http/server.js';
import { listen } from '../endpoints.js';
import { logAccess } from './access-log-records.js';
import type { Command, OptionValues } from './command.js';
import { text, texts } from './option-values.js';
import { serverOptions } from './server-options.js';
import { serverRuntime } from './server-runtime.js';
import { UsageError } from './usage-error.js';

const defaultListen = ['udp:5353:interface=127.0.0.1'];

/** The `--forward` servers as a resolver (1 s then 2 s per server: SERVFAIL before dig gives up). */
function forwarder(values: OptionValues): Resolver | undefined {
  const servers = texts(values, 'forward').map((server) => {
    const address = parseServerAddress(server);
    if (address === undefined) {
      throw new UsageError(`--forward takes IP, IP:PORT or [IPv6]:PORT, not ${JSON.stringify(server)}`);
    }
    return address;
  });
  return servers.length === 0 ? undefined : new Resolver({ servers, hosts: false, timeouts: [1, 2] });
}

/**
 * `spindle dns --zone FILE… [--forward IP[:PORT]]… [--doh PATH] [--listen ENDPOINT]…`.
 *
 * @example
 * ```ts
 * await dnsCommand.run({ zone: ['example.test.zone'], listen: ['udp:5353:interface=127.0.0.1'] }, []);
 * ```
 */
export const dnsCommand: Command = {
  name: 'dns',
  summary: 'an authoritative DNS server for zone files, forwarding the rest',
  usage:
    'spindle dns --zone FILE… [--forward IP[:PORT]]… [--doh PATH [--doh-listen ENDPOINT]] [--listen ENDPOINT]…',
  description:
    'Answers with authority for the zones of the RFC 1035 zone files, and forwards other names (with a cache) to the --forward servers; without them, other names are REFUSED. A udp: endpoint serves UDP and TCP on the same port; tls: serves DNS over TLS; --doh serves DNS over HTTPS (GET ?dns= and POST) at PATH on --doh-listen.',
  options: {
    zone: { type: 'string', multiple: true, value: 'FILE', help: 'a zone file to serve with authority' },
    forward: {
      type: 'string',
      multiple: true,
      value: 'IP[:PORT]',
      help: 'a server to forward other names to',
    },
    doh: { type: 'string', value: 'PATH', help: 'serve DNS over HTTPS at PATH (e.g. /dns-query)' },
    'doh-listen': {
      type: 'string',
      multiple: true,
      value: 'ENDPOINT',
      help: 'where the DNS over HTTPS web listener listens',
      default: 'tcp:8053:interface=127.0.0.1',
    },
    ...serverOptions(defaultListen),
  },
  examples: [
    'spindle dns --zone example.test.zone --listen udp:5353:interface=127.0.0.1   # then: dig @127.0.0.1 -p 5353 www.example.test',
    'spindle dns --forward 127.0.0.1:53 --doh /dns-query --doh-listen tls:8443 --tls-self-signed',
  ],
  async run(values) {
    const files = texts(values, 'zone');
    const forward = forwarder(values);
    if (files.length === 0 && forward === undefined)
      throw new UsageError('give at least one --zone FILE or --forward IP');
    const dohPath = text(values, 'doh');
    if (dohPath !== undefined && !dohPath.startsWith('/'))
      throw new UsageError(`--doh takes a path starting with /, not ${JSON.stringify(dohPath)}`);
    const runtime = serverRuntime(values, defaultListen);
    const zones: Zone[] = await Promise.all(files.map((file) => loadZoneFile(file).toPromise()));
    const server = dnsServer({ zones, ...(forward !== undefined && { forward }) });
    for (const endpoint of runtime.endpoints) {
      const listener = listenDns(endpoint, server, runtime.listenOptions);
      listener.address.addCallback((address) => {
        // UDP, then TCP on the same port (for udp:0 both exist once the port is found)
        if (listener.datagrams !== undefined) runtime.listening(address);
        if (listener.stream !== undefined) runtime.announce(listener.stream);
      });
    }
    if (dohPath !== undefined) {
      const doh = dohHandler(server);
      const web = httpServer(
        (request) => (request.path === dohPath ? doh(request) : { status: 404, body: 'not found\n' }),
        {
          accessLog: logAccess,
        },
      );
      for (const endpoint of texts(values, 'doh-listen', ['tcp:8053:interface=127.0.0.1'])) {
        runtime.announce(listen(runtime.withCertificate(endpoint), web, runtime.listenOptions));
      }
    }
    runtime.run();
  },
};
