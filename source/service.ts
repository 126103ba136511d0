/**
 * Services (Twisted's `twisted.application.service`): the parts of a program that are started and
 * stopped as a whole (a server, a timer, a connection pool), each with an optional name and a
 * parent, so that an application made of services starts them in order and stops them in reverse.
 *
 * @module
 */
import { OnceEvent } from './_once-event.js';
import { describeService } from './_service-log.js';
import { type Deferred, maybeDeferred, succeed } from './deferred.js';
import { CancelledError, SpindleError } from './errors.js';
import { Failure } from './failure.js';
import { Logger } from './log.js';

/**
 * A service as its parent and `runApplication` see it (Twisted's `IService`). `BaseService` is
 * the usual way to write one; any object of this shape works.
 *
 * @example
 * ```ts
 * class Pool implements Service {
 *   readonly name = 'db';
 *   running = false;
 *   async startService() { await db.connect(); this.running = true; }
 *   async stopService() { if (this.running) { this.running = false; await db.end(); } }
 * }
 * ```
 */
export interface Service {
  /** Its name, unique among its siblings (for `getServiceNamed`); none by default. */
  readonly name?: string | undefined;
  /** Whether it has started (its start has finished) and has not begun to stop. */
  readonly running: boolean;
  /** The collection it belongs to: set by `addService`, cleared by `removeService`. */
  parent?: ServiceCollection | undefined;
  /**
   * Starts it. A Deferred or promise returned holds its parent's start (the next sibling starts
   * once it fires), and a failure fails that start.
   */
  startService(): unknown;
  /**
   * Stops it, or the start under way; does nothing on a service that is stopped. A Deferred or
   * promise returned holds its parent's stop until it settles.
   */
  stopService(): PromiseLike<void> | void;
}

/**
 * Services holding services (Twisted's `IServiceCollection`): `MultiService` and the application.
 *
 * @example
 * ```ts
 * const web = app.getServiceNamed('web');
 * for (const child of app) console.log(child.name, child.running);
 * ```
 */
export interface ServiceCollection extends Iterable<Service> {
  /** The child named `name`, if there is one. */
  getServiceNamed(name: string): Service | undefined;
  /** Adds a child (last); a collection that is running starts it. */
  addService(service: Service): void;
  /** Removes a child; a collection that is not stopped stops it. Fires once it has stopped. */
  removeService(service: Service): Deferred<void>;
}

/** Where a `BaseService` is in its life. */
export type ServiceState =
  | 'stopped' // not started, or stopped since
  | 'starting' // startService() called, its start not finished
  | 'running' // started
  | 'stopping'; // stopService() called (maybe while starting), its stop not finished

/**
 * Options of a service.
 *
 * @example
 * ```ts
 * new MultiService({ name: 'workers' });
 * ```
 */
export interface ServiceOptions {
  /** Its name, unique among its siblings. None by default. */
  readonly name?: string;
}

const log = new Logger('spindle.service');

/**
 * A service with its state kept for it (Twisted's `Service`): a subclass overrides `start` and
 * `stop` (both optional; either may return a Deferred or a promise), not `startService` and
 * `stopService`, which run them and move the state along.
 *
 * ```text
 * stopped ─startService()─▶ starting ─start settles─▶ running ─stopService()─▶ stopping ─▶ stopped
 *                              │ start fails: stopped
 *                              └ stopService(): stopping; once the start settles, stop, then stopped
 * ```
 *
 * A stop that fails is logged here, and the service counts as stopped: `stopService()` never
 * fails. A `stopService()` while the start is under way waits for it, then stops what started;
 * the start then fails with `CancelledError` (or with its own failure).
 *
 * @example
 * ```ts
 * class Feed extends BaseService {
 *   #conn: Connection | undefined;
 *   protected override start() {
 *     return connect('tcp:host=127.0.0.1:port=6379').addCallback((conn) => { this.#conn = conn; });
 *   }
 *   protected override stop() { this.#conn?.close(); }
 * }
 * new Feed({ name: 'feed' }).setServiceParent(app);
 * ```
 */
export class BaseService implements Service {
  readonly name: string | undefined;
  parent: ServiceCollection | undefined = undefined;
  #state: ServiceState = 'stopped';
  /** Settles when the stop under way has finished. */
  #stopped: OnceEvent | undefined = undefined;

  constructor(options: ServiceOptions = {}) {
    this.name = options.name;
  }

  /**
   * Where it is in its life.
   *
   * @example
   * ```ts
   * service.state; // 'stopped' | 'starting' | 'running' | 'stopping'
   * ```
   */
  get state(): ServiceState {
    return this.#state;
  }

  /**
   * Whether it is `'running'`.
   *
   * @example
   * ```ts
   * if (timer.running) await timer.stopService();
   * ```
   */
  get running(): boolean {
    return this.#state === 'running';
  }

  /**
   * Adds it to `parent` (Twisted's `setServiceParent`): `parent.addService(this)`.
   *
   * @throws SpindleError when it has a parent already, or `parent` has a child of the same name.
   * @example
   * ```ts
   * listenService('tcp:8080', httpServer(site)).setServiceParent(app);
   * ```
   */
  setServiceParent(parent: ServiceCollection): void {
    parent.addService(this);
  }

  /**
   * Removes it from its parent (Twisted's `disownServiceParent`), which stops it if the parent is
   * not stopped; fires once it has stopped.
   *
   * @throws SpindleError when it has no parent.
   * @example
   * ```ts
   * await timer.disownServiceParent();
   * ```
   */
  disownServiceParent(): Deferred<void> {
    if (this.parent === undefined) throw new SpindleError(`${describeService(this)} has no parent`);
    return this.parent.removeService(this);
  }

  /**
   * Starts it: runs `start`, and fires once what it returned has. Fails with what `start` threw
   * (or its Deferred failed with), the service stopped again; with `CancelledError` when
   * `stopService()` came before the start finished.
   *
   * @throws SpindleError when it is not stopped.
   * @example
   * ```ts
   * await service.startService();
   * ```
   */
  startService(): Deferred<void> {
    if (this.#state !== 'stopped') {
      throw new SpindleError(`cannot start ${describeService(this)}: it is ${this.#state}`);
    }
    this.#state = 'starting';
    return maybeDeferred(() => this.start()).addBoth((result) => this.#startSettled(result));
  }

  /**
   * Stops it: runs `stop` and fires once what it returned has (at once on a stopped service).
   * While it starts, waits for the start, then stops what started. Never fails: a failing `stop`
   * is logged, and the service counts as stopped.
   *
   * @example
   * ```ts
   * await service.stopService();
   * ```
   */
  stopService(): Deferred<void> {
    const state = this.#state;
    if (state === 'stopped') return succeed(undefined);
    if (state === 'stopping') return this.#stopped!.wait();
    this.#state = 'stopping';
    const stopped = new OnceEvent();
    this.#stopped = stopped;
    const waiter = stopped.wait();
    // while starting, #startSettled runs the stop once the start has settled
    if (state === 'running') maybeDeferred(() => this.stop()).addBoth((result) => this.#stopSettled(result));
    return waiter;
  }

  /**
   * What starting it does; a Deferred or promise returned holds the start until it settles.
   * Nothing by default.
   *
   * @example
   * ```ts
   * protected override start() { return this.pool.connect(); }
   * ```
   */
  protected start(): unknown {
    return undefined;
  }

  /**
   * What stopping it does; a Deferred or promise returned holds the stop until it settles.
   * Nothing by default.
   *
   * @example
   * ```ts
   * protected override stop() { return this.pool.end(); }
   * ```
   */
  protected stop(): unknown {
    return undefined;
  }

  /** The start settled with `result`: running, stopped again, or, if a stop came meanwhile, that stop. */
  #startSettled(result: unknown): undefined | Deferred<never> {
    const failure = result instanceof Failure ? result : undefined;
    if (this.#state === 'starting') {
      this.#state = failure === undefined ? 'running' : 'stopped';
      if (failure !== undefined) throw failure;
      return undefined;
    }
    const stopping = failure === undefined ? maybeDeferred(() => this.stop()) : succeed(undefined);
    return stopping.addBoth((stopResult) => {
      this.#stopSettled(stopResult);
      throw failure ?? new CancelledError(`${describeService(this)} was stopped before it had started`);
    });
  }

  #stopSettled(result: unknown): void {
    if (result instanceof Failure) {
      log.error(`stopping ${describeService(this)} failed: ${result.getErrorMessage()}`, { error: result });
    }
    this.#state = 'stopped';
    this.#stopped!.fire();
  }
}

/**
 * Options of `service`: its name, and what starting and stopping it do.
 *
 * @example
 * ```ts
 * const hooks: ServiceHooks = { name: 'db', start: () => pool.connect(), stop: () => pool.end() };
 * ```
 */
export interface ServiceHooks extends ServiceOptions {
  /** What starting it does; a Deferred or promise returned holds the start until it settles. */
  readonly start?: () => unknown;
  /** What stopping it does; a Deferred or promise returned holds the stop until it settles. */
  readonly stop?: () => unknown;
}

/** A `BaseService` whose start and stop are the functions given. */
class HookService extends BaseService {
  readonly #hooks: ServiceHooks;

  constructor(hooks: ServiceHooks) {
    super(hooks);
    this.#hooks = hooks;
  }

  protected override start(): unknown {
    return this.#hooks.start?.();
  }

  protected override stop(): unknown {
    return this.#hooks.stop?.();
  }
}

/**
 * A service from two functions: the short way to make something with a start and a stop part of
 * an application (a connection pool, a cache warmed at start, a file flushed at stop).
 *
 * @example
 * ```ts
 * const db = service({ name: 'db', start: () => pool.connect(), stop: () => pool.end() });
 * export default application('shop', db, listenService('tcp:8080', httpServer(site)));
 * ```
 */
export function service(hooks: ServiceHooks): BaseService {
  return new HookService(hooks);
}

/**
 * Whether `value` is a `Service` (it has `startService` and `stopService` functions): what
 * `spindle run` checks a module's default export with.
 *
 * @example
 * ```ts
 * isService(application('chat')); // true
 * isService({ port: 8080 });     // false
 * ```
 */
export function isService(value: unknown): value is Service {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Service).startService === 'function' &&
    typeof (value as Service).stopService === 'function'
  );
}
