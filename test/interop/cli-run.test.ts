import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runScript, startDemo, within } from '../support/demo-process.js';

// `spindle run MODULE` (Twisted's `twistd -y`), run for real with a small application module.
const test = suite('interop/cli-run');
const app = 'test/support/cli-application.ts';
let folder: string;

test.before(() => {
  folder = mkdtempSync(join(tmpdir(), 'spindle-cli-run-'));
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

test("starts the module's application in order, prints where it listens, stops it in reverse on SIGTERM", async () => {
  const shop = await startDemo('source/cli.ts', ['run', app]);
  try {
    assert.equal(shop.output.slice(0, 2), ['db started', `listening on ${shop.endpoints[0]}`]);
    const socket = connect(shop.port, '127.0.0.1');
    socket.write('ping');
    const [data] = await within(5, 'the echo', once(socket, 'data'));
    assert.is(String(data), 'ping');
    socket.destroy();
  } finally {
    assert.equal(await shop.stop(), { code: 0, signal: null });
  }
  assert.equal(shop.output.slice(2), ['db closed']);
  assert.match(shop.stderr, /\[spindle\.reactor\] SIGTERM: shutting down/);
});

test('a service that cannot start ends the run: one line, exit 1, the others stopped', async () => {
  const run = await runScript('source/cli.ts', ['run', app], 20, undefined, { SPINDLE_TEST_FAIL: '1' });
  assert.is(run.code, 1);
  assert.is(run.stdout, '');
  assert.is(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  assert.match(
    run.stderr,
    /the application 'shop' could not start: .*the database did not answer within 5 seconds/,
  );
});

test('a port in use, a missing module, a default export that is no service: one line, exit 1', async () => {
  const taken = await startDemo('source/cli.ts', ['echo', '--listen', 'tcp:0:interface=127.0.0.1']);
  try {
    const run = await runScript('source/cli.ts', ['run', app], 20, undefined, {
      SPINDLE_TEST_ENDPOINT: taken.endpoints[0]!,
    });
    assert.is(run.code, 1);
    assert.match(run.stderr, /cannot listen on tcp:\d+:interface=127\.0\.0\.1: the address is in use/);
    assert.not.match(run.stderr, /\n\s+at /);
  } finally {
    await taken.stop();
  }
  const missing = await runScript('source/cli.ts', ['run', join(folder, 'absent.ts')]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^spindle run: cannot load .*absent\.ts: no such file\n$/);
  const module = join(folder, 'not-a-service.mjs');
  writeFileSync(module, 'export default { hello: "world" };\n');
  const wrong = await runScript('source/cli.ts', ['run', module]);
  assert.is(wrong.code, 1);
  assert.match(wrong.stderr, /^spindle run: .*not-a-service\.mjs: its default export is not a service/);
  const usage = await runScript('source/cli.ts', ['run']);
  assert.is(usage.code, 2);
  assert.match(usage.stderr, /^spindle run: give the MODULE to run/);
});

test.run();
