/**
 * How services are named in log records, and the one rule for logging a failed start.
 *
 * @module
 */
import { CannotListenError } from './errors.js';
import type { Failure } from './failure.js';
import type { Logger } from './log.js';

/**
 * `the service 'web'`, or `a service with no name`: how a log record names a service.
 *
 * @example
 * ```ts
 * log.error(`stopping ${describeService(child)} failed`, { error });
 * ```
 */
export function describeService(service: { readonly name?: string | undefined }): string {
  return service.name === undefined ? 'a service with no name' : `the service '${service.name}'`;
}

/**
 * Logs a start that failed, as `WHAT: MESSAGE`, unless it failed with a `CannotListenError`:
 * the server that could not listen has logged that one already.
 *
 * @example
 * ```ts
 * logStartFailure(log, `${describeService(child)} could not start`, failure);
 * ```
 */
export function logStartFailure(log: Logger, what: string, failure: Failure): void {
  if (failure.check(CannotListenError)) return;
  log.error(`${what}: ${failure.getErrorMessage()}`, { error: failure });
}
