import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccessLogRecord } from '../../protocols/http/access-log.js';
import { type HttpHandler, type HttpServer, httpServer } from '../../protocols/http/server.js';
import { listen, type Server } from '../../source/index.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const run = promisify(execFile);
const test = suite('interop/http-server');

const { key, cert } = throwawayCertificate(); // first: if openssl fails, no folder is left behind
const dir = mkdtempSync(join(tmpdir(), 'spindle-http-interop-'));
writeFileSync(join(dir, 'cert.pem'), cert);
writeFileSync(join(dir, 'key.pem'), key);

/** Hello at `/`, the request body streamed back at `/echo`, a little JSON about the request at `/info`. */
const handler: HttpHandler = (request) => {
  if (request.path === '/echo') return { body: request.body };
  if (request.path === '/info') {
    return {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: request.method, version: request.version, secure: request.secure }),
    };
  }
  if (request.path === '/') return { headers: { 'Content-Type': 'text/plain' }, body: 'hello world\n' };
  return { status: 404, body: 'not found\n' };
};

interface Running {
  app: HttpServer;
  server: Server;
  port: number;
  connections: number;
  records: AccessLogRecord[];
}

let plain: Running;
let secure: Running;

async function start(endpoint: `tcp${string}` | `tls${string}`): Promise<Running> {
  const app = httpServer(handler);
  const server = listen(endpoint, app);
  const running: Running = { app, server, port: 0, connections: 0, records: [] };
  server.connections$.subscribe(() => running.connections++);
  app.accessLog$.subscribe((record) => running.records.push(record));
  running.port = (await server.address).port;
  return running;
}

test.before(async () => {
  plain = await start('tcp:0:interface=127.0.0.1');
  const quote = (path: string) => path.replace(/[\\:]/g, '\\$&');
  secure = await start(
    `tls:0:interface=127.0.0.1:certKey=${quote(join(dir, 'cert.pem'))}:privateKey=${quote(join(dir, 'key.pem'))}`,
  );
});

test.after(async () => {
  for (const running of [plain, secure]) {
    await running.server.close({ gracePeriod: 1 });
  }
  rmSync(dir, { recursive: true, force: true });
});

const url = (path: string) => `http://127.0.0.1:${plain.port}${path}`;

async function curl(args: string[], input?: Buffer): Promise<{ stdout: string; stderr: string }> {
  const child = run('curl', ['--silent', '--show-error', '--max-time', '20', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) child.child.stdin!.end(input);
  return child;
}

test('curl fetches several URLs over one keep-alive connection', async () => {
  const before = plain.connections;
  const { stdout, stderr } = await curl(['--verbose', url('/'), url('/info'), url('/missing')]);
  assert.is(
    stdout,
    `hello world\n${JSON.stringify({ method: 'GET', version: '1.1', secure: false })}not found\n`,
  );
  assert.match(stderr, /Re-using existing connection/);
  assert.is(plain.connections - before, 1);
});

test('curl --http1.0: answered, then the connection is closed', async () => {
  const { stdout, stderr } = await curl(['--verbose', '--http1.0', url('/info')]);
  assert.equal(JSON.parse(stdout), { method: 'GET', version: '1.0', secure: false });
  assert.match(stderr, /Connection: close/i);
});

test('curl -T - uploads chunked from stdin and gets it streamed back', async () => {
  const payload = randomBytes(3 * 1024 * 1024).toString('base64');
  const { stdout, stderr } = await curl(['--verbose', '-T', '-', url('/echo')], Buffer.from(payload));
  assert.match(stderr, /Transfer-Encoding: chunked/i);
  assert.is(stdout.length, payload.length);
  assert.ok(stdout === payload, 'the echoed body differs');
});

test('curl with Expect: 100-continue gets 100 Continue at once, then the echo', async () => {
  const file = join(dir, 'upload.txt');
  writeFileSync(file, 'x'.repeat(100_000));
  const started = Date.now();
  const { stdout, stderr } = await curl([
    '--verbose',
    '-H',
    'Expect: 100-continue',
    '--expect100-timeout',
    '10',
    '--data-binary',
    `@${file}`,
    url('/echo'),
  ]);
  assert.match(stderr, /HTTP\/1\.1 100 Continue/);
  assert.is(stdout, 'x'.repeat(100_000));
  assert.ok(Date.now() - started < 5000, 'curl did not have to wait out its expect timeout');
});

test('curl -I sends HEAD and gets the headers of GET, with no body', async () => {
  const { stdout } = await curl(['-I', url('/')]);
  assert.match(stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(stdout, /Content-Length: 12\r\n/i);
  assert.match(stdout, /Date: .* GMT\r\n/);
  assert.ok(stdout.endsWith('\r\n\r\n'));
});

test('curl over HTTPS (a tls: endpoint) with --cacert', async () => {
  const { stdout } = await curl([
    '--cacert',
    join(dir, 'cert.pem'),
    '--resolve',
    `localhost:${secure.port}:127.0.0.1`,
    `https://localhost:${secure.port}/info`,
    `https://localhost:${secure.port}/`,
  ]);
  assert.is(stdout, `${JSON.stringify({ method: 'GET', version: '1.1', secure: true })}hello world\n`);
});

test('Python’s http.client: keep-alive, a body, a chunked body', async () => {
  const script = `
import http.client, json, sys
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=10)
out = []
c.request('GET', '/')
r = c.getresponse(); out.append([r.status, r.read().decode(), r.getheader('Content-Length')])
c.request('POST', '/echo', body=b'posted body', headers={'Content-Type': 'text/plain'})
r = c.getresponse(); out.append([r.status, r.read().decode(), r.getheader('Transfer-Encoding')])
c.request('POST', '/echo', body=iter([b'chunk-one ', b'chunk-two']), encode_chunked=True)
r = c.getresponse(); out.append([r.status, r.read().decode(), r.getheader('Content-Type')])
c.request('GET', '/nope')
r = c.getresponse(); out.append([r.status, r.read().decode(), None])
out.append(c.sock is not None)
print(json.dumps(out))
`;
  const before = plain.connections;
  const { stdout } = await run('python3', ['-c', script, String(plain.port)], { encoding: 'utf8' });
  assert.equal(JSON.parse(stdout), [
    [200, 'hello world\n', '12'],
    [200, 'posted body', 'chunked'],
    [200, 'chunk-one chunk-two', null],
    [404, 'not found\n', null],
    true,
  ]);
  assert.is(plain.connections - before, 1, 'one connection for all four requests');
});

test('Node’s fetch: GET, a streamed POST, and the access log', async () => {
  const hello = await fetch(url('/'));
  assert.is(hello.status, 200);
  assert.is(hello.headers.get('content-length'), '12');
  assert.is(await hello.text(), 'hello world\n');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('streamed '));
      controller.enqueue(new TextEncoder().encode('upload'));
      controller.close();
    },
  });
  const echoed = await fetch(url('/echo'), { method: 'POST', body, duplex: 'half' } as RequestInit);
  assert.is(await echoed.text(), 'streamed upload');
  const record = plain.records.find((each) => each.method === 'POST' && each.bytes === 15);
  assert.ok(record, 'the access log has the POST');
  assert.match(record!.peer, /^127\.0\.0\.1:\d+$/);
  assert.ok(record!.completed);
});

test.run();
