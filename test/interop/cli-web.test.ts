import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket as WsClient } from 'ws';
import { startDemo, within } from '../support/demo-process.js';

// `spindle web`, run for real, driven with curl, fetch and the ws package.
const test = suite('interop/cli-web');
const run = promisify(execFile);
const anyPort = ['--listen', 'tcp:0:interface=127.0.0.1'];
let folder: string;
let upstream: Server;

/** What curl prints for `args` (and fails on an HTTP error). */
async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--fail', '--max-time', '20', ...args], {
    maxBuffer: 64 << 20,
    encoding: 'latin1',
  });
  return stdout;
}

test.before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'spindle-cli-web-'));
  writeFileSync(join(folder, 'hello.txt'), 'hello\n');
  writeFileSync(join(folder, 'big.bin'), Buffer.alloc(32 << 20, 7));
  upstream = createServer((request, response) => response.end(`upstream saw ${request.url}\n`)).listen(
    0,
    '127.0.0.1',
  );
  await once(upstream, 'listening');
});

test.after(async () => {
  upstream.close();
  rmSync(folder, { recursive: true, force: true });
});

test('serves files and folder listings, logging each request in the Combined Log Format', async () => {
  const web = await startDemo('source/cli.ts', ['web', '--path', folder, ...anyPort]);
  try {
    assert.match(web.output[0]!, /^listening on tcp:\d+:interface=127\.0\.0\.1$/);
    assert.is(await curl(`http://127.0.0.1:${web.port}/hello.txt`, '-A', 'test-agent'), 'hello\n');
    const listing = await curl(`http://127.0.0.1:${web.port}/`);
    assert.match(listing, /<a href="hello\.txt">hello\.txt<\/a>/);
    await curl(`http://127.0.0.1:${web.port}/missing`).then(
      () => assert.unreachable('a missing file is a 404'),
      (error: Error) => assert.match(error.message, /404/),
    );
    const lines = web.stderr.trimEnd().split('\n');
    assert.match(
      lines[0]!,
      /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/hello\.txt HTTP\/1\.1" 200 6 "-" "test-agent"$/,
    );
    assert.match(lines[2]!, /"GET \/missing HTTP\/1\.1" 404 /);
  } finally {
    assert.equal(await web.stop(), { code: 0, signal: null });
  }
});

test('--proxy forwards a prefix to another server; --websocket-echo echoes messages', async () => {
  const { port } = upstream.address() as AddressInfo;
  const web = await startDemo('source/cli.ts', [
    ...[
      'web',
      '--path',
      folder,
      '--proxy',
      `/api=http://127.0.0.1:${port}/v1`,
      '--websocket-echo',
      '/echo',
      ...anyPort,
    ],
  ]);
  try {
    assert.is(await curl(`http://127.0.0.1:${web.port}/api/users?page=2`), 'upstream saw /v1/users?page=2\n');
    assert.is(await curl(`http://127.0.0.1:${web.port}/hello.txt`), 'hello\n');
    const socket = new WsClient(`ws://127.0.0.1:${web.port}/echo`);
    await within(5, 'the WebSocket to open', once(socket, 'open'));
    socket.send('ping');
    const [message] = await within(5, 'the echo', once(socket, 'message'));
    assert.is(String(message), 'ping');
    socket.close();
  } finally {
    await web.stop();
  }
});

test('--log-format json writes one JSON object per line, access records with their fields', async () => {
  const web = await startDemo('source/cli.ts', ['web', '--path', folder, '--log-format', 'json', ...anyPort]);
  await curl(`http://127.0.0.1:${web.port}/hello.txt`);
  assert.equal(await web.stop(), { code: 0, signal: null });
  const records = web.stderr
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.ok(records.length >= 2, web.stderr);
  for (const record of records)
    assert.equal(Object.keys(record).slice(0, 5), ['time', 'level', 'system', 'message', 'pid']);
  const access = records.find((record) => record.system === 'spindle.web.access');
  assert.match(access.message, /"GET \/hello\.txt HTTP\/1\.1" 200 6/);
  assert.is(access.fields.status, 200);
  assert.is(access.fields.target, '/hello.txt');
  assert.ok(records.some((record) => record.system === 'spindle.reactor' && /SIGTERM/.test(record.message)));
});

test('--workers 2: one listening line once both listen, and both workers answer', async () => {
  const web = await startDemo('source/cli.ts', [
    'web',
    '--path',
    folder,
    '--workers',
    '2',
    '--log-format',
    'json',
    ...anyPort,
  ]);
  try {
    assert.match(web.output[0]!, /^listening on tcp:\d+:interface=127\.0\.0\.1 \(2 workers\)$/);
    for (let i = 0; i < 20; i++)
      await curl('-H', 'Connection: close', `http://127.0.0.1:${web.port}/hello.txt`);
  } finally {
    assert.equal(await web.stop(), { code: 0, signal: null });
  }
  const pids = new Set(
    web.stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((record) => record.system === 'spindle.web.access')
      .map((record) => record.pid),
  );
  assert.is(pids.size, 2, `access records from ${[...pids].join(', ')}`);
  assert.not.ok(pids.has(web.pid), 'the primary only supervises');
});

test('SIGTERM during a transfer: the transfer completes, shutdown says what it waits for, exit 0', async () => {
  const web = await startDemo('source/cli.ts', ['web', '--path', folder, '--grace', '30', ...anyPort]);
  const client = spawn('curl', [
    '-sS',
    '--fail',
    '--limit-rate',
    '8M',
    `http://127.0.0.1:${web.port}/big.bin`,
  ]);
  let received = 0;
  const started = new Promise((resolve) => client.stdout.once('data', resolve));
  client.stdout.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  const finished = once(client, 'close');
  await within(10, 'the first bytes of the transfer', started);
  const stopped = web.stop('SIGTERM', 40);
  const [code] = await within(30, 'the transfer to end', finished);
  assert.is(code, 0, 'curl succeeded');
  assert.is(received, 32 << 20, 'every byte arrived');
  assert.equal(await stopped, { code: 0, signal: null });
  assert.match(web.stderr, /SIGTERM: shutting down/);
  assert.match(
    web.stderr,
    /waiting for 1 connection to finish \(1 on tcp:\d+:interface=127\.0\.0\.1\), at most 30 s/,
  );
});

test('--tls-self-signed gives a tls: endpoint a throwaway certificate', async () => {
  const web = await startDemo('source/cli.ts', [
    'web',
    '--path',
    folder,
    '--tls-self-signed',
    '--listen',
    'tls:0:interface=127.0.0.1',
  ]);
  try {
    assert.match(web.output[0]!, /^listening on tls:\d+:interface=127\.0\.0\.1$/);
    assert.is(await curl('-k', `https://127.0.0.1:${web.port}/hello.txt`), 'hello\n');
  } finally {
    await web.stop();
  }
});

test.run();
