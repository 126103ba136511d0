import { timer } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../../source/clock.js';
import { type Connection, UnsupportedTransportError } from '../../../source/connection.js';
import { connect, listen } from '../../../source/endpoints.js';
import { ConnectionLost, ConnectionRefusedError } from '../../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../../source/log.js';
import { protocol } from '../../../source/protocol.js';
import type { ServerEvent } from '../../../source/server.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../../source/testing/memory-reactor.js';
import type { MemoryServer } from '../../../source/testing/memory-server.js';
import { StringTransport } from '../../../source/testing/string-transport.js';
import { failureOf } from '../../support/failure-of.js';

const test = checkClean(suite('source/testing/memory-reactor'));

/** Collects log records until `stop()`. */
function captureLogs() {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return { records, stop: () => subscription.unsubscribe() };
}

test('runs on a virtual clock, its own or the one given, also as an rxjs scheduler', () => {
  const own = new MemoryReactor();
  assert.instance(own.clock, Clock);
  const clock = new Clock();
  const reactor = new MemoryReactor({ clock });
  assert.is(reactor.clock, clock);
  const seen: string[] = [];
  reactor.callLater(2, () => seen.push('callLater'));
  timer(1000, reactor).subscribe(() => seen.push('timer'));
  assert.is(reactor.getDelayedCalls().length, 2);
  clock.advance(2);
  assert.equal(seen, ['timer', 'callLater']);
  assert.is(reactor.seconds(), 2);
  assert.is(reactor.now(), 2000);
});

test('records every listen and connect call, with its options', () => {
  const reactor = new MemoryReactor();
  const echo = protocol(() => {});
  const server = listen('tcp:8080:interface=127.0.0.1', echo, { reactor });
  const refused = connect('tcp:host=example.com:port=80', { reactor, readHighWaterMark: 10 });
  failureOf(refused);
  assert.throws(
    () => listen('udp:53', { reactor }),
    (error: unknown) => error instanceof UnsupportedTransportError,
  );
  assert.equal(
    reactor.listens.map((call) => call.endpoint),
    [
      { type: 'tcp', port: 8080, host: '127.0.0.1' },
      { type: 'udp', port: 53, family: 'udp4' },
    ],
  );
  assert.is(reactor.listens[0]!.protocol, echo);
  assert.equal(reactor.connects[0]!.endpoint, { type: 'tcp', host: 'example.com', port: 80 });
  assert.is(reactor.connects[0]!.options.readHighWaterMark, 10);
  server.close();
});

test('a server listens at once: port 0 gets a made-up port, Unix servers their path', async () => {
  const reactor = new MemoryReactor();
  const first = reactor.listenStream({ type: 'tcp', port: 0 });
  const second = reactor.listenStream({ type: 'tls', port: 0, host: '::1', tls: {} });
  const unix = reactor.listenStream({ type: 'unix', path: '/tmp/app.sock' });
  assert.ok(first.address.called);
  assert.equal(await first.address, { type: 'tcp', host: '0.0.0.0', port: 49152, family: 'IPv4' });
  assert.equal(await second.address, { type: 'tcp', host: '::1', port: 49153, family: 'IPv6' });
  assert.equal(await unix.address, { type: 'unix', path: '/tmp/app.sock' });
  const events: ServerEvent[] = [];
  first.events$.subscribe((event) => events.push(event));
  assert.equal(events, [{ type: 'listening', address: first.boundAddress }]);
  assert.equal([...reactor.servers], [first, second, unix]);
  await first.close();
  assert.equal(events.at(-1), { type: 'close' });
  assert.equal([...reactor.servers], [second, unix]);
  const taken = reactor.listenStream({ type: 'tcp', port: 49154 });
  const again = reactor.listenStream({ type: 'tcp', port: 0 });
  assert.equal(again.boundAddress, { type: 'tcp', host: '0.0.0.0', port: 49155, family: 'IPv4' });
  for (const server of [second, unix, taken, again]) server.close();
});

test('connecting where a memory server listens makes a connected pair', async () => {
  const reactor = new MemoryReactor();
  const server = listen('tcp:7', { reactor });
  const accepted: Connection[] = [];
  server.connections$.subscribe((conn) => {
    accepted.push(conn);
    conn.data$.subscribe(conn); // echo
  });
  const d = connect('tcp:host=localhost:port=7', { reactor });
  assert.ok(d.called, 'the connection is made at once');
  const client = await d;
  assert.is(accepted.length, 1);
  assert.equal(client.localAddress, { type: 'memory', name: 'client-1' });
  assert.equal(client.remoteAddress, await server.address);
  assert.equal(accepted[0]!.remoteAddress, client.localAddress);
  assert.is(client.side, 'client');
  assert.not.ok(client.secure);
  let echoed = '';
  client.data$.subscribe((chunk) => {
    echoed += Buffer.from(chunk).toString();
  });
  client.write('echo');
  await reactor.flush();
  assert.is(echoed, 'echo');
  assert.equal([...server.connections], accepted);
  client.close();
  await reactor.flush();
  assert.is(server.connections.size, 0);
  await server.close();
});

test('tls: endpoints connect to tls: servers only, with both ends secure', async () => {
  const reactor = new MemoryReactor();
  const server = reactor.listenStream(
    { type: 'tls', port: 443, tls: {} },
    {},
    protocol(() => {}),
  );
  failureOf(reactor.connectStream({ type: 'tcp', host: 'h', port: 443 }));
  const tcpFailure = failureOf(reactor.connectStream({ type: 'tcp', host: 'h', port: 443 }));
  assert.instance(tcpFailure?.value, ConnectionRefusedError);
  const client = await reactor.connectStream({ type: 'tls', host: 'h', port: 443, tls: {} });
  assert.ok(client.secure);
  assert.ok([...server.connections][0]!.secure);
  client.abort();
  await reactor.flush();
  await server.close();
});

test('Unix clients reach the server on the same path', async () => {
  const reactor = new MemoryReactor();
  const server = reactor.listenStream(
    { type: 'unix', path: '/run/a.sock' },
    {},
    protocol(() => {}),
  );
  const wrong = failureOf(reactor.connectStream({ type: 'unix', path: '/run/b.sock' }));
  assert.instance(wrong?.value, ConnectionRefusedError);
  assert.match(wrong!.value.message, /\/run\/b\.sock/);
  const client = await reactor.connectStream({ type: 'unix', path: '/run/a.sock' });
  assert.equal(client.remoteAddress, { type: 'unix', path: '/run/a.sock' });
  client.abort();
  await reactor.flush();
  await server.close();
});

test('connecting where nothing listens, or no longer, is refused', async () => {
  const reactor = new MemoryReactor();
  const nothing = failureOf(reactor.connectStream({ type: 'tcp', host: '127.0.0.1', port: 25 }));
  assert.instance(nothing?.value, ConnectionRefusedError);
  assert.match(nothing!.value.message, /127\.0\.0\.1:25/);
  const server = reactor.listenStream(
    { type: 'tcp', port: 25 },
    {},
    protocol(() => {}),
  );
  const otherPort = failureOf(reactor.connectStream({ type: 'tcp', host: '127.0.0.1', port: 26 }));
  assert.instance(otherPort?.value, ConnectionRefusedError);
  await server.close();
  const closed = failureOf(reactor.connectStream({ type: 'tcp', host: '127.0.0.1', port: 25 }));
  assert.instance(closed?.value, ConnectionRefusedError);
});

test('a memory server runs its protocol on each accepted connection before emitting it', () => {
  const reactor = new MemoryReactor();
  const order: string[] = [];
  const server = reactor.listenStream(
    { type: 'tcp', port: 1 },
    {},
    protocol((conn) => order.push(`protocol ${conn.remoteAddress.type}`)),
  );
  server.connections$.subscribe(() => order.push('connections$'));
  const transport = new StringTransport();
  server.accept(transport);
  assert.equal(order, ['protocol memory', 'connections$']);
  assert.ok(server.connections.has(transport));
  transport.loseConnection();
  assert.not.ok(server.connections.has(transport));
  server.close();
});

test('a memory server aborts connections nobody handles, over its limit, or while closing', () => {
  const logs = captureLogs();
  const reactor = new MemoryReactor();
  const nobody = reactor.listenStream({ type: 'tcp', port: 1 });
  const unhandled = new StringTransport();
  nobody.accept(unhandled);
  assert.ok(unhandled.aborted);

  const limited = reactor.listenStream(
    { type: 'tcp', port: 2 },
    { maxConnections: 1 },
    protocol(() => {}),
  );
  const one = new StringTransport();
  const two = new StringTransport();
  limited.accept(one);
  limited.accept(two);
  assert.not.ok(one.aborted);
  assert.ok(two.aborted);

  const throwing = reactor.listenStream(
    { type: 'tcp', port: 3 },
    {},
    protocol(() => {
      throw new Error('handler bug');
    }),
  );
  const victim = new StringTransport();
  throwing.accept(victim);
  assert.ok(victim.aborted);

  const closing = reactor.listenStream(
    { type: 'tcp', port: 4 },
    {},
    protocol(() => {}),
  );
  closing.close();
  const late = new StringTransport();
  closing.accept(late);
  assert.ok(late.aborted);
  logs.stop();
  assert.equal(
    logs.records.map((record) => `${record.level} ${record.message}`),
    [
      'warn nobody handles connections: closing the one from memory:peer',
      'warn refusing the connection from memory:peer: 1 connections open',
      'error the protocol failed on the connection from memory:peer: aborting it',
      'debug refusing the connection from memory:peer: the server is closing',
    ],
  );
  for (const server of [nobody, limited, throwing]) server.close();
});

test('close() closes open connections and fires once they are closed', () => {
  const reactor = new MemoryReactor();
  const server = reactor.listenStream(
    { type: 'tcp', port: 1 },
    {},
    protocol(() => {}),
  );
  const events: string[] = [];
  server.events$.subscribe({
    next: (event) => events.push(event.type),
    complete: () => events.push('complete'),
  });
  const transport = new StringTransport();
  server.accept(transport);
  const closing = server.close();
  assert.not.ok(server.listening);
  assert.ok(transport.closedByProtocol);
  assert.ok(closing.called);
  assert.ok(server.closed.called);
  assert.equal(events, ['listening', 'connection', 'close', 'complete']);
  assert.is(reactor.getDelayedCalls().length, 0, 'the grace deadline was cancelled');
  assert.ok(server.close().called, 'closing again fires at once');
});

test('close() aborts the connections still open after the grace period, on the clock', () => {
  const reactor = new MemoryReactor();
  const server: MemoryServer = reactor.listenStream(
    { type: 'tcp', port: 1 },
    { gracePeriod: 5 },
    protocol(() => {}),
  );
  const lingering = new StringTransport({ closeImmediately: false });
  server.accept(lingering);
  const closing = server.close();
  const second = server.close({ gracePeriod: 1 });
  assert.not.ok(closing.called);
  reactor.clock.advance(4.9);
  assert.not.ok(lingering.aborted);
  reactor.clock.advance(0.1);
  assert.ok(lingering.aborted);
  assert.ok(closing.called && second.called);
  let reason: unknown;
  lingering.closed.addCallback((why) => {
    reason = why;
  });
  assert.instance(reason, ConnectionLost);
});

test.run();
