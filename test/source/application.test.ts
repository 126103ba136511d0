import { once } from 'node:events';
import { createServer, connect as netConnect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { echo } from '../../protocols/wire/index.js';
import type { InetAddress } from '../../source/address.js';
import { application, runApplication } from '../../source/application.js';
import { Clock } from '../../source/clock.js';
import { Deferred } from '../../source/deferred.js';
import { CancelledError, CannotListenError, SpindleError, TimeoutError } from '../../source/errors.js';
import { listenService } from '../../source/listen-service.js';
import { Reactor } from '../../source/reactor.js';
import { type Service, service } from '../../source/service.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { runScript, startDemo } from '../support/demo-process.js';
import { rejectionOf } from '../support/failure-of.js';
import { captureLogs, recordingServices } from '../support/recording-services.js';

/** The reactors of the tests, each on a virtual clock: the check closes what a failed test left. */
const reactors: Reactor[] = [];
const test = checkClean(suite('source/application'), { reactors });

function testReactor(): Reactor {
  const reactor = new Reactor({ clock: new Clock() as never, shutdownGracePeriod: 5 });
  reactors.push(reactor);
  return reactor;
}

test('application holds its services in order, under its name; two of the same name throw', () => {
  const a = service({ name: 'a' });
  const b = service({ name: 'b' });
  const app = application('shop', a, b);
  assert.is(app.name, 'shop');
  assert.equal([...app], [a, b]);
  assert.is(a.parent, app);
  assert.throws(
    () => application('shop', service({ name: 'a' }), service({ name: 'a' })),
    (e: unknown) =>
      e instanceof SpindleError && e.message === "the service 'shop' has a service named 'a' already",
  );
});

test('starts the application once the reactor runs; at once on a reactor running already', async () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const reactor = testReactor();
  const started = runApplication(application('shop', make('a')), reactor);
  assert.equal(events, []);
  const run = reactor.run({ installSignalHandlers: false });
  await started;
  assert.equal(events, ['start a']);
  await runApplication(application('more', make('b')), reactor);
  assert.equal(events, ['start a', 'start b']);
  await reactor.stop();
  await run;
  assert.equal(
    events,
    ['start a', 'start b', 'stop a', 'stop b'],
    'two applications: one trigger each, in turn',
  );
});

test('reactor.stop() stops the services in reverse before the reactor closes servers: connections drain', async () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const reactor = testReactor();
  const web = listenService('tcp:0:interface=127.0.0.1', echo, { name: 'web', reactor });
  reactor.addSystemEventTrigger('during', 'shutdown', () =>
    events.push(`during: ${reactor.servers.size} open`),
  );
  const run = reactor.run({ installSignalHandlers: false });
  await runApplication(application('shop', make('a'), web, make('c')), reactor);
  const { port } = (await web.server!.address) as InetAddress;
  web.server!.closed.addCallback(() => events.push('web closed'));
  const socket = netConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('ping');
  await once(socket, 'data');
  const stopped = reactor.stop();
  await once(socket, 'end'); // the server closed it gracefully
  socket.end();
  await stopped;
  await run;
  assert.equal(events, ['start a', 'start c', 'stop c', 'web closed', 'stop a', 'during: 0 open']);
});

test('a start that fails: one error line, those started stop in reverse, and the run fails with the error', async () => {
  const logs = captureLogs();
  const events: string[] = [];
  const make = recordingServices(events);
  const reactor = testReactor();
  const app = application(
    'shop',
    make('a'),
    make('db', {
      start: () => {
        throw new TimeoutError('the database did not answer');
      },
    }),
    make('c'),
  );
  const started = runApplication(app, reactor);
  const run = reactor.run({ installSignalHandlers: false });
  const error = await rejectionOf(run);
  logs.stop();
  assert.instance(error, TimeoutError);
  assert.is(await rejectionOf(started), error);
  assert.equal(events, ['start a', 'start db', 'stop a']);
  assert.equal(logs.lines(), [
    "error [spindle.application] the application 'shop' could not start: TimeoutError: the database did not answer",
  ]);
  assert.not.ok(reactor.running);
});

test('a port in use: the server logs it, alone, and the run fails with CannotListenError', async () => {
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  const { port } = holder.address() as { port: number };
  const logs = captureLogs();
  const events: string[] = [];
  try {
    const reactor = testReactor();
    const app = application(
      'shop',
      recordingServices(events)('a'),
      listenService(`tcp:${port}:interface=127.0.0.1`, echo, { reactor }),
    );
    runApplication(app, reactor);
    const error = await rejectionOf(reactor.run({ installSignalHandlers: false }));
    assert.instance(error, CannotListenError);
    assert.equal(events, ['start a', 'stop a']);
    assert.equal(logs.lines(), [
      `error [spindle.server] cannot listen on tcp:${port}:interface=127.0.0.1: the address is in use by another server (EADDRINUSE)`,
    ]);
  } finally {
    logs.stop();
    holder.close();
  }
});

test('reactor.stop() while the application starts cuts the start short, with no error: the run ends well', async () => {
  const logs = captureLogs();
  const events: string[] = [];
  const make = recordingServices(events);
  const ready = new Deferred<void>();
  const reactor = testReactor();
  const started = runApplication(
    application('shop', make('a'), make('b', { start: () => ready }), make('c')),
    reactor,
  );
  const run = reactor.run({ installSignalHandlers: false });
  const stopped = reactor.stop();
  assert.equal(events, ['start a', 'start b']);
  ready.callback(undefined);
  await stopped;
  await run;
  logs.stop();
  assert.equal(events, ['start a', 'start b', 'stop b', 'stop a']);
  assert.instance(await rejectionOf(started), CancelledError);
  assert.equal(logs.lines(), []);
});

test('a start that fails once the reactor has stopped is logged; an application with no name is called so', async () => {
  const logs = captureLogs();
  const ready = new Deferred<void>();
  const reactor = testReactor();
  // A Service of its own making, whose stop does not wait for its start.
  const app: Service = { running: false, startService: () => ready, stopService: () => undefined };
  const started = runApplication(app, reactor);
  const run = reactor.run({ installSignalHandlers: false });
  await reactor.stop();
  await run;
  ready.errback(new TimeoutError('the database did not answer'));
  logs.stop();
  assert.instance(await rejectionOf(started), TimeoutError);
  assert.equal(logs.lines(), [
    'error [spindle.application] the application could not start: TimeoutError: the database did not answer',
  ]);
});

test('a program whose application cannot start prints one line, no stack, and exits with code 1', async () => {
  const run = await runScript('test/support/application-program.ts', ['tcp:0:interface=127.0.0.1', '--fail']);
  assert.equal({ code: run.code, signal: run.signal }, { code: 1, signal: null });
  assert.is(
    run.stderr,
    "[spindle.application] error: the application 'shop' could not start: TimeoutError: the database did not answer within 5 seconds\n",
  );
  assert.is(run.stdout, '');
});

test('SIGTERM stops a running application, its services in reverse, and the program exits 0', async () => {
  const program = await startDemo('test/support/application-program.ts', ['tcp:0:interface=127.0.0.1']);
  const socket = netConnect(program.port, '127.0.0.1');
  await once(socket, 'connect');
  const exited = program.stop('SIGTERM');
  await once(socket, 'end');
  socket.end();
  const { code } = await exited;
  assert.is(code, 0);
  assert.is(program.output.at(-1), 'db closed');
});

test.run();
