/**
 * `recordingServices`: services that note each start and stop in a shared list, for tests of the
 * order services start and stop in; `cancellation`: the message of a start cut short by a stop;
 * `captureLogs`: the log records published until `stop()`.
 */
import * as assert from 'uvu/assert';
import type { Deferred } from '../../source/deferred.js';
import { CancelledError } from '../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../source/log.js';
import { type BaseService, service } from '../../source/service.js';
import { failureOf } from './failure-of.js';

/** Extra work for a recording service's start or stop: what it returns is what the hook returns. */
export interface RecordedHooks {
  start?: () => unknown;
  stop?: () => unknown;
}

/**
 * A maker of services named `name` that push `start NAME` and `stop NAME` to `events` when their
 * start and stop begin, then run `hooks`.
 */
export function recordingServices(events: string[]): (name: string, hooks?: RecordedHooks) => BaseService {
  return (name, hooks = {}) =>
    service({
      name,
      start: () => {
        events.push(`start ${name}`);
        return hooks.start?.();
      },
      stop: () => {
        events.push(`stop ${name}`);
        return hooks.stop?.();
      },
    });
}

/** The message of the `CancelledError` a start failed with; fails the test if it did not fail so. */
export function cancellation(started: Deferred<unknown>): string {
  const failure = failureOf(started);
  assert.instance(failure?.value, CancelledError);
  return failure!.value.message;
}

/** The log records published from now until `stop()`, as `level [namespace] message` lines too. */
export function captureLogs(): { records: LogRecord[]; lines: () => string[]; stop: () => void } {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return {
    records,
    lines: () =>
      records.filter((r) => r.level !== 'debug').map((r) => `${r.level} [${r.namespace}] ${r.message}`),
    stop: () => subscription.unsubscribe(),
  };
}
