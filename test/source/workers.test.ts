import { once } from 'node:events';
import { connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDemo } from '../support/demo-process.js';

const test = suite('source/workers');

async function acceptedBy(port: number): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  socket.on('data', (chunk: Buffer) => {
    reply += chunk.toString();
  });
  await once(socket, 'close');
  return reply.trim();
}

test('two workers share one listening port, and both accept connections', async () => {
  const program = await startDemo('test/support/workers-server.ts', ['tcp:0:interface=127.0.0.1'], {
    listening: 2,
  });
  assert.is(program.endpoints[0], program.endpoints[1], 'both workers listen on the same port');
  const pids = new Set<string>();
  for (let i = 0; i < 10; i++) pids.add(await acceptedBy(program.port));
  assert.is(pids.size, 2, `connections were accepted by ${[...pids].join(', ')}`);
  assert.not.ok(pids.has(String(program.pid)), 'the primary only supervises');
  const { code } = await program.stop('SIGTERM');
  assert.is(code, 0);
});

test.run();
