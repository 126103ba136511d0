import { firstValueFrom, map, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Address } from '../../source/address.js';
import type { Connection } from '../../source/connection.js';
import { Deferred, fail, succeed } from '../../source/deferred.js';
import { listen } from '../../source/endpoints.js';
import { CannotListenError, ConnectionLost, ServerClosedError } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import { type LogRecord, logRecords$ } from '../../source/log.js';
import { type Protocol, protocol, type Session } from '../../source/protocol.js';
import {
  connectionOptionsOf,
  type ListenOptions,
  ServerBase,
  type ServerEvent,
  type StreamListenOptions,
} from '../../source/server.js';
import { checkClean, trackedClock } from '../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../source/testing/memory-reactor.js';
import type { MemoryServer } from '../../source/testing/memory-server.js';
import { StringTransport } from '../../source/testing/string-transport.js';
import { failureOf } from '../support/failure-of.js';

const test = checkClean(suite('source/server'));

/** Collects log records until `stop()`. */
function captureLogs() {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return { records, stop: () => subscription.unsubscribe() };
}

/** A memory server on a tracked virtual clock (pending timers fail the test). */
function memoryServer(options: StreamListenOptions = {}, serve?: Protocol) {
  const clock = trackedClock();
  const reactor = new MemoryReactor({ clock });
  const server = reactor.listenStream({ type: 'tcp', port: 0 }, options, serve);
  return { clock, reactor, server };
}

/** A recording connection from the peer `memory:NAME`. */
function peer(name: string, options: { closeImmediately?: boolean } = {}): StringTransport {
  return new StringTransport({ remoteAddress: { type: 'memory', name }, ...options });
}

const nameOf = (connection: Connection) => (connection.remoteAddress as { name: string }).name;

/** A session whose drain the test settles: it records each deadline it was given. */
function controlledDrain() {
  const deadlines: number[] = [];
  const settle = new Deferred<void>();
  const session: Session = {
    drain: (deadline) => {
      deadlines.push(deadline);
      return settle;
    },
  };
  return { deadlines, settle, session };
}

test('a protocol serves each accepted connection before events$ and connections$ see it', () => {
  const order: string[] = [];
  const { server } = memoryServer(
    {},
    protocol((conn) => {
      order.push(`serve ${nameOf(conn)} (open: ${server.connections.has(conn)})`);
    }),
  );
  server.events$.subscribe((event) => {
    if (event.type === 'connection') order.push(`events$ ${nameOf(event.connection)}`);
  });
  server.connections$.subscribe((conn) => order.push(`connections$ ${nameOf(conn)}`));
  server.accept(peer('a'));
  server.accept(peer('b'));
  assert.equal(order, [
    'serve a (open: true)',
    'events$ a',
    'connections$ a',
    'serve b (open: true)',
    'events$ b',
    'connections$ b',
  ]);
  assert.is(server.stats.accepted, 2);
  server.close();
});

test("halfClose: true keeps a connection writable after the peer's FIN; false closes it after the answer", () => {
  const answerLater = protocol(
    (conn) => {
      conn.data$.subscribe({
        complete: () =>
          clock.callLater(1, () => {
            conn.write('late answer');
            conn.close();
          }),
      });
    },
    { halfClose: true },
  );
  const { clock, server: halfOpen } = memoryServer({}, answerLater);
  assert.equal(halfOpen.connectionOptions, { allowHalfOpen: true });
  const waiting = new StringTransport(halfOpen.connectionOptions);
  halfOpen.accept(waiting);
  waiting.receiveEnd();
  assert.ok(waiting.writable, 'writable after the FIN');
  assert.not.ok(waiting.closedByProtocol);
  clock.advance(1);
  assert.is(waiting.text(), 'late answer');
  assert.ok(waiting.closedByProtocol);

  const answerAtOnce = protocol((conn) => conn.data$.subscribe({ complete: () => conn.write('bye') }));
  const { server: closing } = memoryServer({}, answerAtOnce);
  assert.equal(closing.connectionOptions, { allowHalfOpen: false });
  const done = new StringTransport(closing.connectionOptions);
  closing.accept(done);
  done.receiveEnd();
  assert.is(done.text(), 'bye', 'the answer is written before the close');
  assert.ok(done.closedByProtocol);
  assert.not.ok(done.aborted);
  halfOpen.close();
  closing.close();
});

test("without halfClose the connection closes on the peer's FIN only after its answer has flushed", async () => {
  const clock = trackedClock();
  const reactor = new MemoryReactor({ clock, highWaterMark: 1024 });
  const answer = 'z'.repeat(100_000); // far more than the memory pair buffers
  const server = reactor.listenStream(
    { type: 'tcp', port: 7 },
    {},
    protocol((conn) => conn.data$.subscribe({ complete: () => conn.write(answer) })),
  );
  const client = await reactor.connectStream({ type: 'tcp', host: '127.0.0.1', port: 7 });
  const received = firstValueFrom(client.data$.pipe(toArray()));
  client.end();
  assert.is(Buffer.concat(await received).toString().length, answer.length);
  await reactor.flush();
  assert.is(server.connections.size, 0);
  assert.equal(server.stats, { accepted: 1, refused: 0, lost: 0 });
  await server.close();
});

test('connectionOptionsOf takes half-close from the protocol, or without one from allowHalfOpen', () => {
  const halfClosing = protocol(() => {}, { halfClose: true });
  assert.equal(
    connectionOptionsOf({ endpoint: 'tcp:1', protocol: halfClosing, options: { readHighWaterMark: 10 } }),
    { readHighWaterMark: 10, allowHalfOpen: true },
  );
  assert.equal(connectionOptionsOf({ endpoint: 'tcp:1', protocol: protocol(() => {}), options: {} }), {
    allowHalfOpen: false,
  });
  assert.equal(
    connectionOptionsOf({ endpoint: 'tcp:1', protocol: undefined, options: { allowHalfOpen: true } }),
    {
      allowHalfOpen: true,
    },
  );
  assert.equal(connectionOptionsOf({ endpoint: 'tcp:1', protocol: undefined, options: {} }), {
    allowHalfOpen: false,
  });
});

test('close() drains each session with the deadline now + gracePeriod, and closes its connection once it settles', async () => {
  const first = controlledDrain();
  let resolveSecond!: () => void;
  const secondDeadlines: number[] = [];
  const sessions = [
    first.session,
    {
      drain: (deadline: number) => {
        secondDeadlines.push(deadline);
        return new Promise<void>((resolve) => {
          resolveSecond = resolve;
        });
      },
    },
  ];
  const { clock, server } = memoryServer(
    { gracePeriod: 5 },
    { serve: () => sessions.shift(), name: 'drained' },
  );
  const a = peer('a');
  const b = peer('b');
  server.accept(a);
  server.accept(b);
  clock.advance(7);
  const closing = server.close();
  assert.equal(first.deadlines, [12]);
  assert.equal(secondDeadlines, [12]);
  assert.not.ok(a.closedByProtocol, 'a connection stays open while its session drains');
  assert.not.ok(b.closedByProtocol);
  first.settle.callback(undefined);
  assert.ok(a.closedByProtocol, 'closed once its drain fired');
  assert.not.ok(a.aborted);
  assert.not.ok(b.closedByProtocol);
  assert.not.ok(closing.called);
  resolveSecond();
  await closing;
  assert.ok(b.closedByProtocol, 'a drain that returns a promise works as well');
  assert.not.ok(b.aborted);
  assert.is(clock.getDelayedCalls().length, 0, 'the grace timer is cancelled');
});

test('a drain that fails is logged with the peer, and its connection is still closed', () => {
  const logs = captureLogs();
  const sessions: Session[] = [
    {
      drain: () => {
        throw new Error('drain bug');
      },
    },
    { drain: () => fail(new Error('drain failed later')) },
  ];
  const { clock, server } = memoryServer({}, { serve: () => sessions.shift() });
  const a = peer('a');
  const b = peer('b');
  server.accept(a);
  server.accept(b);
  const closing = server.close();
  logs.stop();
  assert.ok(a.closedByProtocol && b.closedByProtocol);
  assert.not.ok(a.aborted || b.aborted);
  assert.ok(closing.called);
  assert.is(clock.getDelayedCalls().length, 0);
  assert.equal(
    logs.records.map((record) => [record.level, record.message, record.fields?.peer]),
    [
      ['error', 'draining the connection from memory:a failed', 'memory:a'],
      ['error', 'draining the connection from memory:b failed', 'memory:b'],
    ],
  );
  assert.match(String((logs.records[0]!.error as Failure).value), 'drain bug');
  assert.match(String((logs.records[1]!.error as Failure).value), 'drain failed later');
});

test('connections without a session are closed gracefully at once; the grace timer goes once all are closed', () => {
  const { clock, server } = memoryServer(
    { gracePeriod: 5 },
    protocol((conn) => conn.data$.subscribe(conn)), // returns a Subscription: not a session
  );
  const slow = peer('slow', { closeImmediately: false });
  const quick = peer('quick');
  server.accept(slow);
  server.accept(quick);
  const closing = server.close();
  assert.ok(slow.closedByProtocol && quick.closedByProtocol, 'both closed at once');
  assert.not.ok(slow.aborted || quick.aborted);
  assert.is(clock.getDelayedCalls().length, 1, 'one grace timer while one is still closing');
  assert.not.ok(closing.called);
  slow.loseConnection();
  assert.ok(closing.called);
  assert.is(clock.getDelayedCalls().length, 0, 'the grace timer is cancelled when all closed early');
  assert.equal(server.stats, { accepted: 2, refused: 0, lost: 0 });
});

test('one grace timer aborts whatever is still open at the deadline', () => {
  const draining = controlledDrain();
  let served = 0;
  const { clock, server } = memoryServer(
    { gracePeriod: 5 },
    { serve: () => (served++ < 2 ? draining.session : undefined) },
  );
  const connections = [peer('a'), peer('b'), peer('c', { closeImmediately: false })];
  for (const connection of connections) server.accept(connection);
  const closing = server.close();
  assert.is(clock.getDelayedCalls().length, 1, 'one timer for all connections');
  assert.is(clock.getDelayedCalls()[0]!.getTime(), 5);
  clock.advance(4.999);
  assert.ok(connections.every((connection) => !connection.aborted));
  clock.advance(0.001);
  assert.ok(connections.every((connection) => connection.aborted));
  assert.ok(closing.called);
  assert.equal(server.stats, { accepted: 3, refused: 0, lost: 3 });
  draining.settle.callback(undefined); // a drain settling after the deadline changes nothing
  assert.ok(server.closed.called);
});

test('close({ gracePeriod }) overrides the listen option; without either the grace period is 10 s', () => {
  const overridden = controlledDrain();
  const { clock, server } = memoryServer({ gracePeriod: 30 }, { serve: () => overridden.session });
  server.accept(peer('a'));
  server.close({ gracePeriod: 2 });
  assert.equal(overridden.deadlines, [2]);
  assert.equal(
    clock.getDelayedCalls().map((call) => call.getTime()),
    [2],
  );
  clock.advance(2);
  assert.ok(server.closed.called);

  const fallback = controlledDrain();
  const { clock: clock2, server: plain } = memoryServer({}, { serve: () => fallback.session });
  plain.accept(peer('b'));
  plain.close();
  assert.equal(fallback.deadlines, [10]);
  clock2.advance(10);
  assert.ok(plain.closed.called);
});

test('a full server refuses arrivals with a warning, a closing one at debug level; both count in stats.refused', () => {
  const logs = captureLogs();
  const served: string[] = [];
  const { server } = memoryServer(
    { maxConnections: 1 },
    protocol((conn) => served.push(nameOf(conn))),
  );
  const accepted: string[] = [];
  server.connections$.subscribe((conn) => accepted.push(nameOf(conn)));
  const first = peer('first');
  const over = peer('over');
  server.accept(first);
  server.accept(over);
  assert.ok(over.aborted);
  assert.not.ok(first.aborted);
  assert.equal(server.stats, { accepted: 1, refused: 1, lost: 0 });
  first.loseConnection();
  const roomAgain = peer('room');
  server.accept(roomAgain);
  assert.not.ok(roomAgain.aborted, 'a closed connection makes room');
  const closing = server.close();
  const late = peer('late');
  server.accept(late);
  assert.ok(late.aborted);
  logs.stop();
  assert.equal(served, ['first', 'room']);
  assert.equal(accepted, ['first', 'room']);
  assert.equal(server.stats, { accepted: 2, refused: 2, lost: 0 });
  assert.equal(
    logs.records.map((record) => [record.level, record.message, record.fields?.peer]),
    [
      ['warn', 'refusing the connection from memory:over: 1 connections open', 'memory:over'],
      ['debug', 'refusing the connection from memory:late: the server is closing', 'memory:late'],
    ],
  );
  assert.ok(closing.called);
});

test('maxConnectionsPerPeer refuses a peer past its limit with a warning, counted in stats.refused; others still come', () => {
  const logs = captureLogs();
  const { server } = memoryServer(
    { maxConnectionsPerPeer: 2 },
    protocol(() => {}),
  );
  const fromA = [peer('a'), peer('a'), peer('a')];
  for (const connection of fromA) server.accept(connection);
  const fromB = peer('b');
  server.accept(fromB);
  assert.equal(
    [...fromA, fromB].map((connection) => connection.aborted),
    [false, false, true, false],
  );
  assert.equal(server.stats, { accepted: 3, refused: 1, lost: 0 });
  fromA[0]!.loseConnection();
  const again = peer('a');
  server.accept(again);
  assert.not.ok(again.aborted, 'a closed connection makes room for its peer');
  logs.stop();
  assert.equal(
    logs.records.map((record) => [record.level, record.message, record.fields?.peer]),
    [['warn', 'refusing the connection from memory:a: 2 connections open from memory:a', 'memory:a']],
  );
  for (const connection of server.connections) connection.abort();
  server.close();
});

test('maxConnections and maxConnectionsPerPeer must be positive whole numbers', () => {
  assert.throws(
    () => memoryServer({ maxConnectionsPerPeer: 0 }),
    /maxConnectionsPerPeer must be a positive whole number, not 0/,
  );
  assert.throws(
    () => memoryServer({ maxConnections: 1.5 }),
    /maxConnections must be a positive whole number, not 1.5/,
  );
});

test('stats count accepted connections, and lost ones: a reset or an abort counts, a clean close does not', () => {
  const { server } = memoryServer(
    {},
    protocol((conn) => {
      conn.data$.subscribe({
        next: (chunk) => {
          if (Buffer.from(chunk).toString() === 'abort') conn.abort();
        },
        error: () => {},
      });
    }),
  );
  const [finned, closed, reset, aborted, open] = ['fin', 'close', 'reset', 'abort', 'open'].map((name) =>
    peer(name),
  ) as [StringTransport, StringTransport, StringTransport, StringTransport, StringTransport];
  for (const connection of [finned, closed, reset, aborted, open]) server.accept(connection);
  finned.receiveEnd();
  closed.loseConnection();
  reset.loseConnection(new ConnectionLost('connection reset by peer'));
  aborted.receive('abort');
  assert.equal(server.stats, { accepted: 5, refused: 0, lost: 2 });
  assert.equal([...server.connections], [open]);
  server.close();
  assert.equal(server.stats, { accepted: 5, refused: 0, lost: 2 }, 'a graceful close is not a loss');
});

test('a protocol whose serve throws: logged with the peer, that connection aborted, the others served', () => {
  const logs = captureLogs();
  const bug = new Error('serve bug');
  const { server } = memoryServer(
    {},
    protocol(
      (conn) => {
        if (nameOf(conn) === 'bad') throw bug;
        conn.data$.subscribe(conn);
      },
      { name: 'echo' },
    ),
  );
  const emitted: string[] = [];
  server.connections$.subscribe((conn) => emitted.push(nameOf(conn)));
  const before = peer('before');
  const bad = peer('bad');
  const after = peer('after');
  server.accept(before);
  server.accept(bad);
  server.accept(after);
  logs.stop();
  assert.ok(bad.aborted);
  assert.not.ok(before.aborted || after.aborted);
  after.receive('still served');
  assert.is(after.text(), 'still served');
  assert.equal(emitted, ['before', 'after'], 'the failed connection is not emitted');
  assert.ok(server.listening);
  assert.equal(
    logs.records.map((record) => [record.level, record.message, record.fields?.peer, record.error]),
    [['error', 'the echo failed on the connection from memory:bad: aborting it', 'memory:bad', bug]],
  );
  assert.equal(server.stats, { accepted: 3, refused: 0, lost: 1 });
  server.close();
});

test('a connections$ subscriber that throws is logged with the peer and its connection aborted; the rest go on', () => {
  const logs = captureLogs();
  const { server } = memoryServer();
  const byFunction: string[] = [];
  const byObserver: string[] = [];
  const healthy: string[] = [];
  let observerCompleted = false;
  server.connections$.subscribe((conn) => {
    byFunction.push(nameOf(conn));
    if (nameOf(conn) === 'a') throw new Error('function subscriber bug');
  });
  server.connections$.subscribe({
    next(conn) {
      byObserver.push(nameOf(conn));
      if (nameOf(conn) === 'b') throw new Error('observer subscriber bug');
    },
    complete: () => {
      observerCompleted = true;
    },
  });
  server.connections$.subscribe((conn) => healthy.push(nameOf(conn)));
  const events: string[] = [];
  server.events$.subscribe((event) => events.push(event.type));
  const [a, b, c] = [peer('a'), peer('b'), peer('c')];
  server.accept(a);
  server.accept(b);
  server.accept(c);
  logs.stop();
  assert.ok(a.aborted && b.aborted);
  assert.not.ok(c.aborted);
  assert.equal(byFunction, ['a', 'b', 'c'], 'the function subscriber stays subscribed');
  assert.equal(byObserver, ['a', 'b', 'c'], 'the observer stays subscribed');
  assert.equal(healthy, ['a', 'b', 'c'], 'the other subscribers get every connection');
  assert.equal(events, ['listening', 'connection', 'connection', 'connection']);
  assert.ok(server.listening);
  assert.equal(
    logs.records.map((record) => [record.level, record.message, record.fields?.peer, String(record.error)]),
    [
      [
        'error',
        'a connections$ subscriber failed on the connection from memory:a: aborting it',
        'memory:a',
        'Error: function subscriber bug',
      ],
      [
        'error',
        'a connections$ subscriber failed on the connection from memory:b: aborting it',
        'memory:b',
        'Error: observer subscriber bug',
      ],
    ],
  );
  server.close();
  assert.ok(observerCompleted, "the observer's complete is still called when the server closes");
});

test('piped connections$ subscribers get every connection and count as handling them', () => {
  const logs = captureLogs();
  const { server } = memoryServer();
  const names: string[] = [];
  const subscription = server.connections$.pipe(map(nameOf)).subscribe((name) => names.push(name));
  const [a, b] = [peer('a'), peer('b')];
  server.accept(a);
  server.accept(b);
  assert.equal(names, ['a', 'b']);
  assert.not.ok(a.aborted || b.aborted);
  subscription.unsubscribe();
  const unhandled = peer('c');
  server.accept(unhandled);
  logs.stop();
  assert.ok(unhandled.aborted, 'once unsubscribed, nobody handles connections');
  assert.equal(
    logs.records.map((record) => record.message),
    ['nobody handles connections: closing the one from memory:c'],
  );
  server.close();
});

test("each read of address is a Deferred of its own: one read's callbacks do not change another's result", async () => {
  const { server } = memoryServer();
  const first = server.address;
  assert.is.not(first, server.address);
  let changed: unknown;
  first
    .addCallback(() => 'changed')
    .addCallback((value) => {
      changed = value;
    });
  assert.is(changed, 'changed');
  assert.equal(await server.address, server.boundAddress);
  assert.equal(await server.address, { type: 'tcp', host: '0.0.0.0', port: 49152, family: 'IPv4' });
  server.close();
});

test('the address is typed by the endpoint kind: a tcp: server has a port, a unix: server a path', async () => {
  const reactor = new MemoryReactor();
  const tcp = listen('tcp:0:interface=127.0.0.1', { reactor });
  const unix = listen('unix:/tmp/typed.sock', { reactor });
  const port: number = (await tcp.address).port;
  const path: string = (await unix.address).path;
  // @ts-expect-error: a Unix address has no port
  const none: unknown = (await unix.address).port;
  assert.is(port, 49152);
  assert.is(path, '/tmp/typed.sock');
  assert.is(none, undefined);
  tcp.close();
  unix.close();
});

/** A server that binds when the test says so (`bind`), or fails to (`failToBind`). */
class ManualServer extends ServerBase {
  stoppedListening = 0;
  constructor(endpoint: string, clock = trackedClock()) {
    super({ endpoint, protocol: undefined, options: {} }, clock);
  }
  bind(address: Address): void {
    this.listeningOn(address);
  }
  failToBind(error: Error): void {
    this.failed(error);
  }
  protected stopListening(): Deferred<void> {
    this.stoppedListening++;
    return succeed(undefined);
  }
}

test('a server closed before it listened errbacks its address with ServerClosedError, and never listens', () => {
  const logs = captureLogs();
  const server = new ManualServer('tcp:8080');
  const events: string[] = [];
  server.events$.subscribe((event) => events.push(event.type));
  const waiting = server.address;
  void server.address; // a read nobody handles: the failure counts as reported, nothing more is logged
  const closing = server.close();
  server.bind({ type: 'tcp', host: '127.0.0.1', port: 8080, family: 'IPv4' }); // it comes up too late
  logs.stop();
  const failure = failureOf(waiting);
  assert.instance(failure?.value, ServerClosedError);
  assert.is(failure!.value.message, 'the server on tcp:8080 closed before it listened');
  assert.instance(failureOf(server.address)?.value, ServerClosedError, 'a later read fails alike');
  assert.ok(closing.called && server.closed.called);
  assert.is(server.stoppedListening, 1);
  assert.not.ok(server.listening);
  assert.equal(events, ['close']);
  assert.equal(logs.records, [], 'closing early is not an error');
});

test('a failure to listen becomes a CannotListenError with its code, logged once; a later one is a warning', () => {
  const logs = captureLogs();
  const failing = new ManualServer('tcp:80');
  const events: ServerEvent[] = [];
  failing.events$.subscribe((event) => events.push(event));
  failing.failToBind(Object.assign(new Error('listen EACCES: permission denied'), { code: 'EACCES' }));
  const failure = failureOf(failing.address)?.value as CannotListenError;
  assert.instance(failure, CannotListenError);
  assert.is(failure.message, 'cannot listen on tcp:80: listen EACCES: permission denied');
  assert.is(failure.reason, 'EACCES');
  assert.is(failure.endpoint, 'tcp:80');
  assert.ok(failing.closed.called);
  assert.equal(
    events.map((event) => event.type),
    ['error', 'close'],
  );

  const listening = new ManualServer('tcp:81');
  listening.bind({ type: 'tcp', host: '127.0.0.1', port: 81, family: 'IPv4' });
  const later = new Error('accept failed: EMFILE');
  const laterEvents: ServerEvent[] = [];
  listening.events$.subscribe((event) => laterEvents.push(event));
  listening.failToBind(later);
  logs.stop();
  assert.ok(listening.listening, 'a failure once listening does not close the server');
  assert.equal(laterEvents.at(-1), { type: 'error', error: later });
  assert.equal(
    logs.records.map((record) => [record.level, record.message]),
    [
      ['error', 'cannot listen on tcp:80: listen EACCES: permission denied'],
      ['warn', 'the server on tcp:81 failed: accept failed: EMFILE'],
    ],
  );
  listening.close();
});

test('listen with a protocol and allowHalfOpen throws a TypeError and starts nothing', () => {
  const reactor = new MemoryReactor();
  const echo = protocol((conn) => conn.send(conn.data$), { name: 'echo' });
  assert.throws(
    // @ts-expect-error: allowHalfOpen is not a ListenOptions; the protocol declares it (halfClose)
    () => listen('tcp:7', echo, { reactor, allowHalfOpen: true }),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message ===
        'listen: allowHalfOpen is for servers without a protocol; the echo declares it as halfClose',
  );
  assert.throws(
    () => listen('tcp:7', echo, { reactor, allowHalfOpen: false } as ListenOptions),
    (error: unknown) => error instanceof TypeError,
  );
  assert.is(reactor.listens.length, 0);
});

test('listen takes an endpoint and a protocol with options, or options only', () => {
  const reactor = new MemoryReactor();
  const echo = protocol((conn) => conn.send(conn.data$), { name: 'echo', halfClose: true });
  const withProtocol = listen('tcp:7', echo, { reactor, maxConnections: 2 });
  const optionsOnly = listen('tcp:8', { reactor, allowHalfOpen: true, maxConnections: 3 });
  const bare = listen('unix:/tmp/bare.sock', { reactor });
  assert.is(withProtocol.protocol, echo);
  assert.is(optionsOnly.protocol, undefined);
  assert.is(bare.protocol, undefined);
  assert.equal(
    reactor.listens.map((call) => [
      call.endpoint,
      call.protocol,
      (call.options as ListenOptions).maxConnections,
    ]),
    [
      [{ type: 'tcp', port: 7 }, echo, 2],
      [{ type: 'tcp', port: 8 }, undefined, 3],
      [{ type: 'unix', path: '/tmp/bare.sock' }, undefined, undefined],
    ],
  );
  assert.equal((withProtocol as MemoryServer).connectionOptions, { allowHalfOpen: true });
  assert.equal((optionsOnly as MemoryServer).connectionOptions, { allowHalfOpen: true });
  assert.equal((bare as MemoryServer).connectionOptions, { allowHalfOpen: false });
  for (const server of [withProtocol, optionsOnly, bare]) server.close();
});

test('a server with neither protocol nor subscribers closes arriving connections with a warning', () => {
  const logs = captureLogs();
  const { server } = memoryServer();
  const unhandled = peer('nobody');
  server.accept(unhandled);
  assert.ok(unhandled.aborted);
  const events = server.events$.subscribe();
  const watched = peer('watched');
  server.accept(watched);
  assert.not.ok(watched.aborted, 'an events$ subscriber handles connections too');
  events.unsubscribe();
  logs.stop();
  assert.equal(
    logs.records.map((record) => [record.level, record.message, record.fields?.peer]),
    [['warn', 'nobody handles connections: closing the one from memory:nobody', 'memory:nobody']],
  );
  assert.equal(server.stats, { accepted: 2, refused: 0, lost: 1 });
  server.close();
});

test.run();
