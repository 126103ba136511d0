/**
 * The raw node:net responder of `http.ts`, the runtime's ceiling: it parses nothing, it answers one
 * canned response per request head (`\r\n\r\n`) it sees. Prints its port, exits when stdin closes.
 */
import { createServer } from 'node:net';
import { serveParent } from './_child-side.js';

const response = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nhello world\n',
);
const endOfHead = Buffer.from('\r\n\r\n');

const server = createServer((socket) => {
  socket.on('error', () => {});
  let carry = 0; // bytes of a head end already seen at the end of the last chunk
  socket.on('data', (chunk: Buffer) => {
    let count = 0;
    let from = 0;
    if (carry > 0 && chunk.subarray(0, 4 - carry).equals(endOfHead.subarray(carry))) {
      count++;
      from = 4 - carry;
    }
    for (let at = chunk.indexOf(endOfHead, from); at >= 0; at = chunk.indexOf(endOfHead, at + 4)) count++;
    carry = 0;
    for (let n = 3; n > 0; n--) if (chunk.subarray(-n).equals(endOfHead.subarray(0, n))) carry = n;
    if (count === 1) socket.write(response);
    else if (count > 1) socket.write(Buffer.concat(new Array(count).fill(response)));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP address');
  console.log(address.port);
  serveParent();
});
