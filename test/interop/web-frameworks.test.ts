import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import express from 'express';
import { Hono } from 'hono';
import { streamText } from 'hono/streaming';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type HttpHandler, httpServer } from '../../protocols/http/server.js';
import { fetchHandler } from '../../protocols/web/fetch-handler.js';
import { nodeHandler } from '../../protocols/web/node-handler.js';
import { Deferred, listen, type Server } from '../../source/index.js';

const run = promisify(execFile);
const test = suite('interop/web-frameworks');

/** Fired by the apps' streaming routes once the client has seen their first chunk (one per test). */
let go = new Deferred<void>();
/** Fired when a streaming route learns that its client went away. */
let gone = new Deferred<string>();

const hono = new Hono();
hono.post('/json', async (c) => c.json({ got: await c.req.json(), path: c.req.path }));
hono.get('/cookies', (c) => {
  c.header('Set-Cookie', 'a=1; Path=/', { append: true });
  c.header('Set-Cookie', 'b=2; Path=/', { append: true });
  return c.text('two cookies');
});
hono.put('/count', async (c) => {
  let total = 0;
  for await (const chunk of c.req.raw.body!) total += chunk.byteLength;
  return c.json({ total });
});
hono.get('/stream', (c) => {
  c.req.raw.signal.addEventListener('abort', () => gone.callback('hono: signal aborted'));
  return streamText(c, async (stream) => {
    await stream.write('first\n');
    await go;
    await stream.write('second\n');
  });
});

const app = express();
app.use(express.json());
app.post('/json', (req, res) => {
  res.json({ got: req.body, path: req.path });
});
app.get('/cookies', (_req, res) => {
  res.cookie('a', '1');
  res.cookie('b', '2');
  res.send('two cookies');
});
app.put('/count', (req, res) => {
  let total = 0;
  req.on('data', (chunk: Buffer) => {
    total += chunk.byteLength;
  });
  req.on('end', () => res.json({ total }));
});
app.get('/stream', (_req, res) => {
  res.on('close', () => {
    if (!res.writableFinished) gone.callback('express: closed before the end');
  });
  res.write('first\n');
  void go.then(() => res.end('second\n'));
});

/** Hono at /hono, Express at /express, each mounted with its basePath. */
const mounts: Record<string, HttpHandler> = {
  hono: fetchHandler(hono.fetch, { basePath: '/hono' }),
  express: nodeHandler(app, { basePath: '/express' }),
};
const site: HttpHandler = (request) =>
  mounts[request.path.split('/')[1]!]?.(request) ?? { status: 404, body: 'no such app\n' };

let server: Server;
let port = 0;

test.before(async () => {
  server = listen('tcp:0:interface=127.0.0.1', httpServer(site));
  const address = await server.address;
  if (address.type === 'tcp') port = address.port;
});

test.after(async () => {
  await server.close({ gracePeriod: 1 });
});

test.before.each(() => {
  go = new Deferred<void>();
  gone = new Deferred<string>();
});

const url = (path: string) => `http://127.0.0.1:${port}${path}`;

async function curl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('curl', ['--silent', '--show-error', '--max-time', '20', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A GET with node:http, resolved at the response head. */
async function get(path: string): Promise<IncomingMessage> {
  const request = httpRequest(url(path));
  request.end();
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  return response;
}

for (const name of ['hono', 'express']) {
  test(`${name}: curl posts JSON and gets JSON, at the app's own path`, async () => {
    const { stdout } = await curl([
      '-H',
      'Content-Type: application/json',
      '--data',
      '{"note":"hi"}',
      url(`/${name}/json`),
    ]);
    assert.equal(JSON.parse(stdout), { got: { note: 'hi' }, path: '/json' });
  });

  test(`${name}: curl sees two Set-Cookie fields`, async () => {
    const { stdout } = await curl(['--include', url(`/${name}/cookies`)]);
    assert.equal(stdout.match(/^set-cookie: .*$/gim)?.length, 2, stdout);
    assert.ok(stdout.endsWith('two cookies'));
  });

  test(`${name}: curl uploads 8 MiB chunked, streamed to the app`, async () => {
    const child = run(
      'curl',
      ['--silent', '--show-error', '--max-time', '20', '-T', '-', url(`/${name}/count`)],
      {
        encoding: 'utf8',
      },
    );
    child.child.stdin!.end(randomBytes(8 * 1024 * 1024));
    const { stdout } = await child;
    assert.equal(JSON.parse(stdout), { total: 8 * 1024 * 1024 });
  });

  test(`${name}: a streamed response arrives before its end`, async () => {
    const response = await get(`/${name}/stream`);
    assert.is(response.headers['transfer-encoding'], 'chunked');
    const [first] = (await once(response, 'data')) as [Buffer];
    assert.is(first.toString(), 'first\n');
    go.callback(undefined);
    let rest = '';
    for await (const chunk of response) rest += chunk;
    assert.is(rest, 'second\n');
  });

  test(`${name}: a client that resets the connection mid-stream is noticed by the app`, async () => {
    const response = await get(`/${name}/stream`);
    await once(response, 'data');
    response.socket.resetAndDestroy(); // a FIN alone is a half-close, which the server honours
    assert.match(await gone, name);
  });
}

test('a path no app is mounted at is a 404 from the site', async () => {
  const { stdout } = await curl(['--write-out', '%{http_code}', url('/elsewhere')]);
  assert.is(stdout, 'no such app\n404');
});

test.run();
