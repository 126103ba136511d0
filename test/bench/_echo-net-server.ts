/**
 * The plain node:net contender of `echo.ts`: `socket.pipe(socket)`, Node's own echo with
 * backpressure. Prints its port, exits when stdin closes.
 */
import { createServer } from 'node:net';
import { serveParent } from './_child-side.js';

const server = createServer((socket) => {
  socket.on('error', () => {}); // a reset by the load generator ends only that socket
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  console.log(address.port);
  serveParent();
});
