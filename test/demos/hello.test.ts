import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, startDemo, within } from '../support/demo-process.js';

const test = suite('demos/hello');
let demo: RunningDemo;

/** Sends `method path` with `body` (streamed in `pieces`), and gives back the status and body. */
async function call(
  port: number,
  method: string,
  path: string,
  pieces: readonly Buffer[] = [],
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const outgoing = request({ host: '127.0.0.1', port, method, path });
  for (const piece of pieces) outgoing.write(piece);
  outgoing.end();
  const [response] = await within(10, `the answer to ${method} ${path}`, once(outgoing, 'response'));
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
}

test.before(async () => {
  demo = await startDemo('demos/hello.ts', ['--listen', 'tcp:0:interface=127.0.0.1']);
});

test.after(async () => {
  await demo.stop();
});

test('prints the port it really listens on for tcp:0', () => {
  assert.match(demo.output.at(-1)!, /^listening on tcp:\d+:interface=127\.0\.0\.1$/);
});

test('GET / answers hello world (12 bytes)', async () => {
  const { status, headers, body } = await call(demo.port, 'GET', '/');
  assert.is(status, 200);
  assert.is(headers['content-length'], '12');
  assert.is(body.toString(), 'hello world\n');
});

test('POST /echo streams a 4 MiB body back byte for byte', async () => {
  const payload = randomBytes(4 * 1024 * 1024);
  const pieces = Array.from({ length: 64 }, (_, i) => payload.subarray(i * 65536, (i + 1) * 65536));
  const { status, headers, body } = await call(demo.port, 'POST', '/echo', pieces);
  assert.is(status, 200);
  assert.is(headers['transfer-encoding'], 'chunked');
  assert.ok(body.equals(payload), 'the echoed bytes differ');
});

test('anything else is a 404', async () => {
  const { status, body } = await call(demo.port, 'GET', '/nowhere');
  assert.is(status, 404);
  assert.is(body.toString(), 'not found\n');
});

test('on SIGTERM it answers the request in flight, then exits with status 0', async () => {
  const socket = connect({ port: demo.port, host: '127.0.0.1', allowHalfOpen: true });
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('utf8').on('data', (text: string) => {
    received += text;
  });
  socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n');
  await within(10, 'the echo to begin', once(socket, 'data'));
  const exited = demo.stop();
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.write('6\r\nsecond\r\n0\r\n\r\n');
  await within(10, 'the server to close the connection', once(socket, 'end'));
  socket.end();
  assert.match(received, /5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n$/);
  assert.equal(await exited, { code: 0, signal: null });
});

test.run();
