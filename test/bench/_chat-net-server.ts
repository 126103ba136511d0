/**
 * The node:net contender of `chat-fanout.ts`: the line chat written plainly on `node:net`, the
 * same protocol as Spindle's `chat()` (name prompt, `<name> line` to everyone else, joins and
 * leaves announced, lines over 1024 bytes drop their sender), each broadcast line written to each
 * member at once. A member whose socket needs draining is skipped, so a member that does not read
 * cannot make it buffer without bound. On SIGTERM it stops listening, ends every socket (destroys
 * those that need draining) and exits once they are closed, or after 10 s. Prints its port; exits when stdin closes.
 */
import { createServer, type Socket } from 'node:net';

const users = new Map<string, Socket>();
const sockets = new Set<Socket>();

function broadcast(from: string, text: string): void {
  const line = `${text}\r\n`;
  for (const [name, socket] of users) if (name !== from && !socket.writableNeedDrain) socket.write(line);
}

const server = createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  let name: string | undefined;
  let partial = '';
  const say = (text: string) => socket.write(`${text}\r\n`);
  const handle = (received: string) => {
    const line = received.endsWith('\r') ? received.slice(0, -1) : received;
    if (socket.writableEnded) return;
    if (line === '/quit') {
      say('Bye!');
      socket.end();
    } else if (name !== undefined) broadcast(name, `<${name}> ${line}`);
    else if (line === '') say("What's your name?");
    else if (users.has(line)) say('Name taken, please choose another.');
    else {
      name = line;
      users.set(name, socket);
      say(`Welcome, ${name}!`);
      broadcast(name, `* ${name} has joined`);
    }
  };
  say("What's your name?");
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    const data = partial + text;
    let start = 0;
    for (let end = data.indexOf('\n'); end >= 0; end = data.indexOf('\n', start)) {
      if (end - start > 1024) break;
      handle(data.slice(start, end));
      start = end + 1;
    }
    partial = data.slice(start);
    if (partial.length > 1024) {
      say('* Line too long, goodbye.');
      socket.end();
      socket.pause();
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    sockets.delete(socket);
    if (name === undefined || users.get(name) !== socket) return;
    users.delete(name);
    broadcast(name, `* ${name} has left`);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected address ${address}`);
  console.log(address.port);
});
process.stdin.on('end', () => process.exit(0)); // the benchmark is gone
process.stdin.resume();

process.on('SIGTERM', () => {
  process.stdin.destroy();
  server.close();
  for (const socket of sockets) {
    if (socket.writableNeedDrain) socket.destroy();
    else socket.end();
  }
  setTimeout(() => process.exit(0), 10_000).unref();
});
