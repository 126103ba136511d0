/**
 * `MultiService`: a service made of services, started in order and stopped in reverse (Twisted's
 * `MultiService`).
 *
 * @module
 */
import { describeService, logStartFailure } from './_service-log.js';
import { type Deferred, maybeDeferred, succeed } from './deferred.js';
import { CancelledError, SpindleError } from './errors.js';
import type { Failure } from './failure.js';
import { Logger } from './log.js';
import { BaseService, type Service, type ServiceCollection } from './service.js';

const log = new Logger('spindle.service');

/**
 * A service holding services. Starting it starts its children one after the other, in the order
 * they were added, each once the previous one's start has fired; if one fails, those started are
 * stopped again, in reverse, and the start fails with that child's failure (a supervisor's
 * rollback). Stopping it stops every child in reverse order, each once the next one has stopped;
 * a child whose stop fails is logged and the others still stop. A child added while it runs is
 * started at once (a failure to start is logged); one removed while it is not stopped is stopped.
 *
 * ```text
 * startService(): a.start ─▶ b.start ─▶ c.start          (b fails: a.stop, then fail with b's error)
 * stopService():  c.stop ─▶ b.stop ─▶ a.stop
 * ```
 *
 * @example
 * ```ts
 * const workers = new MultiService({ name: 'workers' });
 * workers.addService(timerService(60, sweep, { name: 'sweeper' }));
 * workers.addService(listenService('tcp:8080', httpServer(site), { name: 'web' }));
 * await workers.startService();
 * ```
 */
export class MultiService extends BaseService implements ServiceCollection {
  readonly #children: Service[] = [];
  readonly #named = new Map<string, Service>();

  /**
   * The children, in the order they were added (and are started).
   *
   * @example
   * ```ts
   * const names = [...app].map((child) => child.name);
   * ```
   */
  [Symbol.iterator](): Iterator<Service> {
    return this.#children[Symbol.iterator]();
  }

  /**
   * The child named `name`, if there is one.
   *
   * @example
   * ```ts
   * const web = app.getServiceNamed('web') as ListenService;
   * ```
   */
  getServiceNamed(name: string): Service | undefined {
    return this.#named.get(name);
  }

  /**
   * Adds `service` as the last child; starts it if this collection is running.
   *
   * @throws SpindleError when `service` has a parent already, has the name of another child, or
   *   holds this collection.
   * @example
   * ```ts
   * app.addService(timerService(5, poll, { name: 'poller' }));
   * ```
   */
  addService(service: Service): void {
    if (service.parent !== undefined) {
      throw new SpindleError(`${describeService(service)} has a parent already: remove it from there first`);
    }
    for (let holder: unknown = this; holder !== undefined; holder = (holder as Partial<Service>).parent) {
      if (holder === service) throw new SpindleError(`${describeService(service)} cannot hold itself`);
    }
    const name = service.name;
    if (name !== undefined) {
      if (this.#named.has(name)) {
        throw new SpindleError(`${describeService(this)} has a service named '${name}' already`);
      }
      this.#named.set(name, service);
    }
    this.#children.push(service);
    service.parent = this;
    if (this.state === 'running' && !service.running) {
      maybeDeferred(() => service.startService()).addErrback((failure) =>
        logStartFailure(log, `${describeService(service)} could not start`, failure),
      );
    }
  }

  /**
   * Removes `service`; stops it if this collection is not stopped, and fires once it has.
   *
   * @throws SpindleError when `service` is not a child of this collection.
   * @example
   * ```ts
   * await app.removeService(app.getServiceNamed('poller')!);
   * ```
   */
  removeService(service: Service): Deferred<void> {
    const index = this.#children.indexOf(service);
    if (index < 0)
      throw new SpindleError(`${describeService(service)} is not a child of ${describeService(this)}`);
    this.#children.splice(index, 1);
    if (service.name !== undefined) this.#named.delete(service.name);
    service.parent = undefined;
    return this.state === 'stopped' ? succeed(undefined) : this.#stopChild(service);
  }

  /** Starts the children that are not running, one after the other; rolls back if one fails. */
  protected override start(): Deferred<void> {
    const attempted = new Set<Service>();
    const started: Service[] = [];
    const next = (): Deferred<void> => {
      if (this.state === 'stopping') {
        return this.#rollBack(
          started,
          new CancelledError(`${describeService(this)} was stopped while starting`),
        );
      }
      // Children added meanwhile are found too, and removed ones are not.
      const child = this.#children.find((candidate) => !attempted.has(candidate) && !candidate.running);
      if (child === undefined) return succeed(undefined);
      attempted.add(child);
      return maybeDeferred(() => child.startService()).addCallbacks(
        () => {
          started.push(child);
          return next();
        },
        (failure) => this.#rollBack(started, failure),
      );
    };
    return next();
  }

  /** Stops every child, last first. */
  protected override stop(): Deferred<void> {
    return this.#stopInReverse([...this.#children]);
  }

  /** Stops `started` in reverse, then fails with `reason`. */
  #rollBack(started: readonly Service[], reason: Failure | Error): Deferred<never> {
    return this.#stopInReverse(started).addCallback(() => {
      throw reason;
    });
  }

  #stopInReverse(children: readonly Service[]): Deferred<void> {
    return children.reduceRight(
      (previous: Deferred<void>, child) => previous.addCallback(() => this.#stopChild(child)),
      succeed(undefined),
    );
  }

  /** Stops `child`; a failure is logged, not passed on. */
  #stopChild(child: Service): Deferred<void> {
    return maybeDeferred(() => child.stopService()).addErrback((failure) => {
      log.error(`stopping ${describeService(child)} failed: ${failure.getErrorMessage()}`, {
        error: failure,
      });
    });
  }
}
