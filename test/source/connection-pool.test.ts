import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../source/connection.js';
import {
  ConnectionPool,
  type ConnectionPoolOptions,
  type PooledConnection,
} from '../../source/connection-pool.js';
import { Deferred, fail, succeed } from '../../source/deferred.js';
import { CancelledError, ConnectionRefusedError } from '../../source/errors.js';
import { checkClean, trackedClock } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';
import { failureOf } from '../support/failure-of.js';

const test = checkClean(suite('source/connection-pool'));

const origin = 'http://example.test:80';

/** A pool whose connections are StringTransports, opened at once, on a tracked virtual clock. */
function pool(options: Partial<ConnectionPoolOptions> = {}) {
  const clock = trackedClock();
  const opened: StringTransport[] = [];
  const origins: string[] = [];
  const instance = new ConnectionPool({
    clock,
    open: (where) => {
      origins.push(where);
      const transport = new StringTransport({ side: 'client' });
      opened.push(transport);
      return succeed<Connection>(transport);
    },
    ...options,
  });
  return { pool: instance, clock, opened, origins };
}

/** The lease a Deferred fired with (it must have fired). */
function leaseOf(d: Deferred<PooledConnection>): PooledConnection {
  let lease: PooledConnection | undefined;
  d.addCallback((value) => {
    lease = value;
    return value;
  });
  assert.ok(lease, 'the acquire should have fired');
  return lease!;
}

test('opens a connection, and lends the same one again once it is released', async () => {
  const { pool: p, opened } = pool();
  const first = leaseOf(p.acquire(origin));
  assert.is(first.reused, false);
  assert.is(first.origin, origin);
  assert.is(first.connection, opened[0]);
  assert.equal(p.stats(origin), { active: 1, idle: 0, waiting: 0 });
  first.release();
  assert.equal(p.stats(origin), { active: 0, idle: 1, waiting: 0 });
  const second = leaseOf(p.acquire(origin));
  assert.is(second.reused, true);
  assert.is(second.connection, opened[0]);
  assert.is(opened.length, 1);
  second.release();
  second.release(); // a second hand-back changes nothing
  assert.equal(p.stats(origin), { active: 0, idle: 1, waiting: 0 });
  await p.closeCachedConnections();
  assert.ok(opened[0]!.closedByProtocol);
  assert.equal(p.stats(origin), { active: 0, idle: 0, waiting: 0 });
});

test('keeps at most maxConnectionsPerOrigin open; the next caller waits and gets the one released', () => {
  const { pool: p, opened } = pool({ maxConnectionsPerOrigin: 2 });
  const a = leaseOf(p.acquire(origin));
  leaseOf(p.acquire(origin));
  const third = p.acquire(origin);
  assert.not.ok(third.called);
  assert.equal(p.stats(origin), { active: 2, idle: 0, waiting: 1 });
  const other = leaseOf(p.acquire('http://other.test:80'));
  assert.is(opened.length, 3, 'another origin has its own limit');
  a.release();
  const c = leaseOf(third);
  assert.is(c.connection, a.connection);
  assert.is(c.reused, true);
  assert.equal(p.stats(origin), { active: 2, idle: 0, waiting: 0 });
  other.abort();
  for (const t of opened) t.abort();
});

test('a place freed by close() or abort() goes to the next waiter, on a new connection', () => {
  const { pool: p, opened } = pool({ maxConnectionsPerOrigin: 1 });
  const a = leaseOf(p.acquire(origin));
  const waiting = p.acquire(origin);
  a.close();
  assert.ok(opened[0]!.closedByProtocol);
  const b = leaseOf(waiting);
  assert.is(b.connection, opened[1]);
  assert.is(b.reused, false);
  const next = p.acquire(origin);
  b.abort();
  assert.ok(opened[1]!.aborted);
  leaseOf(next).abort();
  assert.equal(p.stats(origin), { active: 0, idle: 0, waiting: 0 });
});

test('a connection that is no longer writable is closed when released, not kept', () => {
  const { pool: p, opened } = pool();
  const a = leaseOf(p.acquire(origin));
  opened[0]!.loseConnection();
  a.release();
  assert.equal(p.stats(origin), { active: 0, idle: 0, waiting: 0 });
  const b = leaseOf(p.acquire(origin));
  assert.is(b.connection, opened[1]);
  b.abort();
});

test('idle connections are closed after idleTimeout seconds of virtual time', () => {
  const { pool: p, opened, clock } = pool({ idleTimeout: 10 });
  leaseOf(p.acquire(origin)).release();
  clock.advance(9.9);
  assert.is(p.stats(origin).idle, 1);
  assert.not.ok(opened[0]!.closedByProtocol);
  clock.advance(0.1);
  assert.is(p.stats(origin).idle, 0);
  assert.ok(opened[0]!.closedByProtocol);
});

test('the timer of a connection lent out again is stopped, and restarted when it comes back', () => {
  const { pool: p, opened, clock } = pool({ idleTimeout: 4 });
  leaseOf(p.acquire(origin)).release();
  clock.advance(3);
  const again = leaseOf(p.acquire(origin)); // its deadline is cleared: the call left pending finds nothing to do
  clock.advance(10);
  assert.not.ok(opened[0]!.closedByProtocol);
  again.release();
  clock.advance(4);
  assert.ok(opened[0]!.closedByProtocol);
});

test('an idle connection the server closes, or sends bytes on, is dropped from the pool', () => {
  const { pool: p, opened } = pool();
  const a = leaseOf(p.acquire(origin));
  const b = leaseOf(p.acquire(origin));
  a.release();
  b.release();
  assert.is(p.stats(origin).idle, 2);
  opened[0]!.receiveEnd();
  assert.is(p.stats(origin).idle, 1);
  assert.ok(opened[0]!.closedByProtocol);
  opened[1]!.receive('HTTP/1.1 408 Request Timeout\r\n\r\n');
  assert.is(p.stats(origin).idle, 0);
  assert.ok(opened[1]!.aborted);
});

test('an idle connection reset by the server is dropped too', () => {
  const { pool: p, opened } = pool();
  leaseOf(p.acquire(origin)).release();
  opened[0]!.loseConnection(new Error('reset'));
  assert.is(p.stats(origin).idle, 0);
});

test('keeps at most maxIdlePerOrigin idle connections, closing the rest', () => {
  const { pool: p, opened } = pool({ maxIdlePerOrigin: 1 });
  const a = leaseOf(p.acquire(origin));
  const b = leaseOf(p.acquire(origin));
  a.release();
  b.release();
  assert.equal(p.stats(origin), { active: 0, idle: 1, waiting: 0 });
  assert.not.ok(opened[0]!.closedByProtocol);
  assert.ok(opened[1]!.closedByProtocol);
  opened[0]!.abort();
});

test('the most recently used idle connection is lent first', () => {
  const { pool: p, opened } = pool();
  const a = leaseOf(p.acquire(origin));
  const b = leaseOf(p.acquire(origin));
  a.release();
  b.release();
  assert.is(leaseOf(p.acquire(origin)).connection, opened[1]);
  for (const t of opened) t.abort();
});

test('fresh: true opens a new connection, closing the oldest idle one at the limit', () => {
  const { pool: p, opened } = pool({ maxConnectionsPerOrigin: 2 });
  const a = leaseOf(p.acquire(origin));
  const b = leaseOf(p.acquire(origin));
  a.release();
  b.release();
  const fresh = leaseOf(p.acquire(origin, { fresh: true }));
  assert.is(fresh.connection, opened[2]);
  assert.is(fresh.reused, false);
  assert.ok(opened[0]!.closedByProtocol, 'the oldest idle connection made room');
  assert.equal(p.stats(origin), { active: 1, idle: 1, waiting: 0 });
  for (const t of opened) t.abort();
});

test('a fresh waiter does not take a reused connection: it is closed and a new one opened', () => {
  const { pool: p, opened } = pool({ maxConnectionsPerOrigin: 1 });
  const a = leaseOf(p.acquire(origin));
  const waiting = p.acquire(origin, { fresh: true });
  a.release();
  assert.ok(opened[0]!.closedByProtocol);
  const b = leaseOf(waiting);
  assert.is(b.connection, opened[1]);
  b.abort();
});

test('a connection error errbacks the acquire and frees the place for the next waiter', () => {
  let refuse = true;
  const opened: StringTransport[] = [];
  const p = new ConnectionPool({
    clock: trackedClock(),
    maxConnectionsPerOrigin: 1,
    open: () => {
      if (refuse) return fail(new ConnectionRefusedError('refused'));
      const transport = new StringTransport({ side: 'client' });
      opened.push(transport);
      return succeed<Connection>(transport);
    },
  });
  const failure = failureOf(p.acquire(origin));
  assert.instance(failure?.value, ConnectionRefusedError);
  assert.equal(p.stats(origin), { active: 0, idle: 0, waiting: 0 });
  refuse = false;
  leaseOf(p.acquire(origin)).abort();
});

test('cancelling a waiting acquire leaves the queue; cancelling one connecting aborts the attempt', () => {
  const attempts: Deferred<Connection>[] = [];
  let cancelled = 0;
  const p = new ConnectionPool({
    clock: trackedClock(),
    maxConnectionsPerOrigin: 1,
    open: () => {
      const attempt = new Deferred<Connection>(() => {
        cancelled++;
      });
      attempts.push(attempt);
      return attempt;
    },
  });
  const connecting = p.acquire(origin);
  const waiting = p.acquire(origin);
  assert.equal(p.stats(origin), { active: 1, idle: 0, waiting: 1 });
  waiting.cancel();
  assert.instance(failureOf(waiting)?.value, CancelledError);
  assert.equal(p.stats(origin), { active: 1, idle: 0, waiting: 0 });
  connecting.cancel();
  assert.is(cancelled, 1);
  assert.instance(failureOf(connecting)?.value, CancelledError);
  assert.equal(p.stats(origin), { active: 0, idle: 0, waiting: 0 });
});

test('closeCachedConnections leaves lent-out connections alone, and the pool usable', async () => {
  const { pool: p, opened } = pool();
  const a = leaseOf(p.acquire(origin));
  leaseOf(p.acquire(origin)).release();
  await p.closeCachedConnections();
  assert.ok(opened[1]!.closedByProtocol);
  assert.not.ok(opened[0]!.closedByProtocol);
  a.release();
  assert.is(p.stats(origin).idle, 1);
  await p.closeCachedConnections();
});

test('refuses limits that make no sense', () => {
  const open = () => fail<Connection>(new Error('unused'));
  assert.throws(() => new ConnectionPool({ open, maxConnectionsPerOrigin: 0 }), RangeError);
  assert.throws(() => new ConnectionPool({ open, maxIdlePerOrigin: -1 }), RangeError);
  assert.throws(() => new ConnectionPool({ open, idleTimeout: -1 }), RangeError);
});

test.run();
