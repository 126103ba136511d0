/**
 * The Spindle contender of `http.ts`: the hello demo (demos/hello.ts) as a user runs it, with its
 * handler (`GET /` answers `hello world\n`). Prints its port, exits when stdin closes.
 */
import { startHello } from '../../demos/hello.js';
import { serveParent } from './_child-side.js';

startHello('tcp:0:interface=127.0.0.1').address.addCallback((address) => {
  if (address.type !== 'tcp') throw new Error(`unexpected address ${address.type}`);
  console.log(address.port);
  serveParent();
});
