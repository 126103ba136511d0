import { once } from 'node:events';
import { connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { endpointPort, startDemo, within } from '../support/demo-process.js';

const test = suite('demos/start');
const anyPort = 'tcp:0:interface=127.0.0.1';

/** Sends `text` and resolves with the first data that comes back. */
async function firstReply(port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  try {
    socket.write(text);
    const [data] = await within(5, `a reply on port ${port}`, once(socket, 'data'));
    return String(data);
  } finally {
    socket.destroy();
  }
}

test('starts echo, chat and hello, prints each endpoint with a hint, and stops on SIGINT', async () => {
  const demo = await startDemo('demos/start.ts', ['--echo', anyPort, '--chat', anyPort, '--hello', anyPort], {
    listening: 3,
  });
  try {
    const [echo, chat, hello] = demo.endpoints.map(endpointPort) as [number, number, number];
    for (const [i, [name, port]] of Object.entries({ echo, chat }).entries()) {
      const expected = `${name} listening on tcp:${port}:interface=127.0.0.1 - try: nc 127.0.0.1 ${port} (`;
      assert.is(demo.output[i]!.slice(0, expected.length), expected);
    }
    assert.is(await firstReply(echo, 'ping\n'), 'ping\n');
    assert.is(await firstReply(chat, ''), "What's your name?\r\n");
    const expected = `hello listening on tcp:${hello}:interface=127.0.0.1 - try: curl http://127.0.0.1:${hello}/ (`;
    assert.is(demo.output[2]!.slice(0, expected.length), expected);
    const response = await fetch(`http://127.0.0.1:${hello}/`);
    assert.is(await response.text(), 'hello world\n');
    assert.equal(await demo.stop('SIGINT'), { code: 0, signal: null });
  } finally {
    await demo.stop();
  }
});

test.run();
