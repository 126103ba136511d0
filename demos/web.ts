/**
 * The web: one server for a folder of static files, a JSON API, a WebSocket chat, and a Hono app
 * mounted inside it (demos/web/site.ts puts them together). Without `--path`, it serves a small
 * site of its own (written to a temporary folder at start), whose `/chat.html` is the chat: open
 * it in two browser windows and type. At Ctrl-C the server answers what it has taken, says
 * goodbye to the chat's sockets (1001), then exits.
 *
 * Run: `node dist/demos/web.js [--listen tcp:8080:interface=127.0.0.1] [--path DIR]`, then open
 * http://127.0.0.1:8080/, or `curl http://127.0.0.1:8080/api/time`,
 * `curl --json '{"a":1}' http://127.0.0.1:8080/api/echo`, `curl http://127.0.0.1:8080/hono/greet/you`.
 */
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { httpServer } from '../protocols/http/index.js';
import { describeEndpoint, listen, reactor, type Server } from '../source/index.js';
import { writeDefaultSite } from './web/default-site.js';
import { site } from './web/site.js';

/** Serves the site for the folder `root` (by default the demo's own) on `endpoint`. */
export function startWeb(endpoint = 'tcp:8080:interface=127.0.0.1', root = writeDefaultSite()): Server {
  return listen(endpoint, httpServer(site(root)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { listen: { type: 'string' }, path: { type: 'string' } } });
  if (values.path !== undefined && !statSync(values.path, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`web: ${values.path} is not a folder`);
    process.exit(1);
  }
  const server = startWeb(values.listen, values.path);
  server.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
  reactor.run(); // Ctrl-C: answer the requests taken, close, exit
}
