import { once } from 'node:events';
import { createServer, type Server as NetServer, connect as netConnect, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { echo } from '../../protocols/wire/index.js';
import { Clock } from '../../source/clock.js';
import { Deferred } from '../../source/deferred.js';
import { listen } from '../../source/endpoints.js';
import { CannotListenError, TimeoutError } from '../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../source/log.js';
import { type Protocol, protocol } from '../../source/protocol.js';
import { Reactor, ReactorNotRunningError } from '../../source/reactor.js';
import { runScript, startDemo, within } from '../support/demo-process.js';
import { rejectionOf } from '../support/failure-of.js';
import { collectGarbage } from '../support/gc.js';

const test = suite('source/reactor');

const quietReactor = (clock = new Clock()) => new Reactor({ clock: clock as never, shutdownGracePeriod: 5 });

/** A port held by a plain node:net server on 127.0.0.1, so that listening on it fails. */
async function heldPort(): Promise<{ port: number; holder: NetServer }> {
  const holder = createServer();
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  return { port: (holder.address() as { port: number }).port, holder };
}

/** Fires once `condition()` holds, checking once per event-loop turn; fails after 5 s waiting for `what`. */
async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after 5 s waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const inUse = (port: number) =>
  `cannot listen on tcp:${port}:interface=127.0.0.1: the address is in use by another server (EADDRINUSE)`;

test('run fires the startup triggers before, during, then after', async () => {
  const reactor = quietReactor();
  const order: string[] = [];
  reactor.addSystemEventTrigger('after', 'startup', () => order.push('after'));
  reactor.addSystemEventTrigger('before', 'startup', () => order.push('before'));
  reactor.addSystemEventTrigger('during', 'startup', () => order.push('during'));
  reactor.callWhenRunning(() => order.push('when running'));
  const stopped = reactor.run({ installSignalHandlers: false });
  assert.ok(reactor.running);
  assert.equal(order, ['before', 'during', 'after', 'when running']);
  reactor.callWhenRunning(() => order.push('now'));
  assert.is(order.at(-1), 'now');
  await reactor.stop();
  await stopped;
  assert.not.ok(reactor.running);
});

test('a shutdown trigger returning a Deferred holds the next phase until it fires', async () => {
  const reactor = quietReactor();
  const order: string[] = [];
  const flush = new Deferred<void>();
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    order.push('before');
    return flush;
  });
  reactor.addSystemEventTrigger('during', 'shutdown', () => order.push('during'));
  reactor.addSystemEventTrigger('after', 'shutdown', () => order.push('after'));
  reactor.run({ installSignalHandlers: false });
  const stopped = reactor.stop();
  assert.equal(order, ['before']);
  assert.not.ok(stopped.called);
  flush.callback(undefined);
  await stopped;
  assert.equal(order, ['before', 'during', 'after']);
});

test('a failing trigger is logged and the shutdown goes on', async () => {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((r) => records.push(r));
  const reactor = quietReactor();
  let after = false;
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    throw new Error('flush failed');
  });
  reactor.addSystemEventTrigger('after', 'shutdown', () => {
    after = true;
  });
  reactor.run({ installSignalHandlers: false });
  await reactor.stop();
  subscription.unsubscribe();
  assert.ok(after);
  assert.ok(records.some((r) => r.level === 'error' && r.message.includes('before-shutdown trigger failed')));
});

test('a removed trigger does not run', async () => {
  const reactor = quietReactor();
  let ran = false;
  const handle = reactor.addSystemEventTrigger('during', 'shutdown', () => {
    ran = true;
  });
  reactor.removeSystemEventTrigger(handle);
  reactor.run({ installSignalHandlers: false });
  await reactor.stop();
  assert.not.ok(ran);
});

test('stop(reason) ends the run in failure: run() errbacks with the reason, the first one given', async () => {
  const reactor = quietReactor();
  const flush = new Deferred<void>();
  let after = false;
  reactor.addSystemEventTrigger('before', 'shutdown', () => flush);
  reactor.addSystemEventTrigger('after', 'shutdown', () => {
    after = true;
  });
  const stopped = reactor.run({ installSignalHandlers: false });
  const reason = new TimeoutError('the database did not answer');
  const stopping = reactor.stop(reason);
  reactor.stop(new Error('a later reason'));
  flush.callback(undefined);
  await stopping;
  assert.ok(after, 'the shutdown ran in full');
  assert.is(await rejectionOf(stopped), reason);
  assert.not.ok(reactor.running);
});

test('stop on a reactor that is not running throws; run twice throws', () => {
  const reactor = quietReactor();
  assert.throws(
    () => reactor.stop(),
    (e: unknown) => e instanceof ReactorNotRunningError,
  );
  reactor.run({ installSignalHandlers: false });
  assert.throws(() => reactor.run(), /already running/);
  return reactor.stop().toPromise();
});

test('stopping closes the servers started through it, letting connections finish', async () => {
  const clock = new Clock();
  const reactor = quietReactor(clock);
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => conn.data$.subscribe(conn)),
    { reactor },
  );
  const { port } = await server.address;
  assert.is(reactor.servers.size, 1);
  reactor.run({ installSignalHandlers: false });
  const socket = netConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.resume();
  while (server.connections.size === 0) await new Promise((resolve) => setImmediate(resolve));
  const stopped = reactor.stop();
  await once(socket, 'end'); // the server closed our connection gracefully
  socket.end();
  await stopped;
  assert.is(reactor.servers.size, 0);
});

test('time comes from the clock it was given, also as an rxjs scheduler', () => {
  const clock = new Clock();
  const reactor = quietReactor(clock);
  let ran = false;
  reactor.callLater(2, () => {
    ran = true;
  });
  assert.is(reactor.getDelayedCalls().length, 1);
  clock.advance(2);
  assert.ok(ran);
  assert.is(reactor.seconds(), 2);
  assert.is(reactor.now(), 2000);
  let scheduled = false;
  reactor.schedule(() => {
    scheduled = true;
  }, 500);
  clock.advance(0.5);
  assert.ok(scheduled);
});

test('SIGTERM stops a running program gracefully: open connections are closed, then it exits 0', async () => {
  const demo = await startDemo('demos/echo.ts', ['--listen', 'tcp:0:interface=127.0.0.1']);
  const socket = netConnect(demo.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('still here');
  const [echoed] = (await once(socket, 'data')) as [Buffer];
  assert.is(echoed.toString(), 'still here');
  const exited = demo.stop('SIGTERM');
  await once(socket, 'end');
  socket.end();
  const { code } = await exited;
  assert.is(code, 0);
});

test('a server that cannot listen stops the running reactor: run() errbacks with CannotListenError, logged once', async () => {
  const { port, holder } = await heldPort();
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((r) => records.push(r));
  // In a function of its own, so that its Deferreds can be collected before the check below.
  const outcome = await (async () => {
    const reactor = quietReactor();
    const stopped = reactor.run({ installSignalHandlers: false });
    const server = listen(`tcp:${port}:interface=127.0.0.1`, echo, { reactor });
    const error = await within(5, 'the run to end', rejectionOf(stopped));
    return {
      error,
      running: reactor.running,
      listed: reactor.servers.has(server),
      closed: server.closed.called,
    };
  })();
  await collectGarbage(); // an unhandled failure left in a Deferred would be reported now
  logging.unsubscribe();
  holder.close();
  assert.instance(outcome.error, CannotListenError);
  assert.is((outcome.error as Error).message, inUse(port));
  assert.not.ok(outcome.running, 'the reactor stopped');
  assert.not.ok(outcome.listed, 'the failed server is not in reactor.servers');
  assert.ok(outcome.closed);
  assert.equal(
    records.filter((r) => r.level !== 'debug').map((r) => `${r.level} [${r.namespace}] ${r.message}`),
    [`error [spindle.server] ${inUse(port)}`],
  );
});

test('a listen failure before run() stops the reactor as soon as it runs', async () => {
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((r) => records.push(r));
  const reactor = quietReactor();
  const server = listen('unix:/nonexistent/dir/sock', echo, { reactor });
  await server.closed;
  const order: string[] = [];
  reactor.addSystemEventTrigger('after', 'startup', () => order.push('started'));
  reactor.addSystemEventTrigger('after', 'shutdown', () => order.push('stopped'));
  const stopped = reactor.run({ installSignalHandlers: false });
  const error = await within(5, 'the run to end', rejectionOf(stopped));
  logging.unsubscribe();
  assert.instance(error, CannotListenError);
  assert.is(
    (error as Error).message,
    'cannot listen on unix:/nonexistent/dir/sock: the folder "/nonexistent/dir" does not exist',
  );
  assert.equal(order, ['started', 'stopped']);
  assert.not.ok(reactor.running);
  assert.is(reactor.servers.size, 0);
  assert.is(records.filter((r) => r.level === 'error').length, 1, 'logged once, by the server');
});

test('a server listened with required: false may fail to listen: a warning, its address errbacks, the run goes on', async () => {
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((r) => records.push(r));
  const reactor = quietReactor();
  const server = listen('unix:/nonexistent/dir/sock', echo, { reactor, required: false });
  const fallback = listen('tcp:0:interface=127.0.0.1', echo, { reactor });
  await server.closed;
  const stopped = reactor.run({ installSignalHandlers: false });
  await fallback.address;
  assert.ok(reactor.running, 'the run goes on without the server it could do without');
  assert.instance(await rejectionOf(server.address), CannotListenError);
  assert.equal(
    records.filter((r) => r.level === 'warn' || r.level === 'error').map((r) => r.level),
    ['warn'],
    'logged once, by the server, as a warning: its caller replaces it',
  );
  await reactor.stop();
  await stopped;
  logging.unsubscribe();
});

test("a server's grace period defaults to the reactor's shutdownGracePeriod, and its own holds at shutdown", async () => {
  const clock = new Clock();
  const reactor = new Reactor({ clock: clock as never, shutdownGracePeriod: 3 });
  const deadlines: Record<string, number[]> = { byDefault: [], own: [] };
  const neverDrained = (name: string): Protocol => ({
    serve: (conn) => {
      conn.data$.subscribe({ error: () => {} });
      return {
        drain: (deadline) => {
          deadlines[name]!.push(deadline);
          return new Deferred<void>(); // never fires: the grace timer ends it
        },
      };
    },
  });
  const byDefault = listen('tcp:0:interface=127.0.0.1', neverDrained('byDefault'), { reactor });
  const own = listen('tcp:0:interface=127.0.0.1', neverDrained('own'), { reactor, gracePeriod: 7 });
  const sockets: Socket[] = [];
  try {
    for (const server of [byDefault, own]) {
      const socket = netConnect((await server.address).port, '127.0.0.1');
      socket.on('error', () => {});
      sockets.push(socket);
      await waitFor('the server to accept', () => server.connections.size === 1);
    }
    reactor.run({ installSignalHandlers: false });
    const stopped = reactor.stop();
    assert.equal(deadlines, { byDefault: [3], own: [7] });
    clock.advance(3);
    await within(5, 'the default server to close', byDefault.closed.toPromise());
    assert.is(own.connections.size, 1, 'its own grace period is not over');
    clock.advance(4);
    await within(5, 'the reactor to stop', stopped.toPromise());
    assert.equal([byDefault.stats.lost, own.stats.lost], [1, 1]);
  } finally {
    for (const socket of sockets) socket.destroy();
    for (const server of reactor.servers) server.close({ gracePeriod: 0 }); // after a failure only
  }
});

test('a program whose server cannot listen exits with code 1 and one error line, without a stack', async () => {
  const { port, holder } = await heldPort();
  try {
    const run = await runScript('test/support/listen-in-use.ts', [String(port)]);
    assert.equal({ code: run.code, signal: run.signal }, { code: 1, signal: null });
    assert.is(run.stderr, `[spindle.server] error: ${inUse(port)}\n`);
    assert.is(run.stdout, '');
  } finally {
    holder.close();
  }
});

test.run();
