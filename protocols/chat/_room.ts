/**
 * `Room`: the fan-out and fairness the chat protocols share. Private to protocols/chat.
 *
 * A naive chat writes each line to each member at once: one sender's burst of lines becomes
 * lines × members writes before the event loop runs anything else, so nobody else is read, no
 * one joins, no signal is handled (measured: a flooder with 50 listeners stalled the loop for
 * seconds). A room instead works in turns of the event loop:
 *
 * - **Out**: what a turn says to a member is gathered and written in one write at the end of the
 *   turn. A member whose connection is full (it reads slower than the room talks) is *full*: it
 *   misses what is said, counted, never queued, and is not read, until its connection drains;
 *   then it is told how many messages it missed.
 * - **In**: the room handles at most `perTurn` inputs (lines, messages) per turn, all members
 *   together. A member whose input must wait stops being read until its inputs are handled;
 *   waiting members take one input each in turn (round robin), so a flooder gets its share and
 *   a joining client's name is handled within a turn or two.
 *
 * So a turn costs at most `perTurn` inputs and one write per member, and what waits for a member
 * is at most what one turn said to it.
 *
 * @module
 */
import type { ReactorTime } from '../../source/clock.js';
import type { CooperatorScheduler } from '../../source/cooperate.js';
import type { Deferred } from '../../source/deferred.js';
import type { Pausable } from '../../source/producer.js';
import { reactor } from '../../source/reactor.js';

/**
 * A member's connection as the room sees it (a `Connection`, a `WebSocket`): pausing it stops
 * reading from it (pauses nest), and `drained` fires once its write buffer is below its
 * high-water mark.
 *
 * @example
 * ```ts
 * const seat = room.seat(connection, (lines) => connection.write(lines.join('')), handleLine);
 * ```
 */
export interface MemberConnection extends Pausable {
  drained(): Deferred<void>;
}

/** Writes a turn's messages to a member, in order; false when its buffer is past its high-water mark. */
export type WriteMessages<M> = (messages: readonly M[]) => boolean;

/**
 * How a chat's room takes its turns: the options `chat` and `chatRoom` share.
 *
 * @example
 * ```ts
 * const turns: RoomTurnOptions = { clock: memoryReactor };
 * ```
 */
export interface RoomTurnOptions {
  /** The clock the default `scheduler` runs on. Default the reactor. */
  readonly clock?: ReactorTime;
  /**
   * Runs the room's next turn once the event loop has had its turn (its I/O, its signals).
   * Default `work => clock.callLater(0, work)`; tests pass one that runs turns on demand.
   */
  readonly scheduler?: CooperatorScheduler;
}

/**
 * The notice that tells a member how many messages it missed while it was full.
 *
 * @example
 * ```ts
 * missedNotice(3); // '* 3 messages dropped while you were not reading'
 * ```
 */
export function missedNotice(count: number): string {
  return `* ${count} messages dropped while you were not reading`;
}

/** Options of a `Room`. */
export interface RoomOptions<M> extends RoomTurnOptions {
  /** The most inputs handled per turn, all members together. */
  readonly perTurn: number;
  /** The message that tells a member how many messages it missed while full. */
  missed(count: number): M;
}

/** What a room asks of a seat at its turn. */
interface TurnTaker {
  /** Handles the oldest waiting input; returns whether more wait. */
  handleNext(): boolean;
  /** Writes what waits for the member. */
  flush(): boolean;
}

/**
 * Where a member is: `open` (it is written to), `full` (its connection is past its high-water
 * mark: messages for it are counted, not kept), `gone` (it left).
 */
export type SeatState = 'open' | 'full' | 'gone';

/**
 * One member's place in a room: what the room has to say to it this turn, and its input waiting
 * to be handled.
 *
 * @example
 * ```ts
 * const seat = room.seat(connection, (lines) => connection.write(lines.join('')), handleLine);
 * connection.data$.pipe(lines()).subscribe((line) => seat.receive(line));
 * seat.post('welcome\r\n');
 * ```
 */
export class Seat<M, I> implements TurnTaker {
  private _state: SeatState = 'open';
  private _outbox: M[] = [];
  private _inbox: I[] = [];
  private _missed = 0;

  constructor(
    private readonly _room: Room<M>,
    private readonly _connection: MemberConnection,
    private readonly _write: WriteMessages<M>,
    private readonly _handle: (input: I) => void,
  ) {}

  /** Says `message` to the member at the end of the turn; while it is full, counts it missed instead. */
  post(message: M): void {
    if (this._state !== 'open') {
      if (this._state === 'full') this._missed++;
      return;
    }
    this._outbox.push(message);
    if (this._outbox.length === 1) this._room.unsent(this);
  }

  /**
   * An input from the member: handled now if the turn's budget allows and none of its inputs
   * wait, else queued, the member not read until its queue is handled.
   */
  receive(input: I): void {
    if (this._state === 'gone') return;
    if (this._inbox.length === 0 && this._room.spend()) {
      this._handle(input);
      return;
    }
    this._inbox.push(input);
    if (this._inbox.length === 1) {
      this._connection.pauseProducing();
      this._room.waiting(this);
    }
  }

  /**
   * Writes what waits for the member now rather than at the end of the turn (before closing its
   * connection). False when its connection is full, before or after.
   */
  flush(): boolean {
    if (this._state !== 'open') return false;
    const messages = this._outbox;
    if (messages.length === 0) return true;
    this._outbox = [];
    if (this._write(messages)) return true;
    this._state = 'full';
    this._connection.pauseProducing();
    this._connection.drained().addCallback(() => this._drained());
    return false;
  }

  /** The member left: nothing more is said to it, nor taken from it. */
  leave(): void {
    this._state = 'gone';
    this._outbox = [];
    this._inbox = [];
    this._room.left(this);
  }

  /** Handles the member's oldest waiting input; returns whether more wait. @internal */
  handleNext(): boolean {
    if (this._inbox.length === 0) return false;
    this._handle(this._inbox.shift() as I);
    if (this._state === 'gone') return false;
    if (this._inbox.length > 0) return true;
    this._connection.resumeProducing();
    return false;
  }

  private _drained(): void {
    if (this._state !== 'full') return;
    this._state = 'open';
    const missed = this._missed;
    this._missed = 0;
    if (missed > 0) this.post(this._room.missedNotice(missed));
    this._connection.resumeProducing();
  }
}

/**
 * A room: the turns its members share (see the module comment).
 *
 * ```text
 * turn:    handle ≤ perTurn inputs (round robin) ─▶ one write per member that was told something
 * member:  open ──write full──▶ full (misses, not read) ──drained──▶ open (told how many it missed)
 * ```
 *
 * @example
 * ```ts
 * const room = new Room<string>({ perTurn: 64, missed: (n) => `${missedNotice(n)}\r\n` });
 * const seat = room.seat(connection, (lines) => connection.write(lines.join('')), (line: string) => {
 *   for (const other of others) other.post(`${line}\r\n`);
 * });
 * ```
 */
export class Room<M> {
  private readonly _scheduler: CooperatorScheduler;
  private readonly _perTurn: number;
  private readonly _missed: (count: number) => M;
  private _budget: number;
  private _turnScheduled = false;
  /** Seats with inputs waiting, in the order they take their next one. */
  private readonly _waiting = new Set<TurnTaker>();
  /** Seats with messages to write at the end of the turn. */
  private readonly _unsent = new Set<TurnTaker>();

  constructor(options: RoomOptions<M>) {
    const clock = options.clock ?? reactor;
    this._scheduler = options.scheduler ?? ((work) => clock.callLater(0, work));
    this._perTurn = options.perTurn;
    this._missed = options.missed;
    this._budget = options.perTurn;
  }

  /** A seat for a new member on `connection`: a turn's messages go out by `write`, its inputs to `handle`. */
  seat<I>(connection: MemberConnection, write: WriteMessages<M>, handle: (input: I) => void): Seat<M, I> {
    return new Seat<M, I>(this, connection, write, handle);
  }

  /** The notice of `count` missed messages. @internal */
  missedNotice(count: number): M {
    return this._missed(count);
  }

  /** Takes one input from this turn's budget; false when it is spent, or when others wait their turn. @internal */
  spend(): boolean {
    this._schedule(); // the next turn renews the budget
    if (this._budget === 0 || this._waiting.size > 0) return false;
    this._budget--;
    return true;
  }

  /** `seat` has messages to write at the end of the turn. @internal */
  unsent(seat: TurnTaker): void {
    this._unsent.add(seat);
    this._schedule();
  }

  /** `seat` has inputs waiting. @internal */
  waiting(seat: TurnTaker): void {
    this._waiting.add(seat);
    this._schedule();
  }

  /** `seat` left. @internal */
  left(seat: TurnTaker): void {
    this._waiting.delete(seat);
    this._unsent.delete(seat);
  }

  private _schedule(): void {
    if (this._turnScheduled) return;
    this._turnScheduled = true;
    this._scheduler(this._run);
  }

  private readonly _run = (): void => {
    this._turnScheduled = false;
    this._budget = this._perTurn;
    const waiting = this._waiting;
    while (this._budget > 0 && waiting.size > 0) {
      const seat = waiting.values().next().value as TurnTaker;
      waiting.delete(seat);
      this._budget--;
      if (seat.handleNext()) waiting.add(seat); // to the back of the line
    }
    for (const seat of this._unsent) seat.flush();
    this._unsent.clear();
    if (waiting.size > 0) this._schedule();
  };
}
