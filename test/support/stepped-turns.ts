/**
 * `steppedTurns`: a `scheduler` for a server's turns of work that runs them only when the test
 * says, one turn at a time.
 *
 * @module
 */
import type { CooperatorScheduler } from '../../source/cooperate.js';

/** A scheduler, and the turns it holds. */
export interface SteppedTurns {
  /** Give this as the server's `scheduler`. */
  readonly scheduler: CooperatorScheduler;
  /** Runs the turns scheduled so far (not those they schedule); false when none was. */
  turn(): boolean;
  /** Runs turns until none is scheduled (at most `limit`); returns how many ran. */
  settle(limit?: number): number;
}

/**
 * A scheduler whose turns run on `turn()` and `settle()`.
 *
 * @example
 * ```ts
 * const turns = steppedTurns();
 * const server = dnsServer({ zones, clock, scheduler: turns.scheduler, queriesPerTurn: 4 });
 * transport.receive(flood);
 * assert.is(turns.settle(), 9);
 * ```
 */
export function steppedTurns(): SteppedTurns {
  let scheduled: (() => void)[] = [];
  const turn = (): boolean => {
    const works = scheduled;
    scheduled = [];
    for (const work of works) work();
    return works.length > 0;
  };
  return {
    scheduler: (work) => {
      scheduled.push(work);
      return undefined;
    },
    turn,
    settle(limit = 100_000) {
      let turns = 0;
      while (turns < limit && turn()) turns++;
      return turns;
    },
  };
}
