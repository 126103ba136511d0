/**
 * The plain node:http contender of `web.ts`: each request's file, below the folder given as its
 * argument, piped from `fs.createReadStream` after a `stat` for its length (404 when missing).
 * No validators, ranges or types beyond one: the floor a hand-written file server costs. Prints
 * its port, exits when stdin closes.
 */
import { createReadStream, stat } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { serveParent } from './_child-side.js';

const root = process.argv[2]!;
const server = createServer((request, response) => {
  const file = join(root, normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname)));
  stat(file, (error, stats) => {
    if (error !== null || !stats.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': stats.size });
    createReadStream(file).pipe(response);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  console.log(address.port);
  serveParent();
});
