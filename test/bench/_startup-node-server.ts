/**
 * The plain node:http static server the startup benchmark compares `spindle web` with: the
 * folder of its first argument on the port of its second, each file piped from
 * `fs.createReadStream`; prints `listening on tcp:PORT:interface=127.0.0.1` once it listens.
 */
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const [root = '.', port = '0'] = process.argv.slice(2);
const server = createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
  const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
  createReadStream(file)
    .on('error', () => response.writeHead(404).end())
    .pipe(response);
});
server.listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on tcp:${(server.address() as { port: number }).port}:interface=127.0.0.1`);
});
