/**
 * The load generator of `websocket.ts`: `node _websocket-load.js PORT CONNECTIONS SECONDS WINDOW`
 * opens CONNECTIONS WebSocket connections to ws://127.0.0.1:PORT/ (no extensions offered), keeps
 * WINDOW 64-byte text messages in flight on each, counts the echoes over SECONDS after a
 * half-second warm-up, and prints a line `counting` when it starts counting and then one line of
 * JSON: `{ "echoes", "seconds", "rate", "cpu" }` (echoes per second; its own CPU time over the
 * count, as a fraction of one core). Bounded in count (the window) and
 * in time; exits with code 2 if the run does not finish within SECONDS + 30.
 *
 * It is a raw client, so that the load costs less per message than the servers it measures: the
 * handshake is written by hand; the frames are masked once, up front, and the echoes of one read
 * are answered by one write of as many frames; of an echo only its two header bytes are read
 * (they must say: a final text frame of 64 bytes, unmasked).
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const [port, connections, seconds, window] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
];
const payloadLength = 64;
/** An echo: FIN + text, an unmasked 64-byte length, the payload. */
const echoHeader = [0x81, payloadLength] as const;
const echoLength = echoHeader.length + payloadLength;

setTimeout(
  () => {
    console.error('websocket load: not done in time');
    process.exit(2);
  },
  (seconds + 30) * 1000,
).unref();

/** `count` client frames (FIN + text, masked, 64 bytes of `x`), back to back. */
function maskedFrames(count: number): Buffer {
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  const frame = Buffer.alloc(2 + mask.length + payloadLength);
  frame[0] = 0x81;
  frame[1] = 0x80 | payloadLength;
  frame.set(mask, 2);
  for (let i = 0; i < payloadLength; i++) frame[6 + i] = 0x78 ^ mask[i % 4]!;
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

const frames = maskedFrames(window);
const frameLength = frames.byteLength / window;
let counting = false;
let running = true;
let echoes = 0;

/** Opens a connection and completes the opening handshake; resolves with the bytes after the 101's head. */
function open(): Promise<{ socket: Socket; rest: Buffer }> {
  const key = 'c3BpbmRsZSBiZW5jaCAxNg==';
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const text = head.subarray(0, end).toString('latin1');
      if (!text.startsWith('HTTP/1.1 101') || !text.includes(accept)) {
        reject(new Error(`handshake refused: ${text.split('\r\n')[0]}`));
      } else resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** Counts the echoes in each read by their headers and answers them with as many frames in one write. */
function drive(socket: Socket, rest: Buffer): void {
  let at = 0; // bytes of the current echo read so far
  const onData = (chunk: Buffer) => {
    let done = 0;
    let i = 0;
    while (i < chunk.length) {
      if (at < echoHeader.length) {
        if (chunk[i] !== echoHeader[at]) throw new Error(`not a 64-byte text echo: byte ${chunk[i]}`);
        at++;
        i++;
        continue;
      }
      const take = Math.min(echoLength - at, chunk.length - i);
      at += take;
      i += take;
      if (at === echoLength) {
        at = 0;
        done++;
      }
    }
    if (counting) echoes += done;
    if (running && done > 0) socket.write(frames.subarray(0, done * frameLength));
  };
  socket.on('data', onData);
  socket.on('error', (error) => {
    if (running) throw error;
  });
  socket.write(frames);
  if (rest.length > 0) onData(rest);
}

const opened = await Promise.all(Array.from({ length: connections }, open));
for (const { socket, rest } of opened) drive(socket, rest);
await new Promise((resolve) => setTimeout(resolve, 500));
console.log('counting');
counting = true;
const start = process.hrtime.bigint();
const startCpu = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
counting = false;
running = false;
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
const { user, system } = process.cpuUsage(startCpu);
const cpu = (user + system) / 1e6 / elapsed;
console.log(JSON.stringify({ echoes, seconds: elapsed, rate: echoes / elapsed, cpu }));
for (const { socket } of opened) socket.destroy();
process.exit(0);
