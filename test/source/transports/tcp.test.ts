import { once } from 'node:events';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { firstValueFrom, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { echo } from '../../../protocols/wire/index.js';
import type { InetAddress } from '../../../source/address.js';
import { Clock } from '../../../source/clock.js';
import type { Connection } from '../../../source/connection.js';
import { Deferred } from '../../../source/deferred.js';
import { connect, listen } from '../../../source/endpoints.js';
import {
  CancelledError,
  CannotListenError,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  DNSLookupError,
  ServerClosedError,
  TimeoutError,
} from '../../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../../source/log.js';
import { protocol } from '../../../source/protocol.js';
import { reactor as processReactor, Reactor } from '../../../source/reactor.js';
import type { Server, ServerEvent } from '../../../source/server.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { connectError } from '../../../source/transports/_connect-socket.js';
import type { NetServerAdapter } from '../../../source/transports/net-server-adapter.js';
import { connectTCP } from '../../../source/transports/tcp.js';
import { rejectionOf } from '../../support/failure-of.js';

/**
 * The reactor of the newer tests, on a virtual clock: the dirty-reactor check closes what a
 * failed test left on it (a server left listening would keep the run from ending).
 */
const testReactor = new Reactor({ clock: new Clock() as never });
const test = checkClean(suite('source/transports/tcp'), { reactors: [testReactor] });

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString();

async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = listen('tcp:0:interface=127.0.0.1');
  server.connections$.subscribe((conn) => conn.data$.subscribe(conn));
  const { port } = await server.address;
  return { server, port };
}

/** Fires once `condition()` holds, checking once per event-loop turn; fails after 10 s waiting for `what`. */
async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after 10 s waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A raw node:net client, for checking what Spindle does from the outside. */
async function rawClient(port: number): Promise<Socket> {
  const socket = netConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

test('listen on tcp:0 reports the real port, and events$ tells listening, connection and close', async () => {
  const server = listen('tcp:0:interface=127.0.0.1');
  const events: ServerEvent[] = [];
  server.events$.subscribe((e) => events.push(e));
  const address = await server.address;
  assert.is(address.type, 'tcp');
  assert.is(address.host, '127.0.0.1');
  assert.ok(address.port > 0);
  const socket = await rawClient(address.port);
  socket.end();
  await server.close();
  assert.equal(
    events.map((e) => e.type),
    ['listening', 'connection', 'close'],
  );
});

test('an echo through data$ piped back into the connection returns the bytes, then closes on FIN', async () => {
  const { server, port } = await echoServer();
  const client = await connect(`tcp:host=127.0.0.1:port=${port}`);
  assert.is(client.side, 'client');
  assert.is((client.remoteAddress as InetAddress).port, port);
  const received = firstValueFrom(client.data$.pipe(toArray()));
  client.write('hello ');
  client.write(new TextEncoder().encode('world'));
  client.end();
  assert.is(text(await received), 'hello world');
  const reason = await client.closed;
  assert.ok(reason instanceof ConnectionDone);
  await server.close();
});

test('bytes sent before anyone subscribes wait for the first consumer', async () => {
  const server = listen('tcp:0:interface=127.0.0.1');
  const accepted = firstValueFrom(server.connections$);
  const { port } = await server.address;
  const socket = await rawClient(port);
  socket.end('early bytes');
  const conn = await accepted;
  await new Promise((resolve) => setImmediate(resolve));
  const chunks = await firstValueFrom(conn.data$.pipe(toArray()));
  assert.is(text(chunks), 'early bytes');
  await server.close();
});

test('for await pulls the bytes and ends on FIN; a half-open connection can answer after it', async () => {
  const answerAfterFIN = protocol(
    async (conn) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of conn) chunks.push(chunk);
      conn.write(`got ${text(chunks).length} bytes`);
      conn.close();
    },
    { halfClose: true },
  );
  const server = listen('tcp:0:interface=127.0.0.1', answerAfterFIN);
  const { port } = await server.address;
  const client = await connect(`tcp:127.0.0.1:${port}`);
  const reply = firstValueFrom(client.data$.pipe(toArray()));
  client.write('x'.repeat(100_000));
  client.end();
  assert.is(text(await reply), 'got 100000 bytes');
  await server.close();
});

test('a reset errors data$ with ConnectionLost and closed says so', async () => {
  const server = listen('tcp:0:interface=127.0.0.1');
  const accepted = firstValueFrom(server.connections$);
  const { port } = await server.address;
  const socket = await rawClient(port);
  const conn = await accepted;
  const outcome = firstValueFrom(conn.data$.pipe(toArray())).then(
    () => 'completed',
    (error: unknown) => error,
  );
  socket.resetAndDestroy();
  const error = await outcome;
  assert.ok(error instanceof ConnectionLost, `expected ConnectionLost, got ${error}`);
  assert.ok((await conn.closed) instanceof ConnectionLost);
  await server.close();
});

test('abort closes at once and the peer sees the end', async () => {
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => conn.abort()),
  );
  const { port } = await server.address;
  const client = await connect(`tcp:127.0.0.1:${port}`);
  client.data$.subscribe({ error: () => {} });
  const reason = await client.closed;
  assert.ok(reason instanceof ConnectionDone || reason instanceof ConnectionLost);
  assert.not.ok(client.writable);
  assert.not.ok(client.write('dropped'));
  await server.close();
});

test('close flushes queued writes before closing', async () => {
  const payload = 'y'.repeat(2_000_000);
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => {
      conn.write(payload);
      conn.close();
    }),
  );
  const { port } = await server.address;
  const client = await connect(`tcp:127.0.0.1:${port}`);
  const chunks = await firstValueFrom(client.data$.pipe(toArray()));
  assert.is(text(chunks).length, payload.length);
  await server.close();
});

test('an observable piped in with send is written, and its completion closes the connection', async () => {
  const { of } = await import('rxjs');
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => conn.send(of('a', 'b', new Uint8Array([99])))),
  );
  const { port } = await server.address;
  const client = await connect(`tcp:127.0.0.1:${port}`);
  const chunks = await firstValueFrom(client.data$.pipe(toArray()));
  assert.is(text(chunks), 'abc');
  assert.ok((await client.closed) instanceof ConnectionDone);
  await server.close();
});

test('without allowHalfOpen the connection closes after the peer FIN, once synchronous replies are out', async () => {
  const { server, port } = await echoServer();
  const socket = await rawClient(port);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.end('ping');
  await once(socket, 'close');
  assert.is(Buffer.concat(chunks).toString(), 'ping');
  await server.close();
});

test('an error from the piped observable drops the connection and is logged', async () => {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((r) => records.push(r));
  const { server, port } = await echoServer();
  const client = await connect(`tcp:127.0.0.1:${port}`);
  const { throwError } = await import('rxjs');
  throwError(() => new Error('pipeline broke')).subscribe(client);
  assert.ok((await client.closed) instanceof ConnectionLost);
  subscription.unsubscribe();
  assert.ok(records.some((r) => r.level === 'warn' && r.message.includes('pipeline broke')));
  await server.close();
});

test('connecting where nobody listens errbacks with ConnectionRefusedError', async () => {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  try {
    await connect(`tcp:host=127.0.0.1:port=${port}`);
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof ConnectionRefusedError, String(error));
  }
});

test('connect errors map to Spindle errors by code', () => {
  const dns = connectError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'nowhere.test:80');
  assert.ok(dns instanceof DNSLookupError);
  assert.match(dns.message, 'nowhere.test');
  const other = Object.assign(new Error('y'), { code: 'EHOSTUNREACH' });
  assert.is(connectError(other, 'h:1'), other);
});

test('a connect that takes longer than its timeout errbacks with TimeoutError (virtual clock)', async () => {
  const clock = new Clock();
  const { server, port } = await echoServer();
  const attempt = connectTCP({ type: 'tcp', host: '127.0.0.1', port, timeout: 5 }, {}, clock);
  clock.advance(5); // the socket has not connected yet: connecting is asynchronous
  try {
    await attempt;
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof TimeoutError);
    assert.is((error as TimeoutError).seconds, 5);
  }
  await server.close();
});

test('cancelling a connect attempt aborts it', async () => {
  const { server, port } = await echoServer();
  const attempt = connect(`tcp:127.0.0.1:${port}`);
  attempt.cancel();
  try {
    await attempt;
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof CancelledError);
  }
  await server.close();
});

test('maxConnections closes connections past the limit at once, with a warning naming the peer', async () => {
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((record) => records.push(record));
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol(() => {}),
    { maxConnections: 1 },
  );
  const { port } = await server.address;
  const first = await connect(`tcp:127.0.0.1:${port}`);
  await new Promise((resolve) => setImmediate(resolve));
  const second = await connect(`tcp:127.0.0.1:${port}`);
  second.data$.subscribe({ error: () => {} });
  await second.closed;
  assert.is(server.connections.size, 1);
  first.abort();
  await first.closed;
  await server.close({ gracePeriod: 0 });
  logging.unsubscribe();
  const local = second.localAddress;
  assert.equal(
    records.filter((record) => record.level === 'warn').map((record) => record.message),
    [
      `refusing the connection from ${local.type === 'tcp' ? `127.0.0.1:${local.port}` : '?'}: 1 connections open`,
    ],
  );
});

test('a connection nobody handles is closed with a warning', async () => {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((r) => records.push(r));
  const server = listen('tcp:0:interface=127.0.0.1');
  const { port } = await server.address;
  const client = await connect(`tcp:127.0.0.1:${port}`);
  client.data$.subscribe({ error: () => {} });
  await client.closed;
  subscription.unsubscribe();
  assert.ok(records.some((r) => r.message.includes('nobody handles connections')));
  await server.close();
});

test('a protocol that throws drops only its connection, and the error is logged', async () => {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((r) => records.push(r));
  let calls = 0;
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => {
      calls++;
      if (calls === 1) throw new Error('handler bug');
      conn.data$.subscribe(conn);
    }),
  );
  const { port } = await server.address;
  const broken = await connect(`tcp:127.0.0.1:${port}`);
  broken.data$.subscribe({ error: () => {} });
  await broken.closed;
  const working = await connect(`tcp:127.0.0.1:${port}`);
  const echoed = firstValueFrom(working.data$.pipe(toArray()));
  working.write('still fine');
  working.end();
  assert.is(text(await echoed), 'still fine');
  subscription.unsubscribe();
  assert.ok(
    records.some(
      (r) => r.level === 'error' && r.message.includes('the protocol failed on the connection from'),
    ),
  );
  await server.close();
});

test('server close lets open connections finish within the grace period, then aborts them', async () => {
  const clock = new Clock();
  const reactor = new Reactor({ clock: clock as never });
  const idle: Connection[] = [];
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => idle.push(conn)),
    { reactor },
  );
  const { port } = await server.address;
  const client = await connect(`tcp:127.0.0.1:${port}`);
  client.data$.subscribe(); // reads, but never closes its side
  while (idle.length === 0) await new Promise((resolve) => setImmediate(resolve));
  const closed = server.close({ gracePeriod: 30 });
  assert.ok(clock.getDelayedCalls().length === 1, 'a grace-period deadline is scheduled');
  const reason = await client.closed; // the server closed its side gracefully
  assert.ok(reason instanceof ConnectionDone);
  await closed;
  assert.is(clock.getDelayedCalls().length, 0, 'the deadline is cancelled once all closed');
});

test('close drains each session first, and closes its connection once the drain has fired', async () => {
  const drained = new Deferred<void>();
  let drainCalls = 0;
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => {
      conn.data$.subscribe(conn);
      return {
        drain: () => {
          drainCalls++;
          return drained;
        },
      };
    }),
  );
  const { port } = await server.address;
  const client = await connect(`tcp:127.0.0.1:${port}`);
  client.data$.subscribe({ error: () => {} });
  while (server.connections.size === 0) await new Promise((resolve) => setImmediate(resolve));
  const closing = server.close();
  assert.is(drainCalls, 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(client.writable, 'connections stay open while the protocol drains');
  drained.callback(undefined);
  await client.closed;
  await closing;
});

test('a listen error errbacks the address with CannotListenError, is logged once, and closes the server', async () => {
  const { server, port } = await echoServer();
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((r) => records.push(r));
  const second = listen(`tcp:${port}:interface=127.0.0.1`);
  const events: ServerEvent[] = [];
  second.events$.subscribe((e) => events.push(e));
  const failure = await rejectionOf(second.address);
  assert.instance(failure, CannotListenError);
  assert.is((failure as CannotListenError).reason, 'EADDRINUSE');
  assert.is((failure as CannotListenError).endpoint, `tcp:${port}:interface=127.0.0.1`);
  assert.is(
    failure.message,
    `cannot listen on tcp:${port}:interface=127.0.0.1: the address is in use by another server (EADDRINUSE)`,
  );
  await second.closed;
  logging.unsubscribe();
  assert.equal(
    events.map((e) => e.type),
    ['error', 'close'],
  );
  assert.not.ok(processReactor.servers.has(second), 'the reactor forgot the failed server');
  assert.ok(processReactor.servers.has(server));
  assert.equal(
    records.filter((r) => r.level === 'error').map((r) => r.message),
    [
      `cannot listen on tcp:${port}:interface=127.0.0.1: the address is in use by another server (EADDRINUSE)`,
    ],
  );
  await server.close();
});

test('an interface that does not resolve is a CannotListenError saying so; the server is closed and forgotten', async () => {
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((r) => records.push(r));
  const server = listen('tcp:0:interface=not-an-ip', echo, { reactor: testReactor });
  const error = (await rejectionOf(server.address)) as CannotListenError;
  await server.closed;
  logging.unsubscribe();
  assert.instance(error, CannotListenError);
  assert.ok(error.reason === 'ENOTFOUND' || error.reason === 'EAI_AGAIN', String(error.reason));
  assert.is(
    error.message,
    `cannot listen on tcp:0:interface=not-an-ip: the interface "not-an-ip" does not resolve (${error.reason})`,
  );
  assert.equal(
    records.map((r) => `${r.level} ${r.message}`),
    [`error ${error.message}`],
  );
  assert.not.ok(testReactor.servers.has(server));
});

test('a server closed before it is bound errbacks its address with ServerClosedError, and does not stay bound', async () => {
  const server = listen('tcp:0:interface=127.0.0.1', echo, { reactor: testReactor });
  const net = (server as NetServerAdapter).netServer;
  const closing = server.close();
  const error = await rejectionOf(server.address);
  assert.instance(error, ServerClosedError);
  assert.is((error as Error).message, 'the server on tcp:0:interface=127.0.0.1 closed before it listened');
  await closing;
  await waitFor('the socket bound meanwhile to be closed', () => !net.listening);
  assert.not.ok(testReactor.servers.has(server));
});

test('the address of a tcp: server has a port, typed without a cast', async () => {
  const server = listen('tcp:0:interface=127.0.0.1', echo, { reactor: testReactor });
  const port: number = (await server.address).port; // a compile-time check as much as a runtime one
  assert.ok(port > 0);
  await server.close();
});

test('clients that connect, write and reset at once are lost quietly: debug records only, each counted as lost', async () => {
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((r) => records.push(r));
  const server = listen('tcp:0:interface=127.0.0.1', echo, { reactor: testReactor });
  const { port } = await server.address;
  const clients = 200;
  const batch = 50;
  for (let start = 0; start < clients; start += batch) {
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const socket = netConnect(port, '127.0.0.1');
        socket.on('error', () => {});
        await once(socket, 'connect');
        socket.write('gone at once');
        socket.resetAndDestroy();
      }),
    );
  }
  await waitFor(
    'every connection to be accepted and closed',
    () => server.stats.accepted === clients && server.connections.size === 0,
  );
  logging.unsubscribe();
  assert.equal(server.stats, { accepted: clients, refused: 0, lost: clients });
  assert.equal(
    records.filter((r) => r.level !== 'debug').map((r) => `${r.level} ${r.message}`),
    [],
  );
  assert.equal(
    records.filter((r) => /:0(?!\d)/.test(`${r.message} ${r.fields?.peer ?? ''}`)).map((r) => r.message),
    [],
    'an unknown peer is "an unknown address", never ":0"',
  );
  await server.close();
});

test.run();
