import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../source/clock.js';
import { Cooperator, coiterate, cooperate } from '../../source/cooperate.js';
import { Deferred } from '../../source/deferred.js';
import type { Failure } from '../../source/failure.js';
import {
  NotPausedError,
  SchedulerError,
  SchedulerStoppedError,
  TaskDoneError,
  TaskFailedError,
  TaskFinishedError,
  TaskStoppedError,
} from '../../source/task-errors.js';

const test = suite('source/cooperate');

/** What a Deferred fired with, read synchronously. */
function outcome<T>(d: Deferred<T>): { value?: T; failure?: Failure } {
  const seen: { value?: T; failure?: Failure } = {};
  d.addCallbacks(
    (value) => {
      seen.value = value;
    },
    (failure) => {
      seen.failure = failure;
    },
  );
  return seen;
}

/** A slice of `n` steps. */
const steps = (n: number) => () => {
  let taken = 0;
  return () => ++taken >= n;
};

/** A scheduler that queues slices until the test runs them. */
function manualScheduler() {
  const queue: (() => void)[] = [];
  return {
    queue,
    scheduler: (work: () => void) => {
      queue.push(work);
      return { cancel: () => queue.splice(queue.indexOf(work), 1) };
    },
    /** Runs the next slice. */
    slice: () => queue.shift()!(),
  };
}

/** An iterator that logs `name` and its step number, `count` times. */
function* worker(log: string[], name: string, count: number): Generator<undefined> {
  for (let i = 1; i <= count; i++) {
    log.push(`${name}${i}`);
    yield;
  }
}

test('coiterate runs an iterator to its end on the clock, then fires with it', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const log: string[] = [];
  const iterator = worker(log, 'a', 3);
  const result = outcome(cooperator.coiterate(iterator));
  assert.equal(log, []);
  assert.is(clock.getDelayedCalls().length, 1);
  clock.advance(0);
  assert.equal(log, ['a1', 'a2', 'a3']);
  assert.is(result.value, iterator);
  assert.equal(clock.getDelayedCalls(), []);
});

test('tasks take turns, and a slice ends when the predicate says so', () => {
  const manual = manualScheduler();
  const cooperator = new Cooperator({ terminationPredicateFactory: steps(3), scheduler: manual.scheduler });
  const log: string[] = [];
  cooperator.cooperate(worker(log, 'a', 3));
  cooperator.cooperate(worker(log, 'b', 3));
  assert.is(manual.queue.length, 1);
  manual.slice();
  assert.equal(log, ['a1', 'b1', 'a2']);
  assert.is(manual.queue.length, 1);
  manual.slice();
  assert.equal(log, ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  manual.slice();
  assert.is(manual.queue.length, 0);
});

test('the round-robin goes on in order when a task in it ends', () => {
  const manual = manualScheduler();
  const cooperator = new Cooperator({ terminationPredicateFactory: steps(100), scheduler: manual.scheduler });
  const log: string[] = [];
  cooperator.cooperate(worker(log, 'a', 1));
  cooperator.cooperate(worker(log, 'b', 3));
  cooperator.cooperate(worker(log, 'c', 2));
  manual.slice();
  assert.equal(log, ['a1', 'b1', 'c1', 'b2', 'c2', 'b3']);
  assert.is(manual.queue.length, 0);
});

test('the default slice is 10 ms of real time', () => {
  const manual = manualScheduler();
  const cooperator = new Cooperator({ scheduler: manual.scheduler });
  let cheap = 0;
  cooperator.coiterate(
    (function* () {
      while (cheap < 1000) {
        cheap++;
        yield;
      }
    })(),
  );
  manual.slice();
  assert.is(cheap, 1000);
  let slow = 0;
  cooperator.coiterate(
    (function* () {
      for (;;) {
        slow++;
        const end = performance.now() + 11;
        while (performance.now() < end) {
          // a step that takes longer than a slice
        }
        yield;
      }
    })(),
  );
  manual.slice();
  assert.is(slow, 1);
  cooperator.stop();
});

test('a slice leaves other due calls their turn', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock, terminationPredicateFactory: steps(2) });
  const log: string[] = [];
  cooperator.cooperate(worker(log, 'a', 4));
  clock.callLater(0, () => log.push('other'));
  clock.advance(0);
  assert.equal(log, ['a1', 'a2', 'other', 'a3', 'a4']);
});

test('a yielded Deferred pauses its task until it fires; other tasks go on', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const log: string[] = [];
  const gate = new Deferred<string>();
  const result = outcome(
    cooperator.coiterate(
      (function* () {
        log.push('a1');
        yield gate;
        log.push('a2');
      })(),
    ),
  );
  cooperator.cooperate(worker(log, 'b', 2));
  clock.advance(0);
  assert.equal(log, ['a1', 'b1', 'b2']);
  assert.equal(clock.getDelayedCalls(), []);
  gate.callback('open');
  clock.advance(0);
  assert.equal(log, ['a1', 'b1', 'b2', 'a2']);
  assert.ok(result.value);
  assert.equal(outcome(gate).value, 'open');
});

test('a yielded Deferred that fails fails the task', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const gate = new Deferred<void>();
  const task = cooperator.cooperate([gate, 'never']);
  const result = outcome(task.whenDone());
  clock.advance(0);
  gate.errback(new Error('gate failed'));
  assert.is(result.failure?.value.message, 'gate failed');
  assert.throws(
    () => task.stop(),
    (e: unknown) => e instanceof TaskFailedError,
  );
  assert.is(outcome(task.whenDone()).failure?.value.message, 'gate failed');
});

test('a yielded promise pauses its task until it settles', async () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const log: string[] = [];
  const ok = outcome(
    cooperator.coiterate(
      (function* () {
        yield Promise.resolve();
        log.push('after');
      })(),
    ),
  );
  const bad = outcome(cooperator.coiterate([Promise.reject(new Error('rejected'))]));
  clock.advance(0);
  assert.equal(log, []);
  await new Promise((resolve) => setImmediate(resolve));
  clock.advance(0);
  assert.equal(log, ['after']);
  assert.ok(ok.value);
  assert.is(bad.failure?.value.message, 'rejected');
});

test('an iterator that throws fails the task, and pause then throws TaskFailedError', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const task = cooperator.cooperate(
    (function* () {
      yield;
      throw new RangeError('bad step');
    })(),
  );
  const result = outcome(task.whenDone());
  clock.advance(0);
  assert.instance(result.failure?.value, RangeError);
  assert.throws(
    () => task.pause(),
    (e: unknown) => e instanceof TaskFailedError,
  );
});

test('a finished task fires late whenDone calls with the iterator; pause throws TaskDoneError', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const items = ['x', 'y'];
  const task = cooperator.cooperate(items);
  clock.advance(0);
  const result = outcome(task.whenDone());
  assert.ok(result.value);
  assert.equal(result.value!.next(), { done: true, value: undefined });
  assert.throws(
    () => task.pause(),
    (e: unknown) => e instanceof TaskDoneError,
  );
});

test('cooperate takes a bare iterator that is not iterable', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  let n = 0;
  const iterator: Iterator<number> = {
    next: () => (n < 2 ? { value: n++ } : { done: true, value: undefined }),
  };
  const result = outcome(cooperator.coiterate(iterator));
  clock.advance(0);
  assert.is(n, 2);
  assert.is(result.value, iterator);
});

test('pause stops the steps until as many resumes; resume unpaused throws NotPausedError', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const log: string[] = [];
  const task = cooperator.cooperate(worker(log, 'a', 2));
  assert.throws(
    () => task.resume(),
    (e: unknown) => e instanceof NotPausedError,
  );
  task.pause();
  task.pause();
  assert.equal(clock.getDelayedCalls(), []);
  clock.advance(1);
  task.resume();
  clock.advance(1);
  assert.equal(log, []);
  task.resume();
  clock.advance(0);
  assert.equal(log, ['a1', 'a2']);
});

test('stop ends a task: whenDone fails with TaskStoppedError, and stop again throws it', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const log: string[] = [];
  const task = cooperator.cooperate(worker(log, 'a', 5));
  const result = outcome(task.whenDone());
  task.stop();
  assert.instance(result.failure?.value, TaskStoppedError);
  assert.equal(clock.getDelayedCalls(), []);
  clock.advance(1);
  assert.equal(log, []);
  assert.throws(
    () => task.stop(),
    (e: unknown) => e instanceof TaskStoppedError,
  );
  assert.instance(outcome(task.whenDone()).failure?.value, TaskStoppedError);
});

test('a task stopped while it waits ignores how the Deferred ends', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const gates = [new Deferred<void>(), new Deferred<void>()];
  const tasks = gates.map((gate) => cooperator.cooperate([gate, 'more']));
  clock.advance(0);
  const results = tasks.map((task) => {
    const result = outcome(task.whenDone());
    task.stop();
    return result;
  });
  gates[0]!.callback(undefined);
  gates[1]!.errback(new Error('late'));
  clock.advance(0);
  for (const result of results) assert.instance(result.failure?.value, TaskStoppedError);
  assert.equal(clock.getDelayedCalls(), []);
});

test('stopping the Cooperator fails its tasks, paused ones on resume, new ones at once', () => {
  const clock = new Clock();
  const cooperator = new Cooperator({ clock });
  const log: string[] = [];
  const running = outcome(cooperator.coiterate(worker(log, 'a', 3)));
  const paused = cooperator.cooperate(worker(log, 'b', 3));
  paused.pause();
  assert.ok(cooperator.running);
  cooperator.stop();
  assert.not.ok(cooperator.running);
  assert.instance(running.failure?.value, SchedulerStoppedError);
  assert.equal(clock.getDelayedCalls(), []);
  const pausedResult = outcome(paused.whenDone());
  paused.resume();
  assert.instance(pausedResult.failure?.value, SchedulerStoppedError);
  assert.throws(
    () => paused.pause(),
    (e: unknown) => e instanceof SchedulerStoppedError,
  );
  assert.instance(outcome(cooperator.coiterate(worker(log, 'c', 1))).failure?.value, SchedulerStoppedError);
  clock.advance(1);
  assert.equal(log, []);
});

test('a scheduler that returns nothing works; its slice then just finds no work', () => {
  const queue: (() => void)[] = [];
  const cooperator = new Cooperator({
    scheduler: (work) => {
      queue.push(work);
    },
  });
  const task = cooperator.cooperate(['x']);
  task.stop();
  queue.shift()!();
  assert.is(queue.length, 0);
  cooperator.stop();
});

test('the error classes form the Twisted hierarchy with stable codes', () => {
  const errors = [
    new TaskDoneError(),
    new TaskStoppedError(),
    new TaskFailedError(),
    new SchedulerStoppedError(),
    new NotPausedError(),
  ];
  assert.equal(
    errors.map((e) => e.code),
    [
      'SPINDLE_TASK_DONE',
      'SPINDLE_TASK_STOPPED',
      'SPINDLE_TASK_FAILED',
      'SPINDLE_SCHEDULER_STOPPED',
      'SPINDLE_NOT_PAUSED',
    ],
  );
  for (const e of errors) assert.ok(e instanceof SchedulerError);
  assert.equal(
    errors.map((e) => e instanceof TaskFinishedError),
    [true, true, true, false, false],
  );
});

test('cooperate and coiterate use a default Cooperator on the system clock', async () => {
  const log: string[] = [];
  const task = cooperate(worker(log, 'a', 2));
  const iterator = await coiterate(worker(log, 'b', 2));
  await task.whenDone();
  assert.equal(log, ['a1', 'b1', 'a2', 'b2']);
  assert.ok(iterator);
});

test.run();
