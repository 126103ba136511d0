/** The node:http contender of `http.ts`: `GET /` answers `hello world\n`. Prints its port, exits when stdin closes. */
import { createServer } from 'node:http';
import { serveParent } from './_child-side.js';

const hello = Buffer.from('hello world\n');
const server = createServer((_request, response) => {
  response.setHeader('Content-Type', 'text/plain');
  response.end(hello);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  console.log(address.port);
  serveParent();
});
