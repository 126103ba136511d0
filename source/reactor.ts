/**
 * The reactor (Twisted's `reactor`): the one place a process's I/O is started and stopped. It runs
 * on Node's own event loop (libuv); it adds startup and shutdown phases with triggers, graceful
 * shutdown on SIGINT/SIGTERM, and the time interface every timeout in Spindle reads.
 *
 * @module
 */
import { config as rxjsConfig, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { OnceEvent } from './_once-event.js';
import type { DelayedCall, ReactorTime } from './clock.js';
import type { Connection, ConnectionOptions } from './connection.js';
import { Deferred, maybeDeferred, reportedFailure, succeed } from './deferred.js';
import { gatherResults } from './deferred-list.js';
import type { ClientEndpoint, StreamServerEndpoint, UDPEndpoint } from './endpoint-description.js';
import { describeServerEndpoint } from './endpoint-description.js';
import { CannotListenError, SpindleError } from './errors.js';
import { Logger } from './log.js';
import type { Protocol } from './protocol.js';
import type { Server, StreamListenOptions } from './server.js';
import { systemClock } from './system-clock.js';
import { connectTCP, listenTCP } from './transports/tcp.js';
import { connectTLS, listenTLS } from './transports/tls.js';
import { type DatagramOptions, DatagramPort } from './transports/udp.js';
import { connectUNIX, listenUNIX } from './transports/unix.js';

/** When a system event trigger runs, relative to the event. */
export type TriggerPhase = 'before' | 'during' | 'after';
/** The reactor's system events. */
export type SystemEvent = 'startup' | 'shutdown';
/** A trigger; returning a Deferred or promise makes the event wait for it (before the next phase). */
export type Trigger = () => unknown;

/** Handle of a registered trigger, for `removeSystemEventTrigger`. */
export interface TriggerHandle {
  readonly phase: TriggerPhase;
  readonly event: SystemEvent;
}

/** What every reactor offers: time, and starting servers and connections on endpoints. */
export interface ReactorLike extends ReactorTime {
  /** Listens on a stream endpoint, running `protocol` (if given) on each connection. */
  listenStream(endpoint: StreamServerEndpoint, options?: StreamListenOptions, protocol?: Protocol): Server;
  listenDatagram(endpoint: UDPEndpoint, options: DatagramOptions): DatagramPort;
  connectStream(endpoint: ClientEndpoint, options: ConnectionOptions): Deferred<Connection>;
}

/** `stop()` on a reactor that is not running (Twisted's `ReactorNotRunning`). */
export class ReactorNotRunningError extends SpindleError {
  static override readonly code: string = 'SPINDLE_REACTOR_NOT_RUNNING';
}

/** Options of `Reactor`. */
export interface ReactorOptions {
  /** The clock (default: the system clock). */
  clock?: ReactorTime & SchedulerLike;
  /**
   * Seconds shutdown lets open connections finish before aborting them, for servers that give no
   * `gracePeriod` of their own when they listen. Default 10.
   */
  shutdownGracePeriod?: number;
}

const log = new Logger('spindle.reactor');

/**
 * Routes errors rxjs could not deliver (a subscriber's `next` threw, an error nobody handles) to
 * the log stream instead of rethrowing them asynchronously, which would end the process; done
 * once the reactor starts I/O, and only if the program set no handler of its own.
 */
function logUndeliverableErrors(): void {
  if (rxjsConfig.onUnhandledError === null) {
    rxjsConfig.onUnhandledError = (error) => log.error('unhandled error in an observable', { error });
  }
}

/**
 * The reactor. `listen`/`connect` use the process-wide `reactor`; tests pass a `MemoryReactor`
 * or a `Reactor` over a virtual `Clock`.
 *
 * `run()` fires the startup triggers and installs SIGINT/SIGTERM handlers; `stop()` (or a signal)
 * runs the shutdown: `before` triggers, then `during` ones while every server stops listening and
 * its connections get their grace period to finish (the server's `gracePeriod`, by default
 * `shutdownGracePeriod` seconds), then `after` ones. A trigger that
 * returns a Deferred or promise holds its phase until it fires.
 *
 * @example
 * ```ts
 * import { reactor, listen } from 'spindle';
 * const server = listen('tcp:8080');
 * reactor.addSystemEventTrigger('before', 'shutdown', () => flushLogs());
 * reactor.run(); // Ctrl-C now stops accepting, drains connections, then exits
 * ```
 */
export class Reactor implements ReactorLike, SchedulerLike {
  private readonly _clock: ReactorTime & SchedulerLike;
  /**
   * Seconds shutdown lets open connections finish, for servers listened from now on that give no
   * `gracePeriod` of their own (the `shutdownGracePeriod` option; `spindle`'s `--grace`).
   */
  shutdownGracePeriod: number;
  private readonly _triggers = new Map<string, { handle: TriggerHandle; fn: Trigger }[]>();
  private readonly _servers = new Set<Server | DatagramPort>();
  private _running = false;
  private _stopping: OnceEvent | undefined;
  private _stopped: Deferred<void> | undefined;
  private _signalHandler: ((signal: NodeJS.Signals) => void) | undefined;
  /** Why the run ends in failure: the first server that could not listen, or `stop(reason)`'s reason. */
  private _failure: Error | undefined;

  constructor(options: ReactorOptions = {}) {
    this._clock = options.clock ?? systemClock;
    this.shutdownGracePeriod = options.shutdownGracePeriod ?? 10;
  }

  /** Whether `run()` was called and the reactor has not stopped since. */
  get running(): boolean {
    return this._running;
  }

  /** The servers and UDP ports started through this reactor and still open. */
  get servers(): ReadonlySet<Server | DatagramPort> {
    return this._servers;
  }

  seconds(): number {
    return this._clock.seconds();
  }

  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    return this._clock.callLater(delay, fn, ...args);
  }

  getDelayedCalls(): readonly DelayedCall[] {
    return this._clock.getDelayedCalls();
  }

  /** rxjs `SchedulerLike`: milliseconds. */
  now(): number {
    return this._clock.now();
  }

  /** rxjs `SchedulerLike`: schedules `work` after `delay` milliseconds. */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return this._clock.schedule(work, delay, state);
  }

  /**
   * Starts the reactor: runs the startup triggers and installs SIGINT/SIGTERM handlers. Fires
   * once the reactor has stopped; errbacks with `CannotListenError` when it stopped because a
   * server could not listen (one not listened with `required: false`) (before or after `run()`),
   * or with the reason given to `stop(reason)`, and then, if it installed the signal handlers (it
   * owns the process), exits the process with code 1. The error itself is logged once, by the
   * server (or by whoever gave the reason).
   */
  run(options: { installSignalHandlers?: boolean } = {}): Deferred<void> {
    if (this._running) throw new SpindleError('the reactor is already running');
    this._running = true;
    this._stopping = undefined;
    const stopped = new Deferred<void>();
    this._stopped = stopped;
    logUndeliverableErrors();
    if (options.installSignalHandlers ?? true) this._installSignalHandlers();
    this._fire('startup', () => undefined).addErrback((failure) =>
      log.error('a startup trigger failed', { error: failure }),
    );
    if (this._failure !== undefined) this.stop();
    return stopped;
  }

  /**
   * Stops the reactor gracefully (see the class comment); fires once every shutdown trigger has
   * run and every server is closed. With a `reason` (an error the caller has logged), the run
   * ends in failure, as when a server cannot listen: `run()` errbacks with it, and a reactor that
   * owns the process exits with code 1.
   *
   * @throws ReactorNotRunningError when the reactor is not running.
   */
  stop(reason?: Error): Deferred<void> {
    if (!this._running) throw new ReactorNotRunningError('the reactor is not running');
    if (reason !== undefined) this._failure ??= reason;
    if (this._stopping === undefined) {
      const stopping = new OnceEvent();
      this._stopping = stopping;
      this._fire('shutdown', () => this._closeServers()).addBoth(() => {
        this._running = false;
        const ownsProcess = this._signalHandler !== undefined;
        this._removeSignalHandlers();
        const failure = this._failure;
        this._failure = undefined;
        if (failure === undefined) this._stopped?.callback(undefined);
        else this._stopped?.errback(reportedFailure(failure));
        stopping.fire();
        // It owns the process: a server that could not listen (or a reason) ends it with exit code 1.
        if (failure !== undefined && ownsProcess) process.exit(1);
      });
    }
    return this._stopping.wait();
  }

  /** Calls `fn` now if the reactor is running, or once it has started. */
  callWhenRunning(fn: Trigger): TriggerHandle | undefined {
    if (this._running) {
      fn();
      return undefined;
    }
    return this.addSystemEventTrigger('after', 'startup', fn);
  }

  /** Adds a trigger to run in `phase` of `event`; returns a handle to remove it. */
  addSystemEventTrigger(phase: TriggerPhase, event: SystemEvent, fn: Trigger): TriggerHandle {
    const handle: TriggerHandle = { phase, event };
    const key = `${phase}:${event}`;
    const list = this._triggers.get(key) ?? [];
    list.push({ handle, fn });
    this._triggers.set(key, list);
    return handle;
  }

  /** Removes a trigger added by `addSystemEventTrigger`. */
  removeSystemEventTrigger(handle: TriggerHandle): void {
    const list = this._triggers.get(`${handle.phase}:${handle.event}`);
    const index = list?.findIndex((entry) => entry.handle === handle) ?? -1;
    if (index >= 0) list!.splice(index, 1);
  }

  listenStream(
    endpoint: StreamServerEndpoint,
    options: StreamListenOptions = {},
    protocol?: Protocol,
  ): Server {
    logUndeliverableErrors();
    const setup = {
      endpoint: describeServerEndpoint(endpoint),
      protocol,
      options: { gracePeriod: this.shutdownGracePeriod, ...options },
    };
    const server =
      endpoint.type === 'tcp'
        ? listenTCP(endpoint, setup, this)
        : endpoint.type === 'tls'
          ? listenTLS(endpoint, setup, this)
          : listenUNIX(endpoint, setup, this);
    this._track(server, options.required ?? true);
    return server;
  }

  listenDatagram(endpoint: UDPEndpoint, options: DatagramOptions): DatagramPort {
    logUndeliverableErrors();
    const port = new DatagramPort(endpoint, options);
    this._track(port, options.required ?? true);
    return port;
  }

  connectStream(endpoint: ClientEndpoint, options: ConnectionOptions): Deferred<Connection> {
    logUndeliverableErrors();
    switch (endpoint.type) {
      case 'tcp':
        return connectTCP(endpoint, options, this);
      case 'tls':
        return connectTLS(endpoint, options, this);
      default:
        return connectUNIX(endpoint, options, this);
    }
  }

  private _track(server: Server | DatagramPort, required: boolean): void {
    this._servers.add(server);
    server.closed.addCallback(() => {
      this._servers.delete(server);
    });
    if (!required) return;
    server.address.addErrback((failure) => {
      if (failure.check(CannotListenError)) this._listenFailed(failure.value as CannotListenError);
    });
  }

  /**
   * A server could not listen (it logged why): a running reactor stops, and its run ends with
   * that error; one not running yet does so as soon as it runs.
   */
  private _listenFailed(error: CannotListenError): void {
    this._failure ??= error;
    if (this._running && this._stopping === undefined) this.stop();
  }

  /** Closes every server, each with its own grace period (`shutdownGracePeriod` unless it set one). */
  private _closeServers(): Deferred<unknown> {
    const closing = [...this._servers].map((server) => server.close());
    return gatherResults(closing, { consumeErrors: true });
  }

  /** Runs the before, during and after triggers of `event`, each phase waiting for the last. */
  private _fire(event: SystemEvent, during: () => unknown): Deferred<unknown> {
    const phase = (name: TriggerPhase, extra?: () => unknown) => () => {
      const fns = (this._triggers.get(`${name}:${event}`) ?? []).map((entry) => entry.fn);
      if (extra !== undefined) fns.unshift(extra);
      const results = fns.map((fn) =>
        maybeDeferred(fn).addErrback((failure) => {
          log.error(`a ${name}-${event} trigger failed`, { error: failure });
        }),
      );
      return gatherResults(results);
    };
    return succeed(undefined)
      .addCallback(phase('before'))
      .addCallback(phase('during', during))
      .addCallback(phase('after'));
  }

  private _installSignalHandlers(): void {
    const handler = (signal: NodeJS.Signals) => {
      if (this._stopping !== undefined) {
        log.warn(`${signal} again: exiting now`);
        process.exit(1);
      }
      log.info(`${signal}: shutting down`);
      this.stop().addBoth(() => process.exit(0));
    };
    this._signalHandler = handler;
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }

  private _removeSignalHandlers(): void {
    const handler = this._signalHandler;
    if (handler === undefined) return;
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    this._signalHandler = undefined;
  }
}

/**
 * The process-wide reactor, on the system clock.
 *
 * @example
 * ```ts
 * reactor.callLater(1, () => console.log('a second later'));
 * ```
 */
export const reactor: Reactor = new Reactor();
