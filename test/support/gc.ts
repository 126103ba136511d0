/** Forces garbage collection in tests, and waits for finalization callbacks to run. */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage a few times, yielding to the event loop between, so FinalizationRegistry callbacks run. */
export async function collectGarbage(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    gc();
    await nextMacrotask();
  }
}
