/**
 * The Spindle contender of `http.ts`: `httpServer` with the hello-world handler of demos/hello.ts
 * (`GET /` answers `hello world\n`). Prints its port, exits when stdin closes.
 */
import { httpServer } from '../../protocols/http/index.js';
import { type InetAddress, listen } from '../../source/index.js';
import { serveParent } from './_child-side.js';

const app = httpServer(() => ({ headers: { 'Content-Type': 'text/plain' }, body: 'hello world\n' }));
const server = listen('tcp:0:interface=127.0.0.1', { handler: app, allowHalfOpen: true });
server.address.addCallback((address) => {
  console.log((address as InetAddress).port);
  serveParent();
});
