/**
 * The Spindle contender of `connections.ts`: every connection's `data$` is subscribed, as a real
 * protocol's would be, and each chunk received is acknowledged with `k`. Prints its port; answers
 * `mem` on stdin with its memory after a GC (run node with `--expose-gc`); exits when stdin closes.
 */
import { listen } from '../../source/index.js';
import { memoryAfterGC, serveParent } from './_child-side.js';

const ack = Buffer.from('k');
const server = listen('tcp:0:interface=127.0.0.1');
server.connections$.subscribe((conn) => {
  conn.data$.subscribe({ next: () => conn.write(ack), error: () => {} });
});
const address = await server.address;
if (address.type !== 'tcp') throw new Error(`unexpected address ${address.type}`);
console.log(address.port);
serveParent((question) =>
  question === 'mem' ? memoryAfterGC({ connections: server.connections.size }) : 'unknown question',
);
