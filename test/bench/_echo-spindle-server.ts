/**
 * The Spindle contender of `echo.ts`: each connection's `data$` piped back into it (backpressure:
 * a write past the high-water mark pauses the reading connection until it drains). Prints its port,
 * exits when stdin closes.
 */
import { listen } from '../../source/index.js';
import { serveParent } from './_child-side.js';

const server = listen('tcp:0:interface=127.0.0.1');
server.connections$.subscribe((conn) => conn.data$.subscribe(conn));
const address = await server.address;
if (address.type !== 'tcp') throw new Error(`unexpected address ${address.type}`);
console.log(address.port);
serveParent();
