/**
 * The Spindle contender of `websocket.ts`: `httpServer(webSocketHandler(…))` echoing every
 * message (`socket.messages$.subscribe(socket)`: backpressure by the active producer). Prints its
 * port, exits when stdin closes.
 */
import { httpServer } from '../../protocols/http/index.js';
import { webSocketHandler } from '../../protocols/websocket/index.js';
import { listen } from '../../source/index.js';
import { serveParent } from './_child-side.js';

const echo = webSocketHandler((socket) => socket.messages$.subscribe(socket));
const server = listen('tcp:0:interface=127.0.0.1', httpServer(echo));
const address = await server.address;
if (address.type !== 'tcp') throw new Error(`unexpected address ${address.type}`);
console.log(address.port);
serveParent();
