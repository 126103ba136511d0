/**
 * Hello, HTTP: `GET /` answers `hello world`, `POST /echo` streams the request body straight
 * back (chunked, as it arrives, with backpressure: a client that sends faster than it reads is
 * paused), anything else is a 404. The handler is a plain function from a request to a response;
 * `httpServer` turns it into a request/response protocol that `listen` serves on any stream
 * endpoint (`tcp:`, `tls:`, `unix:`). At Ctrl-C the server answers what it has taken, then exits.
 *
 * Run: `node dist/demos/hello.js [--listen tcp:8080:interface=127.0.0.1]`, then
 * `curl http://127.0.0.1:8080/` or `curl --data-binary @file http://127.0.0.1:8080/echo`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type HttpHandler, httpServer } from '../protocols/http/index.js';
import { describeEndpoint, listen, reactor, type Server } from '../source/index.js';

/** The whole web application. */
export const hello: HttpHandler = (request) => {
  if (request.path === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
    return { headers: { 'Content-Type': 'text/plain' }, body: 'hello world\n' };
  }
  if (request.path === '/echo' && request.method === 'POST') {
    const type = request.headers.get('content-type') ?? 'application/octet-stream';
    return { headers: { 'Content-Type': type }, body: request.body };
  }
  return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'not found\n' };
};

/** Serves `hello` on `endpoint`; closing the server (or the reactor's shutdown) drains it first. */
export function startHello(endpoint = 'tcp:8080:interface=127.0.0.1'): Server {
  return listen(endpoint, httpServer(hello));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { listen: { type: 'string' } } });
  const server = startHello(values.listen);
  server.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
  reactor.run(); // Ctrl-C: answer the requests taken, close, exit
}
