/**
 * `application` and `runApplication`: a program as a set of services, run by a reactor (Twisted's
 * `service.Application` and what `twistd` does with it). A module whose default export is an
 * application is what `spindle run MODULE` runs.
 *
 * @module
 */
import { OnceEvent } from './_once-event.js';
import { logStartFailure } from './_service-log.js';
import type { Deferred } from './deferred.js';
import { maybeDeferred } from './deferred.js';
import { CancelledError } from './errors.js';
import { Logger } from './log.js';
import { MultiService } from './multi-service.js';
import { reactor as defaultReactor, type Reactor } from './reactor.js';
import type { Service } from './service.js';

const log = new Logger('spindle.application');

/**
 * An application: a `MultiService` named `name` holding `services`, which start in this order
 * and stop in reverse. Export it as a module's default export for `spindle run`.
 *
 * @throws SpindleError when two of `services` have the same name.
 * @example
 * ```ts
 * // chat.ts: `spindle run chat.ts`
 * import { application, listenService, timerService } from 'spindle';
 * export default application('chat',
 *   listenService('tcp:8007', chat, { name: 'chat' }),
 *   timerService(60, () => room.pruneIdle(), { name: 'pruner' }));
 * ```
 */
export function application(name: string, ...services: Service[]): MultiService {
  const app = new MultiService({ name });
  for (const service of services) app.addService(service);
  return app;
}

/**
 * Runs `app` on `reactor` (what `twistd` does with an application): starts it once the reactor
 * runs, and stops it in a `before` `shutdown` trigger, so that `reactor.stop()` (or SIGINT,
 * SIGTERM) stops the services (each server draining its connections within its grace period)
 * before the reactor closes whatever servers are left.
 *
 * If the start fails, the services started are stopped again in reverse, the failure is logged
 * as one error line (a server that could not listen has logged its `CannotListenError` already;
 * Spindle's own errors print no stack), and the reactor stops with it: `run()` errbacks with that
 * error, and a reactor that owns the process exits with code 1. A stop that comes while the
 * application starts lets the service starting finish, then stops those started.
 *
 * @returns a Deferred that fires once the application has started, or fails with what made its
 *   start fail (logged already).
 * @example
 * ```ts
 * import { reactor, runApplication } from 'spindle';
 * runApplication((await import('./chat.js')).default);
 * reactor.run(); // Ctrl-C: services stop in reverse, servers drain, exit
 * ```
 */
export function runApplication(app: Service, reactor: Reactor = defaultReactor): Deferred<void> {
  const started = new OnceEvent();
  let stopping = false;
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    stopping = true;
    return app.stopService();
  });
  reactor.callWhenRunning(() => {
    maybeDeferred(() => app.startService()).addCallbacks(
      () => started.fire(),
      (failure) => {
        // A start cut short by the reactor's stop is no failure of the program.
        if (!(stopping && failure.check(CancelledError))) {
          const name = app.name === undefined ? 'the application' : `the application '${app.name}'`;
          logStartFailure(log, `${name} could not start`, failure);
          if (reactor.running) reactor.stop(failure.value);
        }
        started.fail(failure);
      },
    );
  });
  return started.wait();
}
