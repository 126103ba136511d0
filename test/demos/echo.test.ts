import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, startDemo, within } from '../support/demo-process.js';

const test = suite('demos/echo');
let demo: RunningDemo;

/** Connects, sends `payload` in one write, half-closes, and returns all the server sent back. */
async function roundTrip(port: number, payload: Uint8Array): Promise<Buffer> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = once(socket, 'close');
  socket.end(payload);
  await within(10, 'the echo to end', once(socket, 'end'));
  await closed;
  return Buffer.concat(chunks);
}

test.before(async () => {
  demo = await startDemo('demos/echo.ts', ['--listen', 'tcp:0:interface=127.0.0.1']);
});

test.after(async () => {
  await demo.stop();
});

test('prints the port it really listens on for tcp:0', () => {
  assert.match(demo.output.at(-1)!, /^listening on tcp:\d+:interface=127\.0\.0\.1$/);
  assert.ok(demo.port > 0);
});

test('echoes a line, then closes after the client half-closes', async () => {
  const echoed = await roundTrip(demo.port, Buffer.from('hello, spindle\r\n'));
  assert.is(echoed.toString(), 'hello, spindle\r\n');
});

test('echoes a 1 MiB payload byte for byte', async () => {
  const payload = randomBytes(1024 * 1024);
  const echoed = await roundTrip(demo.port, payload);
  assert.is(echoed.length, payload.length);
  assert.ok(echoed.equals(payload), 'the echoed bytes differ from the payload');
});

test('serves clients at the same time, each getting only its own bytes', async () => {
  const payloads = ['alpha', 'bravo', 'charlie'].map((word) => Buffer.from(word.repeat(20_000)));
  const echoed = await Promise.all(payloads.map((payload) => roundTrip(demo.port, payload)));
  for (const [i, bytes] of echoed.entries())
    assert.ok(bytes.equals(payloads[i]!), `client ${i} got other bytes`);
});

test('exits with status 0 on SIGTERM', async () => {
  const exit = await demo.stop();
  assert.equal(exit, { code: 0, signal: null });
});

test.run();
