import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, startDemo, within } from '../support/demo-process.js';

const test = suite('demos/port-forward');
let target: Server;
const targetSockets: Socket[] = [];
let demo: RunningDemo;

/** Connects to the proxy, sends `payload`, and reads until as many bytes came back. */
async function exchange(port: number, payload: Buffer): Promise<{ socket: Socket; reply: Buffer }> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let received = 0;
  const enough = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) resolve();
    });
    socket.once('close', () => reject(new Error(`closed after ${received} bytes`)));
  });
  socket.write(payload);
  await within(10, 'the reply through the proxy', enough);
  return { socket, reply: Buffer.concat(chunks) };
}

test.before(async () => {
  target = createServer((socket) => {
    targetSockets.push(socket);
    socket.pipe(socket); // an echo server, the proxy's target
  });
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  const { port } = target.address() as AddressInfo;
  demo = await startDemo('demos/port-forward.ts', [
    ...['--listen', 'tcp:0:interface=127.0.0.1', '--to', `tcp:host=127.0.0.1:port=${port}`],
  ]);
});

test.after(async () => {
  await demo.stop();
  for (const socket of targetSockets) socket.destroy();
  target.close();
  await once(target, 'close');
});

test('prints where it listens and where it forwards to', () => {
  const { port } = target.address() as AddressInfo;
  assert.match(demo.output.at(-1)!, `(forwarding to tcp:host=127.0.0.1:port=${port})`);
});

test('forwards a 1 MiB payload to the target and its reply back', async () => {
  const payload = randomBytes(1024 * 1024);
  const { socket, reply } = await exchange(demo.port, payload);
  assert.ok(reply.equals(payload), 'the bytes that came back differ from those sent');
  socket.destroy();
});

test('a client that ends closes the connection to the target too', async () => {
  const { socket } = await exchange(demo.port, Buffer.from('hello'));
  const upstream = targetSockets.at(-1)!;
  const upstreamClosed = once(upstream, 'close');
  socket.end();
  await within(5, 'the target connection to close', upstreamClosed);
  await within(5, 'the client connection to close', once(socket, 'close'));
});

test('a target that ends closes the client connection too', async () => {
  const { socket } = await exchange(demo.port, Buffer.from('hello'));
  const clientClosed = once(socket, 'close');
  targetSockets.at(-1)!.end();
  await within(5, 'the client connection to close', clientClosed);
});

test('a target that refuses gets the client closed, and the proxy goes on', async () => {
  const gone = createServer().listen(0, '127.0.0.1');
  await once(gone, 'listening');
  const { port } = gone.address() as AddressInfo;
  gone.close();
  await once(gone, 'close');
  const nowhere = await startDemo('demos/port-forward.ts', [
    ...['--listen', 'tcp:0:interface=127.0.0.1', '--to', `tcp:host=127.0.0.1:port=${port}`],
  ]);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const socket = connect(nowhere.port, '127.0.0.1');
      const data: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => data.push(chunk));
      await within(5, 'the client connection to close', once(socket, 'close'));
      assert.equal(data, []);
    }
    assert.match(
      nowhere.stderr,
      /cannot forward 127\.0\.0\.1:\d+ to tcp:host=127\.0\.0\.1:port=\d+: connection refused/,
    );
  } finally {
    await nowhere.stop();
  }
});

test('exits with status 0 on SIGTERM', async () => {
  assert.equal(await demo.stop(), { code: 0, signal: null });
});

test.run();
