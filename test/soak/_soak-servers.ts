/**
 * The soak's server process: the real servers of protocols/* in one process, on ephemeral ports
 * of 127.0.0.1, each with `maxConnectionsPerPeer` (argv[3]) and short timeouts so stalling
 * clients are cut within the run. The FTP root and the Maildirs are under the folder argv[2]
 * (made ready by the runner); HTTPS, SMTP's STARTTLS and FTP's AUTH TLS use the certificate and
 * key in the PEM files argv[4] and argv[5]. Prints the ports as one line of JSON, then answers
 * the runner's questions on stdin, one JSON line each: `fds`, `memory` (after a forced GC: run
 * node with `--expose-gc`), `open`, `stats`, `log`, `loop` (the event loop's delays). Exits when
 * stdin closes.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { getHeapCodeStatistics } from 'node:v8';
import { hello } from '../../demos/hello.js';
import { chat, chatRoom } from '../../protocols/chat/index.js';
import { dnsServer, listenDns, parseZoneFile, Zone } from '../../protocols/dns/index.js';
import { ftpServer, ftpUsers } from '../../protocols/ftp/index.js';
import { httpServer } from '../../protocols/http/index.js';
import { smtpServer } from '../../protocols/smtp/index.js';
import { webSocketHandler } from '../../protocols/websocket/index.js';
import { echo } from '../../protocols/wire/index.js';
import {
  type ListenOptions,
  listen,
  logRecords$,
  parseServerEndpoint,
  type Server,
  type TLSServerEndpoint,
} from '../../source/index.js';
import type { NetServerAdapter } from '../../source/transports/net-server-adapter.js';
import { serveParent } from '../bench/_child-side.js';
import { countDescriptors } from '../support/descriptors.js';
import { soakZone } from './_dns-load.js';
import type { ServerName, SoakPorts } from './_soak-kinds.js';

const [folder, perPeer, certificate, key] = process.argv.slice(2) as [string, string, string, string];
const endpoint = 'tcp:0:interface=127.0.0.1';
const tlsEndpoint = parseServerEndpoint(
  `tls:0:interface=127.0.0.1:certKey=${certificate}:privateKey=${key}`,
) as TLSServerEndpoint;
/** The certificate and key, for HTTPS, STARTTLS and AUTH TLS. */
const tls = tlsEndpoint.tls;
/** Listen's limits, and FTP's and SMTP's own (which answer 421). */
const limits: ListenOptions = { maxConnections: 4000, maxConnectionsPerPeer: Number(perPeer) };
const timeouts = { headerTimeout: 2, idleTimeout: 2 };

const log = { error: 0, errors: [] as string[] };
logRecords$.subscribe((record) => {
  if (record.level !== 'error') return; // the refusals' warnings are expected
  log.error++;
  if (log.errors.length < 5) log.errors.push(`${record.namespace}: ${record.message}`);
});

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const dns = dnsServer({ zones: [new Zone(parseZoneFile(soakZone))], tcpIdleTimeout: 2 });
const smtp = smtpServer({
  domains: ['example.test'],
  maildir: join(folder, 'mail'),
  hostname: 'soak.test',
  tls,
  ...{ commandTimeout: 2, dataTimeout: 2, ...limits },
});
const ftp = ftpServer({
  root: join(folder, 'ftp'),
  checker: ftpUsers({ soak: { password: 'soak' } }, { anonymous: 'read' }),
  tls,
  ...{ idleTimeout: 2, dataConnectTimeout: 2, dataTimeout: 2, ...limits },
});
const dnsListener = listenDns('udp:0:interface=127.0.0.1', dns, limits);
const servers: Record<Exclude<ServerName, 'dns'>, Server> = {
  http: listen(endpoint, httpServer(hello, timeouts), limits),
  // Node's TLS server gives a handshake 120 s; the protocol's timeouts start once it is done.
  https: listen(
    { ...tlsEndpoint, tls: { ...tls, handshakeTimeout: 2000 } },
    httpServer(hello, timeouts),
    limits,
  ),
  echo: listen(endpoint, echo, limits),
  websocket: listen(
    endpoint,
    httpServer(
      webSocketHandler((socket) => socket.messages$.subscribe(socket), { pingInterval: 1 }),
      timeouts,
    ),
    limits,
  ),
  smtp: listen(endpoint, smtp),
  ftp: listen(endpoint, ftp),
  chat: listen(endpoint, chat(), limits),
  'chat room': listen(endpoint, httpServer(chatRoom(), timeouts), limits),
};

/** Every stream server, the DNS one's TCP listener included. */
const streams = (): Record<string, Server> => ({ ...servers, dns: dnsListener.stream! });

const ports = { dns: (await dnsListener.address).port } as SoakPorts;
for (const [name, server] of Object.entries(servers)) {
  const address = await server.address;
  if (address.type !== 'tcp') throw new Error(`${name} listens on ${address.type}`);
  ports[name as ServerName] = address.port;
}
console.log(JSON.stringify(ports));

/** The sockets `server` holds: its connections, and those still in their TLS handshake. */
function held(server: Server): Promise<number> {
  const sockets = (server as Partial<NetServerAdapter>).netServer;
  if (sockets === undefined) return Promise.resolve(server.connections.size);
  return new Promise((resolve) =>
    sockets.getConnections((_, count) => resolve(Math.max(count, server.connections.size))),
  );
}

/**
 * The heap after collecting garbage three times, a turn of the loop apart (finalisers run): in
 * all, and its data alone (less the compiled code and bytecode, which V8 goes on adding to for a
 * minute or so of load as it optimises more functions).
 */
async function memory(): Promise<string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run node with --expose-gc');
  for (let round = 0; round < 3; round++) {
    gc();
    await nextTurn();
  }
  const { heapUsed, rss } = process.memoryUsage();
  const code = getHeapCodeStatistics();
  const data = heapUsed - code.code_and_metadata_size - code.bytecode_and_metadata_size;
  return JSON.stringify({ heapUsed, data, rss });
}

serveParent(async (question) => {
  if (question === 'fds') return String(countDescriptors());
  if (question === 'memory') return memory();
  if (question === 'open') {
    const counts = Object.entries(streams()).map(async ([n, s]) => [n, await held(s)] as const);
    return JSON.stringify(Object.fromEntries(await Promise.all(counts)));
  }
  if (question === 'stats')
    return JSON.stringify({
      stats: Object.fromEntries(Object.entries(streams()).map(([n, s]) => [n, s.stats])),
      // past a limit: refused by listen (counted in stats), or by the protocol (its 421)
      refused: Object.fromEntries(
        Object.entries(streams()).map(([n, s]) => [n, s.stats.refused + ({ smtp, ftp }[n]?.refused ?? 0)]),
      ),
    });
  if (question === 'log') return JSON.stringify(log);
  if (question === 'loop') {
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    return JSON.stringify({ p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) });
  }
  return JSON.stringify({ error: `unknown question ${question}` });
});
