import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, startDemo, within } from '../support/demo-process.js';

const test = suite('demos/udp-echo');
let demo: RunningDemo;

test.before(async () => {
  demo = await startDemo('demos/udp-echo.ts', ['--listen', 'udp:0:interface=127.0.0.1']);
});

test.after(async () => {
  await demo.stop();
});

test('prints the udp port it is bound to', () => {
  assert.match(demo.output.at(-1)!, /^listening on udp:\d+:interface=127\.0\.0\.1$/);
});

test('sends each datagram back to its sender, whole and unchanged', async () => {
  const client = createSocket('udp4');
  try {
    const replies: { message: Buffer; port: number }[] = [];
    client.on('message', (message: Buffer, from) => replies.push({ message, port: from.port }));
    const sent = [Buffer.from('ping'), Buffer.alloc(8000, 'u'), Buffer.from([0, 255, 1, 254])];
    for (const datagram of sent) {
      client.send(datagram, demo.port, '127.0.0.1');
      await within(5, 'the echoed datagram', once(client, 'message'));
    }
    assert.equal(
      replies,
      sent.map((message) => ({ message, port: demo.port })),
    );
  } finally {
    client.close();
  }
});

test('answers two clients, each with its own datagram', async () => {
  const [a, b] = [createSocket('udp4'), createSocket('udp4')];
  try {
    const replies = Promise.all([once(a, 'message'), once(b, 'message')]);
    a.send('from a', demo.port, '127.0.0.1');
    b.send('from b', demo.port, '127.0.0.1');
    const [[toA], [toB]] = await within(5, 'both echoes', replies);
    assert.is(String(toA), 'from a');
    assert.is(String(toB), 'from b');
  } finally {
    a.close();
    b.close();
  }
});

test('exits with status 0 on SIGTERM', async () => {
  assert.equal(await demo.stop(), { code: 0, signal: null });
});

test.run();
