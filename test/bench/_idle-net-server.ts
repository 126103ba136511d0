/**
 * The plain node:net contender of `connections.ts`: each socket reads, and acknowledges each chunk
 * received with `k`. Prints its port; answers `mem` on stdin with its memory after a GC (run node
 * with `--expose-gc`); exits when stdin closes.
 */
import { createServer } from 'node:net';
import { memoryAfterGC, serveParent } from './_child-side.js';

const ack = Buffer.from('k');
const server = createServer((socket) => {
  socket.on('data', () => socket.write(ack));
  socket.on('error', () => {});
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 511 }, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  console.log(address.port);
  serveParent((question) =>
    question === 'mem'
      ? new Promise((resolve, reject) =>
          server.getConnections((error, connections) =>
            error ? reject(error) : resolve(memoryAfterGC({ connections })),
          ),
        )
      : 'unknown question',
  );
});
