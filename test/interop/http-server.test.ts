import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccessLogRecord } from '../../protocols/http/access-log.js';
import type { HttpResponse } from '../../protocols/http/response.js';
import { type HttpHandler, type HttpServer, httpServer } from '../../protocols/http/server.js';
import { type Address, Deferred, listen, type Server } from '../../source/index.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const run = promisify(execFile);
const test = suite('interop/http-server');

const { key, cert } = throwawayCertificate(); // first: if openssl fails, no folder is left behind
const dir = mkdtempSync(join(tmpdir(), 'spindle-http-interop-'));
writeFileSync(join(dir, 'cert.pem'), cert);
writeFileSync(join(dir, 'key.pem'), key);

/**
 * Hello at `/`, the request body streamed back at `/echo`, a little JSON about the request at
 * `/info`, and at `/late` an answer a turn later (a Deferred fired on setImmediate).
 */
const handler: HttpHandler = (request) => {
  if (request.path === '/echo') return { body: request.body };
  if (request.path === '/late') {
    const answer = new Deferred<HttpResponse>();
    setImmediate(() => answer.callback({ body: 'late answer\n' }));
    return answer;
  }
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
let afterFin: Running;

/**
 * For each connection to `afterFin`, by the client's port (made fresh as each connection comes):
 * fires once the server has seen the client's FIN.
 */
const fins = new Map<number, Deferred<void>>();
const portOf = (address: Address): number => (address.type === 'tcp' ? address.port : -1);

/** Watches each connection to `server` for its FIN, through a second reader after the server's own. */
function watchFins(server: Server): void {
  server.connections$.subscribe((connection) => {
    const fin = new Deferred<void>();
    fins.set(portOf(connection.remoteAddress), fin);
    connection.data$.subscribe({ complete: () => fin.callback(undefined), error: () => undefined });
  });
}

/**
 * Reads the whole request body, waits until the server has seen the client's FIN, then answers a
 * turn later (a Deferred fired on setImmediate) with what it read: so the answer is written to a
 * connection the client has half-closed, never before.
 */
const afterFinHandler: HttpHandler = async (request) => {
  const text = await request.text();
  const port = portOf(request.remoteAddress);
  const fin = fins.get(port);
  if (fin === undefined) throw new Error(`the connection from port ${port} is not watched`);
  await fin;
  const answer = new Deferred<HttpResponse>();
  setImmediate(() =>
    answer.callback({ body: `after your FIN: ${request.method} with ${text.length} bytes\n` }),
  );
  return answer;
};

async function start(
  endpoint: `tcp${string}` | `tls${string}`,
  answer: HttpHandler = handler,
): Promise<Running> {
  const app = httpServer(answer);
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
  afterFin = await start('tcp:0:interface=127.0.0.1', afterFinHandler);
  watchFins(afterFin.server);
});

test.after(async () => {
  for (const running of [plain, secure, afterFin]) {
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

/**
 * A node:net client that writes `request` and half-closes at once (`socket.end()`), then reads
 * until the server's FIN; gives back what it read and its own port.
 */
async function halfClosingClient(port: number, request: string): Promise<{ received: string; port: number }> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.setEncoding('latin1');
  let received = '';
  socket.on('data', (text: string) => {
    received += text;
  });
  await once(socket, 'connect');
  const own = socket.localPort!;
  const ended = once(socket, 'end');
  socket.end(request);
  const timer = setTimeout(
    () => socket.destroy(new Error(`no FIN from the server after ${received}`)),
    10_000,
  );
  try {
    await ended;
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
  return { received, port: own };
}

/** Waits (up to 2 s) until `running` holds no connection from the client `port`, and asserts it. */
async function forgotten(running: Running, port: number): Promise<void> {
  const held = () =>
    [...running.server.connections].some(
      (connection) => connection.remoteAddress.type === 'tcp' && connection.remoteAddress.port === port,
    );
  for (let i = 0; i < 200 && held(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.not.ok(held(), 'the server still holds the connection');
}

test('a node:net client that half-closes right after its request gets the whole answer, then the server closes', async () => {
  const { received, port } = await halfClosingClient(
    afterFin.port,
    'GET /fin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
  );
  const body = 'after your FIN: GET with 0 bytes\n';
  assert.match(received, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(received, `Content-Length: ${body.length}\r\n`);
  assert.match(received, 'Connection: close\r\n', 'the last request of a half-closed connection');
  assert.ok(received.endsWith(`\r\n\r\n${body}`), JSON.stringify(received));
  await forgotten(afterFin, port);
});

test('a node:net client that half-closes right after a 100 kB body gets the answer about all of it', async () => {
  const payload = 'x'.repeat(100_000);
  const { received, port } = await halfClosingClient(
    afterFin.port,
    `POST /fin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`,
  );
  assert.match(received, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(received.endsWith('\r\n\r\nafter your FIN: POST with 100000 bytes\n'), JSON.stringify(received));
  await forgotten(afterFin, port);
});

test('Python’s socket: a request then shutdown(SHUT_WR) gets the whole answer, then the server’s FIN', async () => {
  const script = `
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
s.sendall(b'GET /fin HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n')
s.shutdown(socket.SHUT_WR)
data = b''
while True:
    chunk = s.recv(65536)
    if not chunk: break
    data += chunk
sys.stdout.write(data.decode('latin1'))
`;
  const { stdout } = await run('python3', ['-c', script, String(afterFin.port)], { encoding: 'utf8' });
  assert.match(stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(stdout, 'Connection: close\r\n');
  assert.ok(stdout.endsWith('\r\n\r\nafter your FIN: GET with 0 bytes\n'), JSON.stringify(stdout));
});

test('curl (which does not half-close) gets an answer a turn late, and Connection: close closes the connection', async () => {
  const { stdout, stderr } = await curl(['--verbose', '-H', 'Connection: close', url('/late')]);
  assert.is(stdout, 'late answer\n');
  assert.match(stderr, /< Connection: close/i);
  assert.not.match(stderr, /left intact/);
});

test.run();
