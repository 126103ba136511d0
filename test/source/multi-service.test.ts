import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Deferred, fail } from '../../source/deferred.js';
import { ConnectionRefusedError, SpindleError, TimeoutError } from '../../source/errors.js';
import { MultiService } from '../../source/multi-service.js';
import { type Service, service } from '../../source/service.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { failureOf } from '../support/failure-of.js';
import { cancellation, captureLogs, recordingServices } from '../support/recording-services.js';

const test = checkClean(suite('source/multi-service'));

/** A collection named `app` holding `children`. */
function multi(...children: Service[]): MultiService {
  const app = new MultiService({ name: 'app' });
  for (const child of children) app.addService(child);
  return app;
}

test('starts the children in order, each once the previous start has fired; stops them in reverse, each in turn', () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const aReady = new Deferred<void>();
  const bClosed = new Deferred<void>();
  const app = multi(make('a', { start: () => aReady }), make('b', { stop: () => bClosed }), make('c'));
  const started = app.startService();
  assert.equal(events, ['start a'], 'b waits for a');
  aReady.callback(undefined);
  assert.equal(events, ['start a', 'start b', 'start c']);
  assert.ok(started.called);
  assert.ok(app.running);
  const stopped = app.stopService();
  assert.equal(events.slice(3), ['stop c', 'stop b'], 'a waits for b');
  bClosed.callback(undefined);
  assert.equal(events.slice(3), ['stop c', 'stop b', 'stop a']);
  assert.ok(stopped.called);
  assert.is(app.state, 'stopped');
});

test('waits on a child whose start returns a promise', async () => {
  const events: string[] = [];
  const make = recordingServices(events);
  let resolve: () => void = () => undefined;
  const app = multi(make('a', { start: () => new Promise<void>((r) => (resolve = r)) }), make('b'));
  const started = app.startService();
  await Promise.resolve();
  assert.equal(events, ['start a']);
  resolve();
  await started;
  assert.equal(events, ['start a', 'start b']);
});

test('a child that fails to start: those started are stopped in reverse, the rest never start, and the start fails with its error', () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const app = multi(
    make('a'),
    make('b'),
    make('c', { start: () => fail(new ConnectionRefusedError('connection refused by 127.0.0.1:5432')) }),
    make('d'),
  );
  const failure = failureOf(app.startService());
  assert.instance(failure?.value, ConnectionRefusedError);
  assert.equal(events, ['start a', 'start b', 'start c', 'stop b', 'stop a']);
  assert.is(app.state, 'stopped');
  assert.equal(
    [...app].map((child) => child.running),
    [false, false, false, false],
  );
});

test('a child whose stop fails is logged, once, and the others still stop', () => {
  const logs = captureLogs();
  const events: string[] = [];
  const make = recordingServices(events);
  const plain: Service = {
    running: true,
    startService: () => undefined,
    stopService: () => fail<void>(new Error('the socket was gone')),
  };
  const app = multi(
    make('a'),
    plain,
    make('b', {
      stop: () => {
        throw new TimeoutError('the flush timed out');
      },
    }),
    make('c'),
  );
  app.startService();
  const stopped = app.stopService();
  logs.stop();
  assert.ok(stopped.called);
  assert.is(failureOf(stopped), undefined, 'the stop itself does not fail');
  assert.equal(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  assert.equal(logs.lines(), [
    "error [spindle.service] stopping the service 'b' failed: TimeoutError: the flush timed out",
    'error [spindle.service] stopping a service with no name failed: Error: the socket was gone',
  ]);
});

test('names are unique: a second child of the same name throws; getServiceNamed and iteration', () => {
  const a = service({ name: 'a' });
  const unnamed = service({});
  const app = multi(a, unnamed, service({ name: 'b' }));
  assert.throws(
    () => app.addService(service({ name: 'a' })),
    (e: unknown) =>
      e instanceof SpindleError && e.message === "the service 'app' has a service named 'a' already",
  );
  assert.is(app.getServiceNamed('a'), a);
  assert.is(app.getServiceNamed('nope'), undefined);
  assert.equal(
    [...app].map((child) => child.name),
    ['a', undefined, 'b'],
  );
});

test('a service with a parent cannot be added elsewhere, and a collection cannot hold itself or its holder', () => {
  const inner = new MultiService({ name: 'inner' });
  const app = multi(inner);
  assert.throws(
    () => new MultiService().addService(inner),
    (e: unknown) =>
      e instanceof SpindleError &&
      e.message === "the service 'inner' has a parent already: remove it from there first",
  );
  assert.throws(
    () => inner.addService(app),
    (e: unknown) => e instanceof SpindleError && e.message === "the service 'app' cannot hold itself",
  );
});

test('a child added while running is started; one that fails to start is logged', () => {
  const logs = captureLogs();
  const events: string[] = [];
  const make = recordingServices(events);
  const app = multi(make('a'));
  app.startService();
  const late = make('late');
  app.addService(late);
  assert.ok(late.running);
  app.addService(
    make('broken', {
      start: () => {
        throw new TypeError('config.port is undefined');
      },
    }),
  );
  logs.stop();
  assert.equal(events, ['start a', 'start late', 'start broken']);
  assert.equal(logs.lines(), [
    "error [spindle.service] the service 'broken' could not start: TypeError: config.port is undefined",
  ]);
  app.stopService();
});

test('a child added while starting is started in its turn; a child running already is not started again', () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const aReady = new Deferred<void>();
  const running = make('running');
  running.startService();
  const app = multi(make('a', { start: () => aReady }), running);
  app.startService();
  app.addService(make('added'));
  aReady.callback(undefined);
  assert.equal(events, ['start running', 'start a', 'start added']);
  assert.ok(app.running);
  app.stopService();
});

test('removeService stops a child of a running collection, not of a stopped one; a stranger throws', () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const a = make('a');
  const b = make('b');
  const app = multi(a, b);
  assert.ok(app.removeService(b).called);
  assert.equal(events, [], 'a stopped collection does not stop what it removes');
  app.startService();
  const removed = app.removeService(a);
  assert.ok(removed.called);
  assert.equal(events, ['start a', 'stop a']);
  assert.is(a.parent, undefined);
  assert.is(app.getServiceNamed('a'), undefined);
  assert.throws(
    () => app.removeService(a),
    (e: unknown) =>
      e instanceof SpindleError && e.message === "the service 'a' is not a child of the service 'app'",
  );
  app.stopService();
});

test('stopService while starting: the child starting finishes, those started stop in reverse, the rest never start', () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const bReady = new Deferred<void>();
  const app = multi(make('a'), make('b', { start: () => bReady }), make('c'));
  const started = app.startService();
  const stopped = app.stopService();
  assert.equal(events, ['start a', 'start b']);
  assert.not.ok(stopped.called);
  bReady.callback(undefined);
  assert.equal(events, ['start a', 'start b', 'stop b', 'stop a']);
  assert.ok(stopped.called);
  assert.is(app.state, 'stopped');
  assert.is(cancellation(started), "the service 'app' was stopped while starting");
});

test('collections nest: the inner one starts and stops its children in its turn', () => {
  const events: string[] = [];
  const make = recordingServices(events);
  const inner = new MultiService({ name: 'inner' });
  inner.addService(make('b'));
  inner.addService(make('c'));
  const app = multi(make('a'), inner, make('d'));
  app.startService();
  app.stopService();
  assert.equal(events, ['start a', 'start b', 'start c', 'start d', 'stop d', 'stop c', 'stop b', 'stop a']);
});

test.run();
