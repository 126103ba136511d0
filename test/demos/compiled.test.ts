import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { endpointPort, within } from '../support/demo-process.js';

// `npm start` and the demos' documented commands run the JavaScript that the package build
// (tsconfig.build.json, run by `npm install` as `prepare`) writes to dist/: under tsx the echo
// demo measured slower (test/bench/RESULTS.md). Here the same build goes to a temporary folder
// (with node_modules linked in, so `rxjs` resolves) and the echo demo runs from it on plain node.
const test = suite('demos/compiled');
const root = fileURLToPath(new URL('../../', import.meta.url));
const readJSON = (name: string) => JSON.parse(readFileSync(join(root, name), 'utf8'));
let out: string;
let demo: ChildProcessByStdio<null, Readable, null> | undefined;

test.before(() => {
  out = mkdtempSync(join(tmpdir(), 'spindle-compiled-demos-'));
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(tsc.status, 0, `tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);
});

test.after(async () => {
  if (demo !== undefined && demo.exitCode === null && demo.signalCode === null) {
    demo.kill('SIGKILL');
    await once(demo, 'exit');
  }
  rmSync(out, { recursive: true, force: true });
});

test('npm start runs `spindle demo` from the package build in dist/, which is the spindle bin', () => {
  const { scripts, bin } = readJSON('package.json');
  assert.is(readJSON('tsconfig.build.json').compilerOptions.outDir, 'dist');
  assert.match(scripts.start, /(^|&& )node dist\/source\/cli\.js demo$/);
  assert.equal(bin, { spindle: 'dist/source/cli.js' });
  assert.is(scripts.prepare, 'npm run build');
  const cli = readFileSync(join(out, 'source/cli.js'), 'utf8');
  assert.ok(cli.startsWith('#!/usr/bin/env node\n'), 'the compiled command starts with a node shebang');
});

test('the package build compiles every demo', () => {
  for (const file of readdirSync(join(root, 'demos')).filter((name) => name.endsWith('.ts')))
    assert.ok(existsSync(join(out, 'demos', file.replace(/\.ts$/, '.js'))), `no compiled ${file}`);
});

for (const [name, args] of [
  ['the compiled echo demo', ['demos/echo.js', '--listen', 'tcp:0:interface=127.0.0.1']],
  ['the compiled `spindle echo`', ['source/cli.js', 'echo', '--listen', 'tcp:0:interface=127.0.0.1']],
] as const) {
  test(`${name} runs on plain node: listens, echoes, exits 0 on SIGTERM sent to its own PID`, async () => {
    const child = spawn(process.execPath, [join(out, args[0]), ...args.slice(1)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    demo = child;
    const exited = once(child, 'exit');
    let printed = '';
    const listening = new Promise<string>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        printed += text;
        const match = /^listening on (\S+)$/m.exec(printed);
        if (match !== null) resolve(match[1]!);
      }),
    );
    const port = endpointPort(await within(20, 'the "listening on" line', listening));
    const socket = connect(port, '127.0.0.1');
    try {
      socket.write('ping\r\n');
      const [data] = await within(5, 'the echo', once(socket, 'data'));
      assert.is(String(data), 'ping\r\n');
    } finally {
      socket.destroy();
    }
    child.kill('SIGTERM');
    const [code, signal] = await within(10, 'the demo to exit', exited);
    assert.equal({ code, signal }, { code: 0, signal: null });
  });
}

test.run();
