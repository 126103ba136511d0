import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { httpServer } from '../../protocols/http/server.js';
import { staticFiles } from '../../protocols/web/static-files.js';
import { listen, type Server } from '../../source/index.js';
import { descriptorsOn } from '../support/descriptors.js';

const run = promisify(execFile);
const test = suite('interop/static-files');

const dir = mkdtempSync(join(tmpdir(), 'spindle-static-interop-'));
const text = Array.from({ length: 20_000 }, (_, i) => `row ${i}: static files over a real socket\n`).join('');
writeFileSync(join(dir, 'hello.txt'), 'hello world\n');
writeFileSync(join(dir, 'page.txt'), text);
mkdirSync(join(dir, 'docs'));
writeFileSync(join(dir, 'docs', 'index.html'), '<h1>docs</h1>\n');
const huge = join(dir, 'huge.bin');
writeFileSync(huge, '');
truncateSync(huge, 4 * 1024 ** 3); // 4 GiB, sparse: no disk used

let server: Server;
let port = 0;

test.before(async () => {
  server = listen('tcp:0:interface=127.0.0.1', httpServer(staticFiles(dir)));
  const address = await server.address;
  port = address.type === 'tcp' ? address.port : 0;
});

test.after(async () => {
  await server.close({ gracePeriod: 1 });
  rmSync(dir, { recursive: true, force: true });
});

const url = (path: string) => `http://127.0.0.1:${port}${path}`;

async function curl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['--silent', '--show-error', '--max-time', '20', ...args], {
    encoding: 'latin1',
    maxBuffer: 64 * 1024 * 1024,
  });
}

test('curl -r: one range and several (multipart/byteranges)', async () => {
  const one = await curl(['-r', '6-10', url('/hello.txt')]);
  assert.is(one.stdout, 'world');
  const several = await curl(['-r', '0-4,6-10', '-D', '-', url('/hello.txt')]);
  assert.match(several.stdout, /^HTTP\/1\.1 206 Partial Content\r\n/);
  const boundary = /boundary=(\w+)/.exec(several.stdout)?.[1];
  assert.ok(boundary !== undefined, several.stdout);
  assert.match(several.stdout, `Content-Range: bytes 0-4/12\r\n\r\nhello\r\n--${boundary}\r\n`);
  assert.match(several.stdout, `Content-Range: bytes 6-10/12\r\n\r\nworld\r\n--${boundary}--\r\n`);
});

test('curl --compressed gets Brotli (or gzip when asked) and decodes the file exactly', async () => {
  const br = await curl(['--compressed', '-D', '-', '-o', join(dir, 'page.br.out'), url('/page.txt')]);
  assert.match(br.stdout, /Content-Encoding: br\r\n/i);
  assert.match(br.stdout, /Vary: Accept-Encoding\r\n/i);
  assert.match(br.stdout, /Transfer-Encoding: chunked\r\n/i);
  const decoded = await curl(['--compressed', url('/page.txt')]);
  assert.ok(decoded.stdout === text, 'Brotli round trip');
  const gzip = await curl(['-H', 'Accept-Encoding: gzip', '--compressed', '-D', '-', url('/page.txt')]);
  assert.match(gzip.stdout, /Content-Encoding: gzip\r\n/i);
  assert.ok(gzip.stdout.endsWith(text), 'gzip round trip');
});

test('curl -I: the headers of GET, no body; If-None-Match with the ETag → 304', async () => {
  const { stdout } = await curl(['-I', url('/page.txt')]);
  assert.match(stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(stdout, `Content-Length: ${text.length}\r\n`);
  assert.match(stdout, 'Accept-Ranges: bytes\r\n');
  assert.ok(stdout.endsWith('\r\n\r\n'));
  const etag = /ETag: ("[^"]+")/i.exec(stdout)?.[1];
  assert.ok(etag !== undefined);
  const status = await curl([
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    '-H',
    `If-None-Match: ${etag}`,
    url('/page.txt'),
  ]);
  assert.is(status.stdout, '304');
  const since = /Last-Modified: ([^\r]+)/i.exec(stdout)?.[1];
  const dated = await curl(['-o', '/dev/null', '-w', '%{http_code}', '-z', since!, url('/page.txt')]);
  assert.is(dated.stdout, '304', 'curl -z sends If-Modified-Since');
});

test('curl -L follows a folder to its slash form and index; --path-as-is .. gets 404', async () => {
  const { stdout } = await curl(['-L', '-w', ' %{url_effective}', url('/docs')]);
  assert.is(stdout, `<h1>docs</h1>\n ${url('/docs/')}`);
  const out = await curl(['--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', url('/../../etc/passwd')]);
  assert.is(out.stdout, '404');
  const encoded = await curl([
    '--path-as-is',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    url('/%2e%2e/%2e%2e/etc/passwd'),
  ]);
  assert.is(encoded.stdout, '404');
});

test('a 4 GiB file to a slow client: memory stays bounded, and the file closes when the client goes', async () => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.pause();
  socket.write(`GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n`);
  const before = process.memoryUsage();
  let peak = before.rss;
  let received = 0;
  const started = Date.now();
  while (Date.now() - started < 4000) {
    // read a little, now and then: about 2 MB/s, far below what the server could send
    socket.resume();
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    socket.pause();
    received += chunk.length;
    peak = Math.max(peak, process.memoryUsage().rss);
    await sleep(20);
  }
  const growth = (peak - before.rss) / 1024 ** 2;
  assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MiB`);
  assert.ok(received < 64 * 1024 ** 2, `the client read only ${received} bytes`);
  assert.is(descriptorsOn(huge), 1, 'the file is open while it is sent');
  socket.destroy();
  const deadline = Date.now() + 5000;
  while (descriptorsOn(huge) > 0 && Date.now() < deadline) await sleep(10);
  assert.is(descriptorsOn(huge), 0, 'the file is closed once the client is gone');
});

test.run();
