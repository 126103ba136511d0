/**
 * `spindle demo` (what `npm start` runs): every server at once on fixed loopback ports, with an
 * embedded configuration, and a table of what listens where with a line to try each.
 *
 * @module
 */
import { chat } from '../../protocols/chat/line-chat.js';
import { chatRoom } from '../../protocols/chat/web-socket-chat.js';
import { dohHandler } from '../../protocols/dns/doh-handler.js';
import { listenDns } from '../../protocols/dns/listen-dns.js';
import { dnsServer } from '../../protocols/dns/server.js';
import { Zone } from '../../protocols/dns/zone.js';
import { parseZoneFile } from '../../protocols/dns/zone-file.js';
import { ftpServer } from '../../protocols/ftp/server.js';
import { ftpUsers } from '../../protocols/ftp/users.js';
import { httpServer } from '../../protocols/http/server.js';
import { smtpServer } from '../../protocols/smtp/server.js';
import { staticFiles } from '../../protocols/web/static-files.js';
import { echo } from '../../protocols/wire/echo.js';
import type { Address } from '../address.js';
import type { Deferred } from '../deferred.js';
import { gatherResults } from '../deferred-list.js';
import { listen } from '../endpoints.js';
import { CannotListenError } from '../errors.js';
import type { ListenOptions } from '../server.js';
import { logAccess } from './access-log-records.js';
import type { Command } from './command.js';
import { demoZone, writeDemoFolders } from './demo-files.js';
import { helpOption, logOptions } from './server-options.js';
import { type ServerRuntime, serverRuntime } from './server-runtime.js';

/** One of the demo's servers: its fixed port, how to start it there, and how to try it. */
interface DemoServer {
  readonly name: string;
  readonly port: number;
  /** Starts it on `port` (0: one the system picks); something with the address it got. */
  start(port: number, options: ListenOptions): { readonly address: Deferred<Address>; close(): unknown };
  /** Lines a user can paste to try it, once it listens on `port`. */
  tryLines(port: number): readonly string[];
}

/** The demo's servers, over `folders`. */
function demoServers(folders: ReturnType<typeof writeDemoFolders>): readonly DemoServer[] {
  const tcp = (port: number) => `tcp:${port}:interface=127.0.0.1`;
  const dns = dnsServer({ zones: [new Zone(parseZoneFile(demoZone))] });
  const files = staticFiles(folders.web, { listing: true });
  const chatSocket = chatRoom();
  const doh = dohHandler(dns);
  const site = httpServer(
    (request) =>
      request.path === '/chat'
        ? chatSocket(request)
        : request.path === '/dns-query'
          ? doh(request)
          : files(request),
    { accessLog: logAccess },
  );
  return [
    {
      name: 'web',
      port: 8080,
      start: (port, options) => listen(tcp(port), site, options),
      tryLines: (port) => [
        `curl http://127.0.0.1:${port}/files/hello.txt`,
        `open http://127.0.0.1:${port}/chat.html in two browser windows`,
      ],
    },
    {
      name: 'dns',
      port: 5353,
      start: (port, options) => listenDns(`udp:${port}:interface=127.0.0.1`, dns, options),
      tryLines: (port) => [
        `dig @127.0.0.1 -p ${port} www.example.test`,
        `dig @127.0.0.1 -p ${port} +tcp example.test MX`,
      ],
    },
    {
      name: 'smtp',
      port: 2525,
      start: (port, options) =>
        listen(tcp(port), smtpServer({ domains: ['example.test'], maildir: folders.mail }), options),
      tryLines: (port) => [
        `swaks --server 127.0.0.1 --port ${port} --from me@example.test --to you@example.test`,
        `printf 'Subject: hello\\r\\n\\r\\nHi!\\r\\n' | curl -sS smtp://127.0.0.1:${port} --mail-from me@example.test --mail-rcpt you@example.test -T -`,
        `ls ${folders.mail}/example.test/you/new/   # the messages, one file each`,
      ],
    },
    {
      name: 'ftp',
      port: 2121,
      start: (port, options) =>
        listen(
          tcp(port),
          ftpServer({ root: folders.ftp, checker: ftpUsers({ demo: { password: 'demo' } }) }),
          options,
        ),
      tryLines: (port) => [
        `curl ftp://127.0.0.1:${port}/README.txt`,
        `curl -sS -T ${folders.web}/files/hello.txt ftp://demo:demo@127.0.0.1:${port}/upload/`,
      ],
    },
    {
      name: 'echo',
      port: 8007,
      start: (port, options) => listen(tcp(port), echo, options),
      tryLines: (port) => [`echo hello | nc -N 127.0.0.1 ${port}`],
    },
    {
      name: 'chat',
      port: 8023,
      start: (port, options) => listen(tcp(port), chat(), options),
      tryLines: (port) => [`nc 127.0.0.1 ${port}   # in two terminals: type a name, then talk; /quit leaves`],
    },
  ];
}

/**
 * Starts `server` on its fixed port; if that port is taken, says so and starts it on another.
 * Fires with the port it got.
 */
function startOnFreePort(server: DemoServer, runtime: ServerRuntime): Deferred<number> {
  const options = runtime.listenOptions;
  const portOf = (address: Address) => ('port' in address ? address.port : 0);
  const first = server.start(server.port, { ...options, required: false });
  return first.address.addCallbacks(
    (address) => {
      runtime.listening(address, first);
      return portOf(address);
    },
    (failure) => {
      const error = failure.value as CannotListenError;
      if (!(error instanceof CannotListenError) || error.reason !== 'EADDRINUSE') throw error;
      first.close();
      process.stdout.write(`port ${server.port} is taken: ${server.name} listens on another\n`);
      const second = server.start(0, options);
      return second.address.addCallback((address) => {
        runtime.listening(address, second);
        return portOf(address);
      });
    },
  );
}

/** The table of what listens where, and a line to try each. */
function table(servers: readonly DemoServer[], ports: readonly number[], base: string): string {
  const rows = servers.flatMap((server, i) =>
    server
      .tryLines(ports[i]!)
      .map(
        (line, j) =>
          `  ${(j === 0 ? server.name : '').padEnd(6)}${(j === 0 ? `127.0.0.1:${ports[i]}` : '').padEnd(17)}${line}`,
      ),
  );
  return `
Spindle demo: every server listens on 127.0.0.1. Try:
${rows.join('\n')}

Files (web site, mail, FTP root) are in ${base}, removed at exit. Ctrl-C stops them all.
`;
}

/**
 * `spindle demo`: web (static files, the WebSocket chat page, DNS over HTTPS at /dns-query) on
 * 8080, DNS for example.test on 5353 (UDP and TCP), SMTP on 2525, FTP on 2121, echo on 8007 and
 * the line chat on 8023, all on 127.0.0.1.
 *
 * @example
 * ```ts
 * await demoCommand.run({}, []);
 * ```
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'everything at once on loopback ports, with lines to try each (npm start)',
  usage: 'spindle demo [--grace SECONDS] [--log-format FORMAT] [--log-level LEVEL]',
  description:
    'Starts web (8080), dns (5353, UDP and TCP), smtp (2525), ftp (2121), echo (8007) and chat (8023) on 127.0.0.1, over a temporary folder, and prints a line to try each. A port that is taken is replaced by another, and said so.',
  options: {
    grace: {
      type: 'string',
      value: 'SECONDS',
      help: 'how long Ctrl-C lets open connections finish',
      default: '10',
    },
    ...logOptions,
    help: helpOption,
  },
  examples: ['spindle demo   # or: npm start'],
  run(values) {
    const runtime = serverRuntime(values, []);
    const folders = writeDemoFolders();
    const servers = demoServers(folders);
    const started = servers.map((server) => startOnFreePort(server, runtime));
    gatherResults(started, { consumeErrors: true }).addCallbacks(
      (ports) => process.stdout.write(table(servers, ports, folders.base)),
      () => undefined, // a server that could not listen was logged, and ends the run
    );
    runtime.run();
  },
};
