import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent } from '../../protocols/http/client.js';
import { httpServer } from '../../protocols/http/server.js';
import { reverseProxy } from '../../protocols/web/reverse-proxy.js';
import { type InetAddress, listen, type Server as SpindleServer } from '../../source/index.js';
import { logRecords$ } from '../../source/log.js';
import { collectGarbage } from '../support/gc.js';

// A node:http upstream on 127.0.0.1, Spindle's reverse proxy in front of it, and curl as the
// client; all three ends real sockets.
const run = promisify(execFile);
const test = suite('interop/reverse-proxy');

const dir = mkdtempSync(join(tmpdir(), 'spindle-proxy-interop-'));
const mib = 1024 * 1024;
const uploadSize = 32 * mib;
const downloadSize = 32 * mib;
const piece = Buffer.alloc(64 * 1024, 'x');

let upstream: Server;
let upstreamPort = 0;
let proxy: SpindleServer<InetAddress>;
let proxyPort = 0;
let deadProxy: SpindleServer<InetAddress>;
let deadProxyPort = 0;
const agent = new Agent();
/** The upstream requests whose socket closed before their response was sent. */
const cancelled: string[] = [];
/** Set while the upstream holds an upload unread, to let the test see memory meanwhile. */
let uploadHeld: { started: () => void; release: Promise<void> } | undefined;

/** Writes `size` bytes to `response`, waiting for each drain: the upstream never runs ahead. */
async function stream(response: ServerResponse, size: number): Promise<void> {
  for (let sent = 0; sent < size; sent += piece.length) {
    if (!response.write(piece)) await once(response, 'drain');
  }
  response.end();
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = request.url ?? '';
  if (path.startsWith('/echo-headers')) {
    response.writeHead(200, {
      'Content-Type': 'application/json',
      Connection: 'X-Up-Hop',
      'X-Up-Hop': '1',
      'X-Up-Kept': '1',
    });
    response.end(JSON.stringify({ url: path, headers: request.headers }));
  } else if (path === '/upload') {
    if (uploadHeld !== undefined) {
      uploadHeld.started();
      await uploadHeld.release;
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of request) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    response.end(`${size} ${hash.digest('hex')} ${request.headers['content-length']}`);
  } else if (path === '/download') {
    response.writeHead(200, { 'Content-Length': String(downloadSize) });
    await stream(response, downloadSize);
  } else if (path === '/trailers') {
    response.writeHead(200, { Trailer: 'X-Checksum' });
    response.write('body');
    response.addTrailers({ 'X-Checksum': 'abc123' });
    response.end();
  } else if (path === '/hints') {
    response.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    await sleep(20);
    response.end('final');
  } else if (path === '/stall') {
    request.socket.once('close', () => cancelled.push(path));
  } else {
    response.writeHead(404).end();
  }
}

async function curl(args: readonly string[]): Promise<string> {
  const { stdout } = await run('curl', ['--silent', '--show-error', '--max-time', '30', ...args], {
    encoding: 'utf8',
    maxBuffer: 8 * mib,
  });
  return stdout;
}

/** A port nobody listens on, on 127.0.0.1. */
async function deadPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

test.before(async () => {
  upstream = createServer((request, response) => void answer(request, response));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamPort = (upstream.address() as AddressInfo).port;
  proxy = listen(
    'tcp:0:interface=127.0.0.1',
    httpServer(reverseProxy(`http://127.0.0.1:${upstreamPort}/`, { prefix: '/p', agent, timeout: 1 })),
  );
  proxyPort = (await proxy.address).port;
  deadProxy = listen(
    'tcp:0:interface=127.0.0.1',
    httpServer(reverseProxy(`http://127.0.0.1:${await deadPort()}/`, { agent })),
  );
  deadProxyPort = (await deadProxy.address).port;
  writeFileSync(join(dir, 'upload.bin'), Buffer.alloc(uploadSize, 'u'));
});

test.after(async () => {
  await proxy.close({ gracePeriod: 1 });
  await deadProxy.close({ gracePeriod: 1 });
  await agent.closeCachedConnections();
  upstream.closeAllConnections();
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const url = (path: string) => `http://127.0.0.1:${proxyPort}${path}`;

test('curl through the proxy: forwarding headers added, hop-by-hop fields removed both ways', async () => {
  const headersFile = join(dir, 'headers.txt');
  const body = await curl([
    '-D',
    headersFile,
    '-H',
    'Connection: X-Secret',
    '-H',
    'X-Secret: s',
    '-H',
    'Proxy-Authorization: Basic eA==',
    '-H',
    'X-Forwarded-For: 198.51.100.1',
    url('/p/echo-headers?q=1'),
  ]);
  const seen = JSON.parse(body) as { url: string; headers: Record<string, string> };
  assert.is(seen.url, '/echo-headers?q=1');
  assert.is(seen.headers.host, `127.0.0.1:${upstreamPort}`);
  assert.is(seen.headers['x-forwarded-for'], '198.51.100.1, 127.0.0.1');
  assert.is(seen.headers['x-forwarded-proto'], 'http');
  assert.is(seen.headers['x-forwarded-host'], `127.0.0.1:${proxyPort}`);
  assert.is(seen.headers.forwarded, `for=127.0.0.1;host="127.0.0.1:${proxyPort}";proto=http`);
  assert.not.ok('x-secret' in seen.headers);
  assert.not.ok('proxy-authorization' in seen.headers);
  const head = readFileSync(headersFile, 'latin1').toLowerCase();
  assert.match(head, 'x-up-kept: 1');
  assert.not.match(head, 'x-up-hop');
  assert.not.match(head, 'keep-alive: timeout');
});

/**
 * The most the buffers held live (`arrayBuffers` after a garbage collection) grow over what they
 * were before, while `work` runs, sampled every 20 ms.
 */
async function peakGrowth(work: Promise<unknown>): Promise<number> {
  await collectGarbage(1);
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let done = false;
  void work.finally(() => {
    done = true;
  });
  while (!done) {
    await collectGarbage(1);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    await sleep(20);
  }
  await work;
  return peak;
}

test('a 32 MiB upload streams up with its Content-Length while the upstream holds it, memory bounded', async () => {
  let started!: () => void;
  const holding = new Promise<void>((resolve) => {
    started = resolve;
  });
  let release!: () => void;
  uploadHeld = { started, release: new Promise<void>((resolve) => (release = resolve)) };
  const upload = curl(['-T', join(dir, 'upload.bin'), url('/p/upload')]);
  const measured = peakGrowth(
    (async () => {
      await holding;
      await sleep(500); // curl fills every buffer it can meanwhile
      release();
      return upload;
    })(),
  );
  const growth = await measured;
  uploadHeld = undefined;
  const expected = createHash('sha256');
  for await (const chunk of createReadStream(join(dir, 'upload.bin'))) expected.update(chunk as Buffer);
  assert.is(await upload, `${uploadSize} ${expected.digest('hex')} ${uploadSize}`);
  assert.ok(growth < 8 * mib, `memory grew by ${(growth / mib).toFixed(1)} MiB for a 32 MiB upload`);
});

test('a 32 MiB download streams down to a slow curl, memory bounded', async () => {
  const output = join(dir, 'download.bin');
  const download = curl(['--limit-rate', '16M', '-o', output, '-w', '%{size_download}', url('/p/download')]);
  const growth = await peakGrowth(download);
  assert.is(await download, String(downloadSize));
  // buffering the whole body would hold 32 MiB; what is bounded holds what a few socket reads and
  // write buffers carry, more on a busy machine, where each turn of the loop reads more at once
  assert.ok(growth < 12 * mib, `memory grew by ${(growth / mib).toFixed(1)} MiB for a 32 MiB download`);
});

test('trailers and 103 Early Hints come through to curl', async () => {
  const trailersFile = join(dir, 'trailers.txt');
  assert.is(await curl(['-D', trailersFile, url('/p/trailers')]), 'body');
  assert.match(readFileSync(trailersFile, 'latin1'), /\r\n\r\nX-Checksum: abc123\r\n/);
  const hintsFile = join(dir, 'hints.txt');
  assert.is(await curl(['-D', hintsFile, url('/p/hints')]), 'final');
  const hints = readFileSync(hintsFile, 'latin1');
  assert.match(
    hints,
    /^HTTP\/1\.1 103 Early Hints\r\nLink: <\/style\.css>; rel=preload; as=style\r\n\r\nHTTP\/1\.1 200 OK\r\n/,
  );
});

test('502 when nothing listens upstream; 504 when the upstream stalls past the timeout', async () => {
  const subscription = logRecords$.subscribe(() => {}); // the proxy logs each failure at info
  try {
    const down = await curl(['-w', '%{http_code}', '-o', '/dev/null', `http://127.0.0.1:${deadProxyPort}/x`]);
    assert.is(down, '502');
    const stalled = await curl(['-w', '%{http_code}', '-o', '/dev/null', url('/p/stall')]);
    assert.is(stalled, '504');
  } finally {
    subscription.unsubscribe();
  }
});

test('curl giving up cancels the upstream request: its connection closes', async () => {
  cancelled.length = 0;
  await curl(['--max-time', '0.3', url('/p/stall')]).catch(() => undefined); // curl exits 28
  for (let waited = 0; cancelled.length === 0 && waited < 50; waited++) await sleep(20);
  assert.equal(cancelled, ['/stall']);
});

test.run();
