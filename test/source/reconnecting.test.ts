import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../source/connection.js';
import { ConnectionRefusedError } from '../../source/errors.js';
import { protocol } from '../../source/protocol.js';
import { reconnecting } from '../../source/reconnecting.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../source/testing/memory-reactor.js';

const test = checkClean(suite('source/reconnecting'));

/** Lets the in-memory connection machinery settle. */
const settle = (reactor: MemoryReactor) => reactor.flush();

test('retries with exponential backoff until a server listens, then emits the connection', async () => {
  const reactor = new MemoryReactor();
  const connections: Connection[] = [];
  const subscription = reconnecting('tcp:host=127.0.0.1:port=7000', {
    reactor,
    initialDelay: 1,
    factor: 2,
    jitter: 0,
  }).subscribe((conn) => connections.push(conn));
  await settle(reactor);
  assert.is(reactor.connects.length, 1, 'the first attempt is immediate');
  const waits: number[] = [];
  for (let attempt = 2; attempt <= 4; attempt++) {
    const [call] = reactor.getDelayedCalls();
    waits.push(call!.getTime() - reactor.seconds());
    reactor.clock.advance(call!.getTime() - reactor.seconds());
    await settle(reactor);
    assert.is(reactor.connects.length, attempt);
  }
  assert.equal(waits, [1, 2, 4]);
  const server = reactor.listenStream(
    { type: 'tcp', port: 7000, host: '127.0.0.1' },
    {},
    protocol(() => {}),
  );
  const [next] = reactor.getDelayedCalls();
  assert.is(next!.getTime() - reactor.seconds(), 8);
  reactor.clock.advance(8);
  await settle(reactor);
  assert.is(connections.length, 1);
  subscription.unsubscribe();
  server.close({ gracePeriod: 0 });
  await settle(reactor);
});

test('a lost connection is replaced after the initial delay', async () => {
  const reactor = new MemoryReactor();
  const accepted: Connection[] = [];
  const server = reactor.listenStream(
    { type: 'tcp', port: 7001 },
    {},
    protocol((conn) => accepted.push(conn)),
  );
  const connections: Connection[] = [];
  const subscription = reconnecting('tcp:host=127.0.0.1:port=7001', {
    reactor,
    initialDelay: 0.5,
    jitter: 0,
  }).subscribe((conn) => {
    connections.push(conn);
    conn.data$.subscribe({ error: () => {} });
  });
  await settle(reactor);
  assert.is(connections.length, 1);
  accepted[0]!.close();
  await settle(reactor);
  assert.is(reactor.getDelayedCalls()[0]!.getTime() - reactor.seconds(), 0.5);
  reactor.clock.advance(0.5);
  await settle(reactor);
  assert.is(connections.length, 2);
  subscription.unsubscribe();
  await settle(reactor);
  assert.not.ok(connections[1]!.writable, 'unsubscribing closes the current connection');
  server.close({ gracePeriod: 0 });
  await settle(reactor);
});

test('gives up after maxRetries failures in a row with the last error', async () => {
  const reactor = new MemoryReactor();
  let error: unknown;
  reconnecting('tcp:host=127.0.0.1:port=7002', { reactor, maxRetries: 2, jitter: 0 }).subscribe({
    error: (e) => {
      error = e;
    },
  });
  for (let i = 0; i < 3 && error === undefined; i++) {
    await settle(reactor);
    const [call] = reactor.getDelayedCalls();
    if (call !== undefined) reactor.clock.advance(call.getTime() - reactor.seconds());
  }
  await settle(reactor);
  assert.ok(error instanceof ConnectionRefusedError);
  assert.is(reactor.connects.length, 3);
  assert.is(reactor.getDelayedCalls().length, 0);
});

test('jitter spreads the wait around the backoff, and maxDelay caps it', async () => {
  const reactor = new MemoryReactor();
  const subscription = reconnecting('tcp:host=127.0.0.1:port=7003', {
    reactor,
    initialDelay: 100,
    maxDelay: 10,
    jitter: 0.5,
    random: () => 0.5, // cos(pi) = -1: one deviation below the mean
  }).subscribe({ error: () => {} });
  await settle(reactor);
  const [call] = reactor.getDelayedCalls();
  const wait = call!.getTime() - reactor.seconds();
  assert.ok(Math.abs(wait - (10 - 5 * Math.sqrt(-2 * Math.log(0.5)))) < 1e-9, `wait was ${wait}`);
  subscription.unsubscribe();
  assert.is(reactor.getDelayedCalls().length, 0, 'unsubscribing cancels the wait');
});

test.run();
