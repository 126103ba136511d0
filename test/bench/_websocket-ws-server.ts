/**
 * The `ws` contender of `websocket.ts`: a `WebSocketServer` (its defaults: no permessage-deflate)
 * echoing every message as it came (text as text, binary as binary). Prints its port, exits when
 * stdin closes.
 */
import { WebSocketServer } from 'ws';
import { serveParent } from './_child-side.js';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on('listening', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${address}`);
  console.log(address.port);
  serveParent();
});
