/**
 * Faults: the reverse proxy's upstream dies or stalls. Nothing listens (502), it answers with
 * something that is not HTTP or resets before its head (502), it says nothing within the timeout
 * (504, on the virtual clock), it dies in the middle of the response body (the client's response
 * is cut short: dropped, never complete), or while the request body streams up (502). Each time
 * the upstream connection is closed, not kept for reuse, and no Deferred is left behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type LogRecord, logRecords$ } from '../../source/log.js';
import { checkClean } from '../../source/testing/index.js';
import { final, proxySetup, until } from '../protocols/web/_proxy-harness.js';

const test = checkClean(suite('faults/reverse-proxy'));

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: f\r\n\r\n`;

test('502 when nothing listens upstream, logged', async () => {
  const logged: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => logged.push(record));
  const proxy = proxySetup({}, 'http://upstream.test:9999');
  proxy.client.receive(get('/api/x'));
  await until(() => final(proxy.events()).ended);
  subscription.unsubscribe();
  const { head, body } = final(proxy.events());
  assert.is(head?.status, 502);
  assert.is(body, '502 Bad Gateway\n');
  assert.is(logged[0]?.namespace, 'spindle.web.reverse-proxy');
  assert.is(logged[0]?.level, 'info', 'the upstream’s failure, not the proxy’s');
  assert.match(logged[0]!.message, 'GET http://upstream.test:9999/x failed');
  await proxy.done();
});

test('502 when the upstream answers with something that is not HTTP, or resets before its head; its connection is closed', async () => {
  const proxy = proxySetup();
  proxy.respond = () => 'SSH-2.0-OpenSSH\r\n';
  const subscription = logRecords$.subscribe(() => {});
  proxy.client.receive(get('/api/x'));
  await until(() => final(proxy.events()).ended);
  assert.is(final(proxy.events()).head?.status, 502);
  await until(() => !proxy.seen[0]!.connection.writable);
  proxy.client.clear();
  proxy.respond = (request) => {
    request.connection.abort();
    return undefined;
  };
  proxy.client.receive(get('/api/y'));
  await until(() => final(proxy.events()).ended);
  assert.is(final(proxy.events()).head?.status, 502);
  subscription.unsubscribe();
  await proxy.done();
});

test('504 when the upstream does not answer within the timeout, on the clock; its connection is closed', async () => {
  const proxy = proxySetup({ timeout: 5 });
  proxy.respond = () => undefined; // stalls
  const subscription = logRecords$.subscribe(() => {});
  proxy.client.receive(get('/api/slow'));
  await until(() => proxy.seen.length === 1);
  proxy.clock.advance(4.9);
  await until(() => true);
  assert.is(proxy.client.text(), '');
  proxy.clock.advance(0.2);
  await until(() => final(proxy.events()).ended);
  assert.is(final(proxy.events()).head?.status, 504);
  assert.is(final(proxy.events()).body, '504 Gateway Timeout\n');
  await until(() => proxy.seen[0]!.connection.writable === false);
  subscription.unsubscribe();
  await proxy.done();
});

test('an upstream that dies in the middle of its body: the client gets what came, then the connection is dropped, never a whole response', async () => {
  const proxy = proxySetup();
  proxy.respond = (request) => {
    request.connection.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nthe first 24 bytes of it');
    setImmediate(() => request.connection.abort());
    return undefined;
  };
  const subscription = logRecords$.subscribe(() => {});
  proxy.client.receive(get('/api/file'));
  await until(() => proxy.client.aborted);
  subscription.unsubscribe();
  const { head, body, ended } = final(proxy.events());
  assert.is(head?.status, 200, 'the status was out already');
  assert.is(head?.headers.get('content-length'), '100');
  assert.is(body, 'the first 24 bytes of it');
  assert.not.ok(ended, 'never passes for complete');
  await proxy.done();
});

test('an upstream that dies while the request body streams up: 502, and the client connection closes after it', async () => {
  const proxy = proxySetup();
  proxy.respond = () => undefined;
  const subscription = logRecords$.subscribe(() => {});
  proxy.client.receive('POST /api/upload HTTP/1.1\r\nHost: f\r\nContent-Length: 100\r\n\r\nthe first part');
  await until(() => proxy.seen.length === 1 && proxy.seen[0]!.body.length > 0);
  proxy.seen[0]!.connection.abort();
  await until(() => final(proxy.events(['POST'])).ended);
  subscription.unsubscribe();
  assert.is(final(proxy.events(['POST'])).head?.status, 502);
  assert.ok(proxy.client.ended || proxy.client.closedByProtocol, 'not kept alive: its body never all came');
  await proxy.done();
});

test.run();
