/**
 * The raw node:dgram responder of `dns.ts`, the runtime's ceiling for a DNS server: it parses
 * nothing but the question's length, and answers every query as if it asked `www.example.test A`:
 * the header and question copied back with QR and AA set, one answer (a pointer to the question's
 * name, A, IN, TTL 300, 127.0.0.10) after them, the query's EDNS record dropped. Listens on 127.0.0.1, an ephemeral port, printed on stdout;
 * exits when stdin closes.
 */
import { createSocket } from 'node:dgram';
import { serveParent } from './_child-side.js';

/** Name pointer to offset 12, type A, class IN, TTL 300, 4 bytes: 127.0.0.10. */
const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 127, 0, 0, 10]);

const socket = createSocket('udp4');
/** Where the question section of `query` ends (its name's labels, then type and class). */
function questionEnd(query: Buffer): number {
  let at = 12;
  while (at < query.length && query[at] !== 0) at += query[at]! + 1;
  return at + 5;
}

socket.on('message', (query, peer) => {
  const end = questionEnd(query);
  if (end > query.length) return;
  const reply = Buffer.concat([query.subarray(0, end), answer]);
  reply[2] = 0x84 | (query[2]! & 0x01); // QR, opcode QUERY, AA, RD copied
  reply[3] = 0; // RA clear, RCODE NOERROR
  reply.writeUInt16BE(1, 6); // ANCOUNT
  reply.writeUInt32BE(0, 8); // NSCOUNT, ARCOUNT
  socket.send(reply, peer.port, peer.address);
});
socket.bind(0, '127.0.0.1', () => {
  console.log(socket.address().port);
  serveParent();
});
