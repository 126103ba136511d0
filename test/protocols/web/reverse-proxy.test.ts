import { setImmediate as turn } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent } from '../../../protocols/http/client.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { httpServer } from '../../../protocols/http/server.js';
import { reverseProxy } from '../../../protocols/web/reverse-proxy.js';
import { checkClean, MemoryReactor, StringTransport, trackedClock } from '../../../source/testing/index.js';
import { final, peer, proxySetup, until } from './_proxy-harness.js';

const test = checkClean(suite('protocols/web/reverse-proxy'));

test('forwards the path under the prefix to the base path, with the query, and answers with the upstream', async () => {
  const proxy = proxySetup();
  proxy.client.receive('GET /api/users/7?fields=name&x=%20 HTTP/1.1\r\nHost: front.test\r\n\r\n');
  await until(() => final(proxy.events()).ended);
  assert.is(proxy.seen[0]!.target, '/v1/users/7?fields=name&x=%20');
  assert.is(proxy.seen[0]!.method, 'GET');
  const answer = final(proxy.events());
  assert.is(answer.head?.status, 200);
  assert.is(answer.body, 'ok');
  proxy.client.receive('GET /api HTTP/1.1\r\nHost: front.test\r\n\r\n');
  await until(() => proxy.seen.length === 2);
  assert.is(proxy.seen[1]!.target, '/v1/');
  await proxy.done();
});

test('paths outside the prefix, and dot segments that would leave it, are 404 without asking the upstream', async () => {
  const proxy = proxySetup();
  proxy.client.receive(
    'GET /apis HTTP/1.1\r\nHost: f\r\n\r\n' +
      'GET /api/../admin HTTP/1.1\r\nHost: f\r\n\r\n' +
      'GET /api/%2e%2e/admin HTTP/1.1\r\nHost: f\r\n\r\n' +
      'GET /api/a/%2E%2e/b/./c HTTP/1.1\r\nHost: f\r\n\r\n',
  );
  await until(() => proxy.events(['GET', 'GET', 'GET', 'GET']).filter((e) => e.type === 'end').length === 4);
  const statuses = proxy
    .events(['GET', 'GET', 'GET', 'GET'])
    .flatMap((event) => (event.type === 'head' ? [event.head.status] : []));
  assert.equal(statuses, [404, 404, 404, 200]);
  assert.equal(
    proxy.seen.map((request) => request.target),
    ['/v1/b/c'],
  );
  await proxy.done();
});

test('adds X-Forwarded-For (appended), -Proto, -Host and Forwarded, and removes hop-by-hop fields going up', async () => {
  const proxy = proxySetup();
  proxy.client.receive(
    'GET /api/x HTTP/1.1\r\nHost: front.test:8443\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\n' +
      'Keep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\nTE: trailers\r\nUpgrade: h2c\r\n' +
      'X-Forwarded-For: 198.51.100.1\r\nForwarded: for=198.51.100.1\r\nX-Forwarded-Proto: https\r\n' +
      'Accept: text/html\r\nAccept: text/plain\r\n\r\n',
  );
  await until(() => proxy.seen.length === 1);
  const headers = proxy.seen[0]!.headers;
  assert.is(headers.get('host'), 'upstream.test:8080', "the upstream's Host");
  assert.is(headers.get('x-forwarded-for'), '198.51.100.1, 192.0.2.7');
  assert.is(headers.get('x-forwarded-proto'), 'http');
  assert.is(headers.get('x-forwarded-host'), 'front.test:8443');
  assert.equal(headers.getAll('forwarded'), [
    'for=198.51.100.1',
    'for=192.0.2.7;host="front.test:8443";proto=http',
  ]);
  for (const name of ['x-secret', 'keep-alive', 'proxy-authorization', 'te', 'upgrade']) {
    assert.not.ok(headers.has(name), `${name} is not forwarded`);
  }
  assert.equal(headers.getAll('accept'), ['text/html', 'text/plain'], 'end-to-end fields go as they came');
  await proxy.done();
});

test('preserveHost sends the client Host; an IPv6 client is quoted in Forwarded', async () => {
  const proxy = proxySetup({ preserveHost: true });
  const v6 = new StringTransport({
    allowHalfOpen: true,
    remoteAddress: { type: 'tcp', host: '2001:db8::1', port: 5000, family: 'IPv6' },
  });
  const app = httpServer(
    reverseProxy('http://upstream.test:8080', { agent: new Agent({ reactor: proxy.reactor }) }),
    {
      clock: proxy.clock,
    },
  );
  app.serve(v6);
  v6.receive('GET /z HTTP/1.1\r\nHost: front.test\r\n\r\n');
  proxy.client.receive('GET /api/y HTTP/1.1\r\nHost: front.test\r\n\r\n');
  await until(() => proxy.seen.length === 2);
  const byTarget = new Map(proxy.seen.map((request) => [request.target, request.headers]));
  assert.is(byTarget.get('/v1/y')!.get('host'), 'front.test');
  assert.is(byTarget.get('/z')!.get('forwarded'), 'for="[2001:db8::1]";host=front.test;proto=http');
  assert.is(byTarget.get('/z')!.get('x-forwarded-for'), '2001:db8::1');
  v6.loseConnection();
  await proxy.done();
});

test('removes hop-by-hop fields coming down, keeps the reason, the rest and a compressed body as they are', async () => {
  const proxy = proxySetup();
  proxy.respond = () =>
    'HTTP/1.1 201 Made Here\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=4\r\nProxy-Authenticate: Basic\r\n' +
    'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nGZIP';
  proxy.client.receive('GET /api/x HTTP/1.1\r\nHost: f\r\nAccept-Encoding: gzip\r\n\r\n');
  await until(() => final(proxy.events()).ended);
  const { head, body } = final(proxy.events());
  assert.is(head?.status, 201);
  assert.is(head?.reason, 'Made Here');
  for (const name of ['x-hop', 'keep-alive', 'proxy-authenticate'])
    assert.not.ok(head?.headers.has(name), name);
  assert.equal(head?.headers.getAll('set-cookie'), ['a=1', 'b=2']);
  assert.is(head?.headers.get('content-encoding'), 'gzip');
  assert.is(head?.headers.get('content-length'), '4');
  assert.is(body, 'GZIP', 'not decoded');
  assert.is(proxy.seen[0]!.headers.get('accept-encoding'), 'gzip');
  await proxy.done();
});

test('streams a request body up with its Content-Length, or chunked when it came chunked', async () => {
  const proxy = proxySetup();
  proxy.client.receive('POST /api/up HTTP/1.1\r\nHost: f\r\nContent-Length: 10\r\n\r\nhello');
  await until(() => proxy.seen.length === 1 && proxy.seen[0]!.body === 'hello');
  assert.equal(proxy.seen[0]!.framing, { kind: 'length', length: 10 });
  assert.is(final(proxy.events(['POST'])).head, undefined, 'no answer before the body is all up');
  proxy.client.receive('world');
  await until(() => final(proxy.events(['POST'])).ended);
  assert.is(proxy.seen[0]!.body, 'helloworld');
  proxy.client.clear();
  proxy.client.receive(
    'PUT /api/up HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  );
  await until(() => proxy.seen.length === 2 && final(proxy.events(['PUT'])).ended);
  assert.equal(proxy.seen[1]!.framing, { kind: 'chunked' });
  assert.is(proxy.seen[1]!.body, 'abc');
  await proxy.done();
});

test('a slow client pauses the upstream: what is read ahead stays bounded, then all of it arrives', async () => {
  const clock = trackedClock();
  const reactor = new MemoryReactor({ clock });
  const piece = 'x'.repeat(16 * 1024);
  const pieces = 256; // 4 MiB
  let pulled = 0;
  const upstreamApp = httpServer(
    () => ({
      body: (async function* () {
        for (; pulled < pieces; ) {
          pulled++;
          yield piece;
        }
      })(),
    }),
    { clock },
  );
  const upstream = reactor.listenStream({ type: 'tcp', port: 8080 }, {}, upstreamApp);
  const agent = new Agent({ reactor });
  const app = httpServer(reverseProxy('http://upstream.test:8080', { agent }), { clock });
  const client = new StringTransport({ allowHalfOpen: true, remoteAddress: peer });
  app.serve(client);
  client.setWriteBlocked(true);
  client.receive('GET /big HTTP/1.1\r\nHost: f\r\n\r\n');
  for (let i = 0; i < 200; i++) await turn();
  assert.ok(pulled > 0 && pulled < 32, `the upstream was paused after ${pulled} pieces of ${pieces}`);
  client.setWriteBlocked(false);
  let size = 0;
  await until(() => {
    const parser = new ResponseParser();
    parser.expect('GET');
    const answer = final(parser.push(client.value()));
    size = answer.body.length;
    return answer.ended;
  });
  assert.is(size, piece.length * pieces);
  client.loseConnection();
  await agent.closeCachedConnections();
  upstream.close({ gracePeriod: 0 });
  await reactor.flush();
});

test('a client that goes away before the head cancels the upstream request and closes its connection', async () => {
  const proxy = proxySetup();
  proxy.respond = () => undefined;
  proxy.client.receive('GET /api/slow HTTP/1.1\r\nHost: f\r\n\r\n');
  await until(() => proxy.seen.length === 1);
  const upstreamSide = proxy.seen[0]!.connection;
  proxy.client.loseConnection();
  await until(() => !upstreamSide.writable);
  await proxy.done();
});

test('a client that goes away during the body stops the upstream response and closes its connection', async () => {
  const proxy = proxySetup();
  proxy.respond = () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n';
  proxy.client.receive('GET /api/stream HTTP/1.1\r\nHost: f\r\n\r\n');
  await until(() => final(proxy.events()).body === 'first');
  const upstreamSide = proxy.seen[0]!.connection;
  proxy.client.loseConnection();
  await until(() => !upstreamSide.writable);
  await proxy.done();
});

test('passes trailers through after a chunked body', async () => {
  const proxy = proxySetup();
  proxy.respond = () =>
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Server-Timing\r\n\r\n' +
    '4\r\nbody\r\n0\r\nServer-Timing: db;dur=53\r\nX-Checksum: abc\r\n\r\n';
  proxy.client.receive('GET /api/t HTTP/1.1\r\nHost: f\r\n\r\n');
  await until(() => final(proxy.events()).ended);
  const { body, trailers } = final(proxy.events());
  assert.is(body, 'body');
  assert.equal(trailers?.raw(), [
    ['Server-Timing', 'db;dur=53'],
    ['X-Checksum', 'abc'],
  ]);
  await proxy.done();
});

test('passes 103 Early Hints (and 102) through before the final response, but not 100 Continue', async () => {
  const proxy = proxySetup();
  proxy.respond = () =>
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n' +
    'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nConnection: X-Hop\r\nX-Hop: 1\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  proxy.client.receive('GET /api/hints HTTP/1.1\r\nHost: f\r\n\r\n');
  await until(() => final(proxy.events()).ended);
  const heads = proxy.events().flatMap((event) => (event.type === 'head' ? [event.head] : []));
  assert.equal(
    heads.map((head) => head.status),
    [102, 103, 200],
  );
  assert.is(heads[1]!.headers.get('link'), '</a.css>; rel=preload');
  assert.not.ok(heads[1]!.headers.has('x-hop'));
  await proxy.done();
});

test('refuses an upstream that is not http(s) and a malformed prefix', () => {
  assert.throws(() => reverseProxy('ftp://x/'), TypeError);
  assert.throws(() => reverseProxy('http://x/', { prefix: 'api' }), TypeError);
  assert.throws(() => reverseProxy('http://x/', { prefix: '/api/' }), TypeError);
});

test.run();
