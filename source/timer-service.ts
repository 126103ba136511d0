/**
 * `timerService`: a function called every so many seconds while a service runs (Twisted's
 * `TimerService`).
 *
 * @module
 */
import { describeService } from './_service-log.js';
import type { ReactorTime } from './clock.js';
import type { Deferred } from './deferred.js';
import { Logger } from './log.js';
import { LoopingCall } from './looping-call.js';
import { reactor } from './reactor.js';
import { BaseService, type ServiceOptions } from './service.js';

/**
 * Options of `timerService`.
 *
 * @example
 * ```ts
 * timerService(60, sweep, { name: 'sweeper', now: false, clock: reactor });
 * ```
 */
export interface TimerServiceOptions extends ServiceOptions {
  /** The clock the calls run on. Default: the process-wide `reactor`. */
  readonly clock?: ReactorTime;
  /** Whether the first call comes at the start (default true, as in Twisted) or an interval later. */
  readonly now?: boolean;
}

const log = new Logger('spindle.service');

/**
 * A service that calls a function on an interval: see `timerService`.
 *
 * @example
 * ```ts
 * const sweeper: TimerService = timerService(60, sweep);
 * sweeper.interval; // 60
 * ```
 */
export class TimerService extends BaseService {
  /** Seconds between calls. */
  readonly interval: number;
  readonly #loop: LoopingCall;
  readonly #now: boolean;
  /** Fires once the loop of the current run has ended (stopped, or `fn` failed). */
  #loopDone: Deferred<unknown> | undefined = undefined;

  constructor(interval: number, fn: (count: number) => unknown, options: TimerServiceOptions) {
    super(options);
    this.interval = interval;
    this.#loop = new LoopingCall(fn, { clock: options.clock ?? reactor });
    this.#now = options.now ?? true;
  }

  /** Starts the calls. A failure of the function is logged, and the calls end. */
  protected override start(): void {
    this.#loopDone = this.#loop.start(this.interval, this.#now).addErrback((failure) => {
      log.error(
        `${describeService(this)} failed, and calls its function no more: ${failure.getErrorMessage()}`,
        {
          error: failure,
        },
      );
    });
  }

  /** Ends the calls; fires once a call in progress (its Deferred or promise) has settled. */
  protected override stop(): Deferred<unknown> {
    if (this.#loop.running) this.#loop.stop();
    return this.#loopDone!;
  }
}

/**
 * A service that calls `fn` every `interval` seconds while it runs (Twisted's `TimerService`,
 * over a `LoopingCall`): first at the start (unless `now: false`), then on each interval boundary.
 * A call whose Deferred or promise is still pending holds the next one, and the stop, until it
 * settles; `fn` receives how many intervals passed since its last call (more than 1 when calls
 * were skipped). If `fn` throws or its Deferred fails, the failure is logged and the calls end;
 * the service still counts as running until stopped.
 *
 * @throws RangeError at start when `interval` is negative or `NaN`.
 * @example
 * ```ts
 * export default application('shop', listenService('tcp:8080', httpServer(site)),
 *   timerService(300, () => cache.prune(), { name: 'cache-pruner' }));
 * ```
 */
export function timerService(
  interval: number,
  fn: (count: number) => unknown,
  options: TimerServiceOptions = {},
): TimerService {
  return new TimerService(interval, fn, options);
}
