/**
 * The client of `connections.ts`: `node _idle-client.js PORT COUNT BATCH LIMIT` opens COUNT TCP
 * connections to 127.0.0.1:PORT, BATCH at a time (so the server's listen backlog is never
 * overrun); on each it sends one byte and waits for the server's acknowledgement. Once all COUNT
 * are acknowledged it prints `{ "connections": COUNT, "seconds": … }` and holds them open until
 * its stdin closes. Exits with code 2 if they are not all acknowledged within LIMIT seconds.
 */
import { connect, type Socket } from 'node:net';

const [port, count, batch, limitSeconds] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
];
const limit = setTimeout(() => {
  console.error(`idle client: ${count} connections not acknowledged within ${limitSeconds} s`);
  process.exit(2);
}, limitSeconds * 1000);

const ping = Buffer.from('p');
const sockets: Socket[] = [];

/** Opens one connection, sends a byte, resolves on the server's acknowledgement. */
function open(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    socket.once('connect', () => socket.write(ping));
    socket.once('data', () => resolve());
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed before its acknowledgement')));
  });
}

const start = performance.now();
for (let opened = 0; opened < count; opened += batch) {
  await Promise.all(Array.from({ length: Math.min(batch, count - opened) }, open));
}
clearTimeout(limit);
console.log(JSON.stringify({ connections: sockets.length, seconds: (performance.now() - start) / 1000 }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
