import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Deferred } from '../../source/deferred.js';
import { SpindleError, TimeoutError } from '../../source/errors.js';
import { MultiService } from '../../source/multi-service.js';
import { BaseService, isService, service } from '../../source/service.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { failureOf, resultOf } from '../support/failure-of.js';
import { cancellation, captureLogs, recordingServices } from '../support/recording-services.js';

const test = checkClean(suite('source/service'));

test('startService runs start and fires once its Deferred has: stopped, starting, then running', () => {
  const ready = new Deferred<void>();
  const db = service({ name: 'db', start: () => ready });
  assert.is(db.state, 'stopped');
  const started = db.startService();
  assert.is(db.state, 'starting');
  assert.not.ok(db.running);
  assert.not.ok(started.called);
  ready.callback(undefined);
  assert.is(resultOf(started), undefined);
  assert.is(db.state, 'running');
  assert.ok(db.running);
});

test('a start that waits on a promise holds the start until it resolves', async () => {
  let resolve: () => void = () => undefined;
  const db = service({ start: () => new Promise<void>((r) => (resolve = r)) });
  const started = db.startService();
  await Promise.resolve();
  assert.is(db.state, 'starting');
  resolve();
  await started;
  assert.is(db.state, 'running');
});

test('a failing start leaves the service stopped, and startService fails with that error', () => {
  const db = service({
    start: () => {
      throw new TimeoutError('the database did not answer');
    },
  });
  const failure = failureOf(db.startService());
  assert.instance(failure?.value, TimeoutError);
  assert.is(db.state, 'stopped');
});

test('startService on a service that is not stopped throws', () => {
  const db = service({ name: 'db' });
  db.startService();
  assert.throws(
    () => db.startService(),
    (e: unknown) => e instanceof SpindleError && e.message === "cannot start the service 'db': it is running",
  );
});

test('stopService runs stop and fires once it has; a second stopService waits for the same stop', () => {
  const closed = new Deferred<void>();
  const events: string[] = [];
  const db = recordingServices(events)('db', { stop: () => closed });
  db.startService();
  const first = db.stopService();
  const second = db.stopService();
  assert.is(db.state, 'stopping');
  assert.equal(events, ['start db', 'stop db'], 'stop runs once');
  assert.not.ok(first.called || second.called);
  closed.callback(undefined);
  assert.ok(first.called && second.called);
  assert.is(db.state, 'stopped');
});

test('stopService on a stopped service does nothing and fires at once', () => {
  const events: string[] = [];
  const db = recordingServices(events)('db');
  assert.ok(db.stopService().called);
  assert.equal(events, []);
});

test('a failing stop is logged, once, and the service counts as stopped: stopService fires', () => {
  const logs = captureLogs();
  const db = service({
    name: 'db',
    stop: () => {
      throw new TimeoutError('the pool did not drain');
    },
  });
  db.startService();
  const stopped = db.stopService();
  logs.stop();
  assert.ok(stopped.called);
  assert.is(failureOf(stopped), undefined);
  assert.is(db.state, 'stopped');
  assert.equal(logs.lines(), [
    "error [spindle.service] stopping the service 'db' failed: TimeoutError: the pool did not drain",
  ]);
});

/** A service `db` whose start waits on `ready`, asked to stop while it starts. */
function stoppedWhileStarting() {
  const ready = new Deferred<void>();
  const events: string[] = [];
  const db = recordingServices(events)('db', { start: () => ready });
  const started = db.startService();
  const stopped = db.stopService();
  assert.is(db.state, 'stopping');
  return { ready, events, db, started, stopped };
}

test('stopService while starting waits for the start, then stops; the start fails with CancelledError', () => {
  const { ready, events, db, started, stopped } = stoppedWhileStarting();
  assert.equal(events, ['start db'], 'no stop before the start has finished');
  ready.callback(undefined);
  assert.equal(events, ['start db', 'stop db']);
  assert.ok(stopped.called);
  assert.is(db.state, 'stopped');
  assert.is(cancellation(started), "the service 'db' was stopped before it had started");
});

test('stopService while starting, and the start fails: no stop runs, the start fails with its own error', () => {
  const { ready, events, db, started, stopped } = stoppedWhileStarting();
  ready.errback(new TimeoutError('the database did not answer'));
  assert.equal(events, ['start db']);
  assert.ok(stopped.called);
  assert.is(db.state, 'stopped');
  assert.instance(failureOf(started)?.value, TimeoutError);
});

test('a BaseService with no start or stop of its own starts and stops at once', () => {
  const plain = new BaseService({ name: 'plain' });
  assert.ok(plain.startService().called);
  assert.ok(plain.running);
  assert.ok(plain.stopService().called);
  assert.is(plain.state, 'stopped');
});

test('setServiceParent adds it to a collection, disownServiceParent removes it', () => {
  const app = new MultiService({ name: 'app' });
  const db = service({ name: 'db' });
  db.setServiceParent(app);
  assert.is(db.parent, app);
  assert.is(app.getServiceNamed('db'), db);
  assert.ok(db.disownServiceParent().called);
  assert.is(db.parent, undefined);
  assert.equal([...app], []);
  assert.throws(
    () => db.disownServiceParent(),
    (e: unknown) => e instanceof SpindleError && e.message === "the service 'db' has no parent",
  );
});

test('isService tells services from other values', () => {
  assert.ok(isService(service({})));
  assert.ok(isService({ running: false, startService() {}, stopService() {} }));
  assert.not.ok(isService({ startService() {} }));
  assert.not.ok(isService(null));
  assert.not.ok(isService('app'));
});

test.run();
