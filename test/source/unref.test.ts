import { spawnSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../source/clock.js';

const test = suite('source/unref');

/** Runs a TypeScript snippet in a child process (imports relative to the repository root) and times it. */
function runSnippet(code: string): { status: number | null; seconds: number } {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: new URL('../../', import.meta.url).pathname,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: run.status, seconds: (performance.now() - started) / 1000 };
}

test('an unref-ed delayed call on the system clock does not keep the process alive', () => {
  const { status, seconds } = runSnippet(`
    import { systemClock } from './source/system-clock.ts';
    systemClock.callLater(30, () => process.exit(7)).unref();`);
  assert.is(status, 0);
  assert.ok(seconds < 15, `took ${seconds} s`);
});

test('an unref-ed connection does not keep the process alive', () => {
  const { status, seconds } = runSnippet(`
    import { listen, connect } from './source/endpoints.ts';
    const server = listen('tcp:0:interface=127.0.0.1', { handler: () => {} });
    const { port } = await server.address;
    const conn = await connect('tcp:127.0.0.1:' + port);
    conn.unref();
    for (const open of server.connections) open.unref();
    server.close({ gracePeriod: 30 });
    conn.ref();
    conn.unref();`);
  assert.is(status, 0);
  assert.ok(seconds < 15, `took ${seconds} s`);
});

test('a script that made an HTTP request ends while its kept-alive connection sits in the pool', () => {
  const { status, seconds } = runSnippet(`
    import { createServer } from 'node:net';
    import { Agent } from './protocols/http/client.ts';
    // A server that answers and keeps the connection open, without keeping its own side alive.
    const server = createServer((socket) => {
      socket.unref();
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\npooled'));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent({ idleTimeout: 30 });
    const response = await agent.request('GET', 'http://127.0.0.1:' + server.address().port + '/');
    if ((await response.text()) !== 'pooled') process.exit(3);
    server.close();`);
  assert.is(status, 0);
  assert.ok(seconds < 15, `took ${seconds} s`);
});

test('unref on the virtual clock changes nothing', () => {
  const clock = new Clock();
  let ran = false;
  const call = clock.callLater(1, () => {
    ran = true;
  });
  call.unref();
  clock.advance(1);
  assert.ok(ran);
});

test.run();
