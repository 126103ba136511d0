/**
 * Echo (RFC 862 over TCP): every byte a client sends comes straight back. It is a stream
 * protocol: one operator chain, `conn.send(conn.data$)`, the connection both the source and the
 * sink. When the client half-closes, the echo finishes writing and closes. Backpressure is
 * automatic: a client that sends faster than it reads fills our write buffer, and that pauses
 * reading from it.
 *
 * Run: `node dist/demos/echo.js [--listen tcp:8007:interface=127.0.0.1]`, then `nc 127.0.0.1 8007`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeEndpoint, listen, type Protocol, protocol, reactor, type Server } from '../source/index.js';

/** The echo protocol. */
export const echo: Protocol = protocol((conn) => conn.send(conn.data$), { name: 'echo' });

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
