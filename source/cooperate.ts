/**
 * Cooperative multitasking over iterators (Twisted's `task.Cooperator`, `cooperate` and
 * `coiterate`): long jobs split into small steps that share the event loop fairly.
 *
 * @module
 */
import type { ReactorTime } from './clock.js';
import { Deferred, isPromiseLike } from './deferred.js';
import { systemClock } from './system-clock.js';
import {
  NotPausedError,
  type SchedulerError,
  SchedulerStoppedError,
  TaskDoneError,
  TaskFailedError,
  TaskStoppedError,
} from './task-errors.js';

/**
 * Runs `work` at some later point; what it returns, if anything, is cancelled when the
 * `Cooperator` has no work left (a `DelayedCall` is such a thing).
 */
export type CooperatorScheduler = (work: () => void) => { cancel(): void } | undefined;

/** Options of a `Cooperator`. */
export interface CooperatorOptions {
  /** The clock the default scheduler uses. Default: `systemClock`. */
  readonly clock?: ReactorTime;
  /**
   * Called at the start of each time slice; returns a predicate that says when the slice is over.
   * Default: slices of 10 ms of real time (`performance.now()`).
   */
  readonly terminationPredicateFactory?: () => () => boolean;
  /** Schedules the next time slice. Default: `work => clock.callLater(0, work)`. */
  readonly scheduler?: CooperatorScheduler;
}

/**
 * A running iterator inside a `Cooperator` (Twisted's `CooperativeTask`): it can be paused,
 * resumed, stopped and waited on.
 *
 * @example
 * ```ts
 * const task = cooperate(rows.map(row => void index(row)));
 * task.pause(); task.resume();
 * await task.whenDone();
 * ```
 */
export interface CooperativeTask {
  /**
   * A new Deferred that fires with the iterator when it is exhausted, or fails with what it threw
   * (or what a Deferred it yielded failed with), `TaskStoppedError` after `stop()`, or
   * `SchedulerStoppedError` when the Cooperator was stopped.
   */
  whenDone(): Deferred<Iterator<unknown>>;
  /**
   * Stops taking steps until `resume()`; pauses nest.
   * @throws TaskFinishedError (or `SchedulerStoppedError`) when the task is over.
   */
  pause(): void;
  /**
   * Undoes one `pause()`.
   * @throws NotPausedError when the task is not paused.
   */
  resume(): void;
  /**
   * Ends the task: no more steps; `whenDone()` fails with `TaskStoppedError`.
   * @throws TaskFinishedError (or `SchedulerStoppedError`) when the task is over.
   */
  stop(): void;
}

/** How a task reaches the Cooperator that runs it. */
interface TaskQueue {
  add(task: Task): void;
  remove(task: Task): void;
}

/** The default time slice: 10 ms of real time. */
function tenMilliseconds(): () => boolean {
  const end = performance.now() + 10;
  return () => performance.now() >= end;
}

class Task implements CooperativeTask {
  #waiting: Deferred<Iterator<unknown>>[] = [];
  #pauses = 0;
  /** Why the task is over, once it is; thrown by `pause()` and `stop()` from then on. */
  #finished: SchedulerError | undefined;
  #failure: unknown;

  constructor(
    private readonly iterator: Iterator<unknown>,
    private readonly queue: TaskQueue,
  ) {
    queue.add(this);
  }

  whenDone(): Deferred<Iterator<unknown>> {
    const d = new Deferred<Iterator<unknown>>();
    if (this.#finished === undefined) this.#waiting.push(d);
    else this.#fire(d);
    return d;
  }

  pause(): void {
    this.#checkFinished();
    if (++this.#pauses === 1) this.queue.remove(this);
  }

  resume(): void {
    if (this.#pauses === 0) throw new NotPausedError();
    if (--this.#pauses === 0 && this.#finished === undefined) this.queue.add(this);
  }

  stop(): void {
    this.#checkFinished();
    this.finish(new TaskStoppedError());
  }

  /** Takes one step: one `next()` of the iterator. */
  step(): void {
    let next: IteratorResult<unknown>;
    try {
      next = this.iterator.next();
    } catch (error) {
      this.finish(new TaskFailedError(), error);
      return;
    }
    if (next.done) {
      this.finish(new TaskDoneError());
    } else if (isPromiseLike(next.value)) {
      this.pause();
      const wait = next.value instanceof Deferred ? next.value : Deferred.fromPromise(next.value);
      wait.addCallbacks(
        (result) => {
          this.resume();
          return result;
        },
        (failure) => {
          // After stop() the task is over already and the failure has nowhere to go.
          if (this.#finished === undefined) this.finish(new TaskFailedError(), failure);
        },
      );
    }
  }

  /**
   * Ends the task for `reason`; its `whenDone()` Deferreds fire with the iterator when the reason
   * is `TaskDoneError`, else fail with `failure`.
   */
  finish(reason: SchedulerError, failure: unknown = reason): void {
    this.#finished = reason;
    this.#failure = failure;
    if (this.#pauses === 0) this.queue.remove(this);
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const d of waiting) this.#fire(d);
  }

  #fire(d: Deferred<Iterator<unknown>>): void {
    if (this.#finished instanceof TaskDoneError) d.callback(this.iterator);
    else d.errback(this.#failure);
  }

  #checkFinished(): void {
    if (this.#finished !== undefined) throw this.#finished;
  }
}

/**
 * Runs iterators a step (one `next()`) at a time, round-robin, in time slices (Twisted's
 * `Cooperator`). A slice ends when the termination predicate says so (by default after 10 ms);
 * the next slice is scheduled through the scheduler (by default `clock.callLater(0, …)`), so the
 * event loop is never starved. An iterator that yields a Deferred or a promise is paused until it
 * settles; if it fails, so does the task.
 *
 * ```text
 * tasks a, b, slice of 3 steps:  a1 b1 a2 | (next slice) b2 a3 b3 | …
 * ```
 *
 * @example
 * ```ts
 * const cooperator = new Cooperator({ clock });
 * function* lines() { for (const line of file) { send(line); yield; } }
 * cooperator.coiterate(lines()).addCallback(() => console.log('sent'));
 * ```
 */
export class Cooperator {
  readonly #tasks: Task[] = [];
  /** Where the round-robin goes on from, in `#tasks`. */
  #cursor = 0;
  #scheduled = false;
  #pending: { cancel(): void } | undefined;
  #stopped = false;
  readonly #slice: () => () => boolean;
  readonly #scheduler: CooperatorScheduler;
  readonly #queue: TaskQueue = {
    add: (task) => this.#add(task),
    remove: (task) => this.#remove(task),
  };

  constructor(options: CooperatorOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.#slice = options.terminationPredicateFactory ?? tenMilliseconds;
    this.#scheduler = options.scheduler ?? ((work) => clock.callLater(0, work));
  }

  /**
   * Whether the Cooperator takes tasks: true until `stop()`.
   *
   * @example
   * ```ts
   * if (cooperator.running) cooperator.stop();
   * ```
   */
  get running(): boolean {
    return !this.#stopped;
  }

  /**
   * Adds an iterator (or an iterable's iterator) as a task.
   *
   * @example
   * ```ts
   * const task = cooperator.cooperate(function* () { for (const f of files) yield upload(f); }());
   * ```
   */
  cooperate(iterator: Iterator<unknown> | Iterable<unknown>): CooperativeTask {
    return new Task(Symbol.iterator in iterator ? iterator[Symbol.iterator]() : iterator, this.#queue);
  }

  /**
   * Adds an iterator as a task and returns its `whenDone()` Deferred.
   *
   * @example
   * ```ts
   * await cooperator.coiterate(chunks());
   * ```
   */
  coiterate(iterator: Iterator<unknown> | Iterable<unknown>): Deferred<Iterator<unknown>> {
    return this.cooperate(iterator).whenDone();
  }

  /**
   * Stops the Cooperator: every task in it, and every task added or resumed later, fails with
   * `SchedulerStoppedError`; the pending slice is cancelled.
   *
   * @example
   * ```ts
   * reactor.addSystemEventTrigger('before', 'shutdown', () => cooperator.stop());
   * ```
   */
  stop(): void {
    this.#stopped = true;
    const tasks = this.#tasks.splice(0);
    this.#unschedule();
    for (const task of tasks) task.finish(new SchedulerStoppedError());
  }

  #add(task: Task): void {
    if (this.#stopped) {
      task.finish(new SchedulerStoppedError());
    } else {
      this.#tasks.push(task);
      this.#reschedule();
    }
  }

  #remove(task: Task): void {
    const index = this.#tasks.indexOf(task);
    if (index < 0) return;
    this.#tasks.splice(index, 1);
    if (index < this.#cursor) this.#cursor--;
    if (this.#tasks.length === 0) this.#unschedule();
  }

  /** One time slice: steps tasks in turn until the slice is over or no task is left. */
  #tick(): void {
    this.#scheduled = false;
    this.#pending = undefined;
    const over = this.#slice();
    while (this.#tasks.length > 0) {
      if (this.#cursor >= this.#tasks.length) this.#cursor = 0;
      this.#tasks[this.#cursor++]!.step();
      if (over()) break;
    }
    this.#reschedule();
  }

  #reschedule(): void {
    if (this.#scheduled || this.#tasks.length === 0) return;
    this.#scheduled = true;
    this.#pending = this.#scheduler(() => this.#tick());
  }

  #unschedule(): void {
    this.#scheduled = false;
    this.#pending?.cancel();
    this.#pending = undefined;
  }
}

const theCooperator = new Cooperator();

/**
 * Runs an iterator as a task of the default Cooperator (on `systemClock`), sharing time with every
 * other task there.
 *
 * @example
 * ```ts
 * const task = cooperate(function* () { for (const row of rows) { save(row); yield; } }());
 * await task.whenDone();
 * ```
 */
export function cooperate(iterator: Iterator<unknown> | Iterable<unknown>): CooperativeTask {
  return theCooperator.cooperate(iterator);
}

/**
 * Runs an iterator on the default Cooperator and returns a Deferred of its end.
 *
 * @example
 * ```ts
 * await coiterate(function* () { for (const chunk of chunks) yield connection.write(chunk); }());
 * ```
 */
export function coiterate(iterator: Iterator<unknown> | Iterable<unknown>): Deferred<Iterator<unknown>> {
  return theCooperator.coiterate(iterator);
}
