/**
 * Echo (RFC 862 over TCP): every byte a client sends comes straight back. The protocol is
 * `echo` from `spindle/protocols/wire`, one operator chain: `conn.send(conn.data$)`.
 *
 * Run: `node dist/demos/echo.js [--listen tcp:8007:interface=127.0.0.1]`, then `nc 127.0.0.1 8007`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { echo } from '../protocols/wire/index.js';
import { describeEndpoint, listen, reactor, type Server } from '../source/index.js';

/** Starts an echo server on `endpoint`. */
export function startEcho(endpoint = 'tcp:8007:interface=127.0.0.1'): Server {
  return listen(endpoint, echo);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { listen: { type: 'string' } } });
  const server = startEcho(values.listen);
  server.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
  reactor.run(); // Ctrl-C: stop listening, let open connections finish, exit
}
