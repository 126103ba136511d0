import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent, request } from '../../protocols/http/client.js';
import type { Failure } from '../../source/failure.js';
import { reactor } from '../../source/reactor.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';
import { startTwistedWeb, type TwistedWeb } from '../support/twisted-web.js';

const test = checkClean(suite('interop/http-client'), { reactors: [reactor] });

/** What the node:http server saw of each request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The client's port: the same for requests on one kept-alive connection. */
  port: number;
}

/** A node:http server on 127.0.0.1 that records every request and answers with `handle`. */
async function nodeServer(handle: (seen: Seen, response: ServerResponse) => void) {
  const seen: Seen[] = [];
  let connections = 0;
  const server: Server = createServer((message, response) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => {
      const entry = {
        method: message.method!,
        url: message.url!,
        headers: message.headers,
        body: Buffer.concat(chunks).toString(),
        port: message.socket.remotePort!,
      };
      seen.push(entry);
      handle(entry, response);
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

test('node:http sees one kept-alive connection carry several requests', async () => {
  const server = await nodeServer((seen, response) => response.end(`you asked for ${seen.url}`));
  const agent = new Agent();
  try {
    for (const path of ['/a', '/b', '/c']) {
      const response = await agent.request('GET', server.url(path));
      assert.is(await response.text(), `you asked for ${path}`);
    }
    assert.is(server.connections(), 1);
    assert.is(new Set(server.seen.map((seen) => seen.port)).size, 1);
    const parallel = await Promise.all(
      [1, 2, 3].map(async (n) => (await agent.request('GET', server.url(`/${n}`))).text()),
    );
    assert.equal(parallel, ['you asked for /1', 'you asked for /2', 'you asked for /3']);
    assert.is(server.connections(), 3, 'three at once need three connections, one of them reused');
  } finally {
    await agent.closeCachedConnections();
    await server.close();
  }
});

test('node:http: a gzip body is decoded, a chunked upload arrives whole', async () => {
  const text = 'compressible '.repeat(1000);
  const server = await nodeServer((seen, response) => {
    if (seen.url === '/gzip') {
      response.setHeader('Content-Encoding', 'gzip');
      response.end(gzipSync(text));
    } else {
      response.end(`${seen.headers['transfer-encoding']}: ${seen.body.length} bytes`);
    }
  });
  const agent = new Agent();
  try {
    const gzipped = await agent.request('GET', server.url('/gzip'));
    assert.is(await gzipped.text(), text);
    assert.is(server.seen[0]!.headers['accept-encoding'], 'gzip, deflate, br');
    async function* upload() {
      for (let i = 0; i < 100; i++) yield 'x'.repeat(1000);
    }
    const uploaded = await agent.request('POST', server.url('/upload'), { body: upload() });
    assert.is(await uploaded.text(), 'chunked: 100000 bytes');
  } finally {
    await agent.closeCachedConnections();
    await server.close();
  }
});

test('node:http: redirects are followed, 302 turning a POST into a GET, 307 keeping it', async () => {
  const server = await nodeServer((seen, response) => {
    if (seen.url === '/found') response.writeHead(302, { Location: '/target' }).end('see /target');
    else if (seen.url === '/temporary') response.writeHead(307, { Location: '/target' }).end();
    else response.end(`${seen.method} ${seen.url} ${seen.body}`);
  });
  const agent = new Agent({ followRedirects: 3 });
  try {
    const found = await agent.request('POST', server.url('/found'), { body: 'form' });
    assert.is(await found.text(), 'GET /target ');
    assert.is(found.url, server.url('/target'));
    const temporary = await agent.request('POST', server.url('/temporary'), { body: 'form' });
    assert.is(await temporary.text(), 'POST /target form');
    assert.is(server.connections(), 1);
  } finally {
    await agent.closeCachedConnections();
    await server.close();
  }
});

test('the module-level request() works on the default agent', async () => {
  const server = await nodeServer((_seen, response) =>
    response.writeHead(200, { Connection: 'close' }).end('default'),
  );
  try {
    const response = await request('GET', server.url('/'));
    assert.is(await response.text(), 'default');
  } finally {
    await server.close();
  }
});

test('HTTPS to node:https is verified with the given CA, and refused without it', async () => {
  const { key, cert } = throwawayCertificate();
  const server = createHttpsServer({ key, cert }, (_message, response) => response.end('secret'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const trusting = new Agent({ tls: { ca: cert } });
  const untrusting = new Agent();
  try {
    const response = await trusting.request('GET', `https://localhost:${port}/`);
    assert.is(await response.text(), 'secret');
    let failure: Failure | undefined;
    await untrusting.request('GET', `https://localhost:${port}/`).addErrback((f) => {
      failure = f;
    });
    assert.ok(failure, 'an unknown certificate is refused');
    assert.match(failure!.value.message, /certificate/i);
  } finally {
    await trusting.closeCachedConnections();
    await untrusting.closeCachedConnections();
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

// Twisted starts inside the test, not in a before hook: uvu drops a hook's error without a word.
test('Twisted web: GET a file, HEAD it, and 404 for one that is not there', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-twisted-web-'));
  writeFileSync(join(folder, 'hello.txt'), 'hello from a file\n');
  const agent = new Agent();
  let twisted: TwistedWeb | undefined;
  try {
    twisted = await startTwistedWeb(folder);
    const base = `http://127.0.0.1:${twisted.port}`;
    const file = await agent.request('GET', `${base}/hello.txt`);
    assert.is(file.status, 200);
    assert.is(await file.text(), 'hello from a file\n');
    const head = await agent.request('HEAD', `${base}/hello.txt`);
    assert.is(head.status, 200);
    assert.is(head.headers.get('content-length'), '18');
    assert.is(await head.text(), '');
    const missing = await agent.request('GET', `${base}/missing.txt`);
    assert.is(missing.status, 404);
    await missing.discard();
    assert.equal(agent.pool.stats(base), { active: 0, idle: 1, waiting: 0 });
  } finally {
    await agent.closeCachedConnections();
    await twisted?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});

test.run();
