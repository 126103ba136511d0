/**
 * The errors of cooperative tasks (Twisted's `task.SchedulerError` family): what
 * `CooperativeTask.whenDone()` fails with when a task is stopped, and what `pause()` and `stop()`
 * throw on a task that is over.
 *
 * @module
 */
import { SpindleError } from './errors.js';

/**
 * The base of the cooperative-task errors: a `Cooperator` or one of its tasks was in the wrong
 * state for the operation.
 *
 * @example
 * ```ts
 * try { task.pause(); } catch (e) { if (e instanceof SchedulerError) console.log(e.code); }
 * ```
 */
export class SchedulerError extends SpindleError {
  static override readonly code: string = 'SPINDLE_SCHEDULER';
}

/**
 * The `Cooperator` was stopped while the task was in it, or before it was added.
 *
 * @example
 * ```ts
 * cooperator.stop();
 * cooperator.coiterate(work()).addErrback(f => f.trap(SchedulerStoppedError));
 * ```
 */
export class SchedulerStoppedError extends SchedulerError {
  static override readonly code: string = 'SPINDLE_SCHEDULER_STOPPED';
  constructor(message = 'the cooperator was stopped', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The task is over (done, stopped or failed), so it cannot be paused or stopped any more.
 *
 * @example
 * ```ts
 * try { task.stop(); } catch (e) { e instanceof TaskFinishedError; } // true once the task is over
 * ```
 */
export class TaskFinishedError extends SchedulerError {
  static override readonly code: string = 'SPINDLE_TASK_FINISHED';
}

/**
 * The task ran its iterator to the end.
 *
 * @example
 * ```ts
 * await task.whenDone();
 * try { task.pause(); } catch (e) { e instanceof TaskDoneError; } // true
 * ```
 */
export class TaskDoneError extends TaskFinishedError {
  static override readonly code: string = 'SPINDLE_TASK_DONE';
  constructor(message = 'the task is done', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The task was stopped with `stop()`; its `whenDone()` Deferreds fail with this.
 *
 * @example
 * ```ts
 * task.whenDone().addErrback(f => f.trap(TaskStoppedError));
 * task.stop();
 * ```
 */
export class TaskStoppedError extends TaskFinishedError {
  static override readonly code: string = 'SPINDLE_TASK_STOPPED';
  constructor(message = 'the task was stopped', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The task's iterator threw (or a Deferred it yielded failed); `whenDone()` fails with that error.
 *
 * @example
 * ```ts
 * try { task.resume(); task.pause(); } catch (e) { e instanceof TaskFailedError; }
 * ```
 */
export class TaskFailedError extends TaskFinishedError {
  static override readonly code: string = 'SPINDLE_TASK_FAILED';
  constructor(message = 'the task failed', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * `resume()` was called on a task that was not paused.
 *
 * @example
 * ```ts
 * try { cooperate(work()).resume(); } catch (e) { e instanceof NotPausedError; } // true
 * ```
 */
export class NotPausedError extends SchedulerError {
  static override readonly code: string = 'SPINDLE_NOT_PAUSED';
  constructor(message = 'the task is not paused', options?: ErrorOptions) {
    super(message, options);
  }
}
