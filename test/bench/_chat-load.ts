/**
 * The room of `chat-fanout.ts`: `node _chat-load.js PORT SCENARIO LIMIT` joins a chat server on
 * 127.0.0.1:PORT and keeps it busy until stdin closes (or LIMIT seconds pass: exit code 2).
 *
 * - `flood`: 50 members that read everything, and one that sends 64 KiB of 60-byte lines
 *   whenever its socket drains (reading what it gets).
 * - `talk`: 50 members that read everything and each say a line every 50 ms, and five that
 *   stop reading once joined and send 64 KiB of lines whenever their socket drains.
 *
 * Prints `ready` once every member has joined; answers `stats` with one line of JSON: the bytes
 * the reading members have received since `ready`, and the seconds since.
 */
import { connect, type Socket } from 'node:net';
import { serveParent } from './_child-side.js';

const [portText, scenario, limitText] = process.argv.slice(2);
const port = Number(portText);
if (scenario !== 'flood' && scenario !== 'talk') throw new Error(`unknown scenario ${scenario}`);
setTimeout(() => {
  console.error(`chat load: still running after ${limitText} s`);
  process.exit(2);
}, Number(limitText) * 1000).unref();

let received = 0;
const timers: NodeJS.Timeout[] = [];

/** Connects and joins as `name`; resolves once welcomed. */
function join(name: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let text = '';
    let asked = false;
    const onData = (data: Buffer) => {
      text += data.toString('latin1');
      if (!asked && text.includes("What's your name?\r\n")) {
        asked = true;
        socket.write(`${name}\n`);
      }
      if (text.includes(`Welcome, ${name}!\r\n`)) {
        socket.off('data', onData);
        resolve(socket);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`${name}: closed before being welcomed`)));
  });
}

/** Reads and counts everything. */
function read(socket: Socket): void {
  socket.on('data', (data: Buffer) => {
    received += data.byteLength;
  });
}

/** Sends 64 KiB of lines whenever the socket drains. */
function flood(socket: Socket, name: string): void {
  const line = `flood from ${name} ${'x'.repeat(60 - 12 - name.length)}\n`;
  const chunk = Buffer.from(line.repeat(Math.floor((64 * 1024) / line.length)));
  const pump = () => {
    while (socket.write(chunk));
    socket.once('drain', pump);
  };
  pump();
}

const members: Promise<Socket>[] = [];
for (let i = 0; i < 50; i++) members.push(join(`member${i}`));
const sockets = await Promise.all(members);
for (const socket of sockets) socket.on('error', () => undefined);
const flooders = await Promise.all(
  Array.from({ length: scenario === 'flood' ? 1 : 5 }, (_, i) => join(`flooder${i}`)),
);
for (const socket of flooders) socket.on('error', () => undefined);

for (const socket of sockets) read(socket);
if (scenario === 'talk') {
  sockets.forEach((socket, i) => {
    setTimeout(() => {
      timers.push(setInterval(() => socket.write(`member${i} says hello to the room\n`), 50));
    }, i);
  });
}
flooders.forEach((socket, i) => {
  if (scenario === 'flood') socket.on('data', () => undefined);
  else socket.pause();
  flood(socket, `flooder${i}`);
});

const started = performance.now();
console.log('ready');
serveParent((question) =>
  question === 'stats'
    ? JSON.stringify({ received, seconds: (performance.now() - started) / 1000 })
    : 'unknown question',
);
