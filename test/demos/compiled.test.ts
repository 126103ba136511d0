import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
  const bundle = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bundle-cli.ts', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(bundle.status, 0, `scripts/bundle-cli.ts failed:\n${bundle.stdout}${bundle.stderr}`);
});

test.after(async () => {
  if (demo !== undefined && demo.exitCode === null && demo.signalCode === null) {
    demo.kill('SIGKILL');
    await once(demo, 'exit');
  }
  rmSync(out, { recursive: true, force: true });
});

test('npm start runs `spindle demo` from the package build: the bundled bin, dist/spindle.mjs', () => {
  const { scripts, bin } = readJSON('package.json');
  assert.is(readJSON('tsconfig.build.json').compilerOptions.outDir, 'dist');
  assert.match(scripts.start, /(^|&& )node dist\/spindle\.mjs demo$/);
  assert.match(scripts.build, /tsc -p tsconfig\.build\.json && tsx scripts\/bundle-cli\.ts$/);
  assert.equal(bin, { spindle: 'dist/spindle.mjs' });
  assert.is(scripts.prepare, 'npm run build');
  const cli = readFileSync(join(out, 'spindle.mjs'), 'utf8');
  assert.ok(cli.startsWith('#!/usr/bin/env node\n'), 'the bundled command starts with a node shebang');
  assert.not.match(cli, /from\s*"rxjs"/, 'rxjs is inside the bundle');
});

test('the package build compiles every demo', () => {
  for (const file of readdirSync(join(root, 'demos')).filter((name) => name.endsWith('.ts')))
    assert.ok(existsSync(join(out, 'demos', file.replace(/\.ts$/, '.js'))), `no compiled ${file}`);
});

/**
 * Runs the compiled `args[0]` (below the build folder) on plain node, checks it echoes on the
 * port of its `listening on` line, and that SIGTERM to its own PID ends it with exit code 0.
 */
async function echoesThenStops(args: readonly string[]): Promise<void> {
  const child = spawn(process.execPath, [join(out, args[0]!), ...args.slice(1)], {
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
  const [code, signal] = await within(10, 'the program to exit', exited);
  assert.equal({ code, signal }, { code: 0, signal: null });
}

test('the compiled echo demo runs on plain node: listens, echoes, exits 0 on SIGTERM', async () => {
  await echoesThenStops(['demos/echo.js', '--listen', 'tcp:0:interface=127.0.0.1']);
});

test('the bundled `spindle echo` runs on plain node, the process a SIGTERM reaches', async () => {
  await echoesThenStops(['spindle.mjs', 'echo', '--listen', 'tcp:0:interface=127.0.0.1']);
});

test('the bundled `spindle run` loads a TypeScript application module through tsx, with the unbundled package', async () => {
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n'); // as the package's own, and an ESM project's
  writeFileSync(
    join(out, 'app.ts'),
    [
      "import { echo } from './protocols/wire/index.js';",
      "import { application, listenService } from './source/index.js';",
      "const port: string = 'tcp:0:interface=127.0.0.1';",
      "export default application('app', listenService(port, echo));",
      '',
    ].join('\n'),
  );
  await echoesThenStops(['spindle.mjs', 'run', join(out, 'app.ts')]);
});

test.run();
