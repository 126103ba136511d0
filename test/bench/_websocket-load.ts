/**
 * The load generator of `websocket.ts`: `node _websocket-load.js PORT CONNECTIONS SECONDS WINDOW`
 * opens CONNECTIONS `ws` clients to ws://127.0.0.1:PORT/ (no permessage-deflate), keeps WINDOW
 * 64-byte text messages in flight on each (a new one sent for each echo), counts the echoes over
 * SECONDS after a half-second warm-up, and prints one line of JSON: `{ "echoes", "seconds",
 * "rate" }` (echoes per second). Bounded in count (the window) and in time; exits with code 2 if
 * the run does not finish within SECONDS + 30.
 */
import { WebSocket } from 'ws';

const [port, connections, seconds, window] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
];
const message = 'x'.repeat(64);

setTimeout(
  () => {
    console.error('websocket load: not done in time');
    process.exit(2);
  },
  (seconds + 30) * 1000,
).unref();

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

const sockets = await Promise.all(Array.from({ length: connections }, open));
let counting = false;
let running = true;
let echoes = 0;
for (const socket of sockets) {
  socket.on('message', () => {
    if (counting) echoes++;
    if (running) socket.send(message);
  });
  for (let i = 0; i < window; i++) socket.send(message);
}
await new Promise((resolve) => setTimeout(resolve, 500));
counting = true;
const start = process.hrtime.bigint();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
counting = false;
running = false;
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ echoes, seconds: elapsed, rate: echoes / elapsed }));
for (const socket of sockets) socket.terminate();
process.exit(0);
