/**
 * The load generator of `echo.ts`: `node _echo-load.js PORT CONNECTIONS BYTES` opens CONNECTIONS
 * TCP connections to 127.0.0.1:PORT, sends BYTES in all (split evenly) in 64 KiB writes with drain
 * handling while reading the echo back on every connection at once, and prints one line of JSON:
 * `{ "bytes": echoed, "seconds": from all-connected to the last byte echoed, "mbps": MB/s }`.
 * Exits with code 2 if the transfer takes longer than its time limit.
 */
import { connect, type Socket } from 'node:net';

const [port, connections, totalBytes, limitSeconds] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number | undefined,
];
const chunk = Buffer.alloc(64 * 1024, 'spindle ');
const perConnection = Math.floor(totalBytes / connections);

setTimeout(
  () => {
    console.error(`echo load: transfer not done within ${limitSeconds ?? 60} s`);
    process.exit(2);
  },
  (limitSeconds ?? 60) * 1000,
).unref();

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `perConnection` bytes on `socket` and resolves once they are all echoed back. */
function transfer(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let received = 0;
    const pump = () => {
      while (sent < perConnection) {
        const size = Math.min(chunk.byteLength, perConnection - sent);
        sent += size;
        if (!socket.write(size === chunk.byteLength ? chunk : chunk.subarray(0, size))) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('data', (data: Buffer) => {
      received += data.byteLength;
      if (received >= perConnection) {
        socket.end();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (received < perConnection) reject(new Error(`closed after ${received} of ${perConnection} bytes`));
    });
    pump();
  });
}

const sockets = await Promise.all(Array.from({ length: connections }, open));
const closed = sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
const start = performance.now();
await Promise.all(sockets.map(transfer));
const seconds = (performance.now() - start) / 1000;
const bytes = perConnection * connections;
// Let the servers see a clean FIN and close their ends, rather than a reset at exit.
await Promise.all(closed);
console.log(JSON.stringify({ bytes, seconds, mbps: bytes / seconds / 1e6 }));
process.exit(0);
