/** A one-time event that many may wait on, each through a Deferred of its own. */
import { Deferred } from './deferred.js';

/**
 * Fires once; every `wait()` gets its own Deferred, so one waiter's callbacks never change the
 * result another waiter sees (as they would on one shared Deferred).
 */
export class OnceEvent<T = void> {
  private _fired = false;
  private _value: T | undefined;
  /** One waiter is kept as is; an array only from the second (most events have one waiter). */
  private _waiters: Deferred<T> | Deferred<T>[] | undefined = undefined;

  get fired(): boolean {
    return this._fired;
  }

  fire(value: T): void {
    if (this._fired) return;
    this._fired = true;
    this._value = value;
    const waiters = this._waiters;
    this._waiters = undefined;
    if (waiters instanceof Deferred) waiters.callback(value);
    else if (waiters !== undefined) for (const waiter of waiters) waiter.callback(value);
  }

  wait(): Deferred<T> {
    const waiter = new Deferred<T>();
    if (this._fired) waiter.callback(this._value as T);
    else if (this._waiters === undefined) this._waiters = waiter;
    else if (this._waiters instanceof Deferred) this._waiters = [this._waiters, waiter];
    else this._waiters.push(waiter);
    return waiter;
  }
}
