import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { endpointPort, startDemo, within } from '../support/demo-process.js';

// Signals reach the `spindle` command's server however it was started.
const test = suite('interop/cli-signals');
const root = fileURLToPath(new URL('../../', import.meta.url));

test('SIGTERM to `npx tsx source/cli.ts` (a wrapper that passes no signal on) still stops the server', async () => {
  const npx = spawn('npx', ['tsx', 'source/cli.ts', 'echo', '--listen', 'tcp:0:interface=127.0.0.1'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listening = new Promise<number>((resolve) =>
    npx.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const match = /^listening on (\S+)$/m.exec(stdout);
      if (match !== null) resolve(endpointPort(match[1]!));
    }),
  );
  npx.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  // 'end' of stdout: every process holding the pipe (npm, sh, tsx and the server) has exited
  const ended = once(npx.stdout, 'end');
  try {
    const port = await within(30, 'the "listening on" line', listening);
    npx.kill('SIGTERM');
    await within(10, 'the server to exit after npx', ended);
    assert.match(
      stderr,
      /\[spindle\.cli\] (sh -c|npm exec|tsx) \(pid \d+\), which this process runs under, has exited: shutting down/,
    );
    const refused = connect(port, '127.0.0.1');
    const [error] = await within(5, 'the connection to be refused', once(refused, 'error'));
    assert.is((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  } finally {
    if (npx.exitCode === null) npx.kill('SIGKILL');
  }
});

test('Ctrl-C twice: the first drains, the second exits at once', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-cli-signals-'));
  writeFileSync(join(folder, 'big.bin'), Buffer.alloc(32 << 20));
  const web = await startDemo('source/cli.ts', [
    'web',
    '--path',
    folder,
    '--grace',
    '60',
    '--listen',
    'tcp:0:interface=127.0.0.1',
  ]);
  // a client that reads nothing of a 32 MiB file keeps the server mid-transfer until the grace period ends
  const client = get(`http://127.0.0.1:${web.port}/big.bin`);
  try {
    const [response] = await within(10, 'the response head', once(client, 'response'));
    (response as IncomingMessage).pause();
    process.kill(web.pid, 'SIGINT');
    await web.stderrMatches(/SIGINT: shutting down/);
    const exit = await within(10, 'the exit on the second SIGINT', web.stop('SIGINT'));
    assert.equal(exit, { code: 1, signal: null });
    assert.match(web.stderr, /SIGINT again: exiting now/);
  } finally {
    client.destroy();
    rmSync(folder, { recursive: true, force: true });
  }
});

test.run();
