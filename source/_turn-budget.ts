/**
 * `TurnBudget`: a bounded amount of work per read, the rest on later turns. Private to Spindle.
 *
 * One read of a pipelining client can hold thousands of commands (a 64 KiB read holds ~1,400
 * DNS-over-TCP queries, ~10,900 SMTP NOOPs); answering them all at once holds the event loop for
 * everyone else (the soak measured stalls of 200 ms and more). A session with a budget handles at
 * most `perTurn` of them, then stops; the budget calls it back on a later turn of the event loop
 * (by default `clock.callLater(0)`: after the loop's I/O and timers) with a fresh budget, and keeps the connection from reading meanwhile, so input does not pile up.
 *
 * @module
 */
import { count } from './_option-checks.js';
import type { ReactorTime } from './clock.js';
import type { CooperatorScheduler } from './cooperate.js';
import type { Pausable } from './producer.js';

/**
 * How the sessions of one server take turns: the work per read and per turn, and how the next
 * turn is run.
 *
 * @example
 * ```ts
 * const turns: TurnOptions = turnOptions('commandsPerTurn', options.commandsPerTurn, clock, options.scheduler);
 * ```
 */
export interface TurnOptions {
  /** The units of work (commands, queries, requests) per read and per turn; infinity for no bound. */
  readonly perTurn: number;
  /** Runs a session's next turn once the event loop has had its own (its I/O, its timers). */
  readonly scheduler: CooperatorScheduler;
}

/**
 * A server's `TurnOptions` from its options: `perTurn` (named `name` in errors) 64 by default,
 * `scheduler` by default `work => clock.callLater(0, work)`.
 *
 * @throws RangeError when `perTurn` is not a positive whole number or infinity.
 * @example
 * ```ts
 * const turns = turnOptions('queriesPerTurn', options.queriesPerTurn, clock, options.scheduler);
 * ```
 */
export function turnOptions(
  name: string,
  perTurn: number | undefined,
  clock: ReactorTime,
  scheduler: CooperatorScheduler | undefined,
): TurnOptions {
  return {
    perTurn: count(name, perTurn, 64),
    scheduler: scheduler ?? ((work) => clock.callLater(0, work)),
  };
}

/**
 * Where a budget is: `open` (work may be spent), `waiting` (spent: the session waits for its next
 * turn, its connection not read), `stopped` (the session is over; nothing more is called).
 */
type BudgetState = 'open' | 'waiting' | 'stopped';

/**
 * The work one session may do in one turn of the event loop. The session calls `renew` when a
 * read comes, `spend` before each unit of work (a command, a query, a request), and stops when
 * it says no: `resume` runs on a later turn, with a fresh budget, and may stop again.
 *
 * ```text
 * read: [60 commands]  → 60 handled
 * read: [200 commands] → 64 handled, paused │ turn → 64 │ turn → 64 │ turn → 8, resumed
 * ```
 *
 * @example
 * ```ts
 * const turns = new TurnBudget(settings.turns, connection, () => pump());
 * connection.data$.subscribe((chunk) => { turns.renew(); queue.push(...decode(chunk)); pump(); });
 * function pump() { while (queue.length > 0 && turns.spend()) handle(queue.shift()); }
 * ```
 */
export class TurnBudget {
  private _state: BudgetState = 'open';
  private _left: number;
  private _call: { cancel(): void } | undefined = undefined;
  /** Whether this budget holds the connection's reading paused. */
  private _pausing = false;

  /**
   * @param _options the work per turn, and how a turn is run.
   * @param _reading paused while work waits for its turn (pauses nest).
   * @param _resume the session's work, run on the next turn.
   */
  constructor(
    private readonly _options: TurnOptions,
    private readonly _reading: Pausable,
    private readonly _resume: () => void,
  ) {
    this._left = _options.perTurn;
  }

  /** A read came: a fresh budget, unless work already waits for its turn. */
  renew(): void {
    if (this._state === 'open') this._left = this._options.perTurn;
  }

  /** Takes one unit of work; false when the turn's budget is spent (the session stops: it is resumed later). */
  spend(): boolean {
    if (this._state !== 'open') return false;
    if (this._left > 0) {
      this._left--;
      return true;
    }
    this._state = 'waiting';
    if (!this._pausing) {
      this._pausing = true;
      this._reading.pauseProducing();
    }
    this._call = this._options.scheduler(this._turn);
    return false;
  }

  /** The session is over (or hands its connection on): no turn runs any more, and reading is not held paused. */
  stop(): void {
    this._state = 'stopped';
    this._call?.cancel();
    this._call = undefined;
    if (this._pausing) {
      this._pausing = false;
      this._reading.resumeProducing();
    }
  }

  private readonly _turn = (): void => {
    if (this._state !== 'waiting') return;
    this._call = undefined;
    this._state = 'open';
    this._left = this._options.perTurn;
    this._resume();
    // last: resuming may deliver what waits at once, and so run the session again
    if (this._state === 'open' && this._pausing) {
      this._pausing = false;
      this._reading.resumeProducing();
    }
  };
}
