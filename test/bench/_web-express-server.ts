/**
 * The Express contender of `web.ts`: an Express app serving the folder given as its argument
 * with `serve-static`, as an Express user serves files. Prints its port, exits when stdin closes.
 */
import express from 'express';
import serveStatic from 'serve-static';
import { serveParent } from './_child-side.js';

const app = express();
app.use(serveStatic(process.argv[2]!));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  console.log(address.port);
  serveParent();
});
