/**
 * Echo (RFC 862 over TCP): every byte a client sends comes straight back. The whole protocol is
 * one line, `conn.send(conn.data$)`: the connection is both the source and the sink. When the
 * client half-closes, the echo finishes writing and closes. Backpressure is automatic: a client
 * that sends faster than it reads fills our write buffer, and that pauses reading from it.
 *
 * Run: `node dist/demos/echo.js [--listen tcp:8007:interface=127.0.0.1]`, then `nc 127.0.0.1 8007`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeEndpoint, listen, reactor, type Server } from '../source/index.js';

/** Starts an echo server on `endpoint`. */
export function startEcho(endpoint = 'tcp:8007:interface=127.0.0.1'): Server {
  const server = listen(endpoint);
  server.connections$.subscribe((conn) => conn.send(conn.data$));
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { listen: { type: 'string' } } });
  const server = startEcho(values.listen);
  console.log(`listening on ${describeEndpoint(await server.address)}`);
  reactor.run(); // Ctrl-C: stop listening, let open connections finish, exit
}
