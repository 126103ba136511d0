/**
 * `loudRecords`: the log records at warn or error level while something runs, for tests that a
 * peer's misbehaviour is not logged as the server's own error (or is, once).
 */
import { type LogRecord, logRecords$ } from '../../source/log.js';

/** Runs `run` and gives the records logged at warn or error level meanwhile. */
export async function loudRecords(run: () => Promise<void> | void): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => {
    if (record.level === 'warn' || record.level === 'error') records.push(record);
  });
  try {
    await run();
  } finally {
    subscription.unsubscribe();
  }
  return records;
}
