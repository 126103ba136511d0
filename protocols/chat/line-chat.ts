/**
 * Twisted's classic line-based chat, a stream protocol.
 *
 * @module
 */
import { lines } from '../../operators/lines.js';
import { count } from '../../source/_option-checks.js';
import { LineTooLongError } from '../../source/errors.js';
import { type Protocol, protocol } from '../../source/protocol.js';
import { missedNotice, Room, type RoomTurnOptions, type Seat } from './_room.js';

/** Options of `chat`: how its room takes turns, and how much a turn handles. */
export interface ChatOptions extends RoomTurnOptions {
  /**
   * The most lines the room handles per turn of the event loop, all clients together; the rest
   * wait, and their senders are not read meanwhile. Default 64.
   */
  readonly linesPerTurn?: number;
}

/** What the room reads from a client: a line, or `null` once its input has ended. */
type Input = string | null;

/**
 * The chat protocol: everyone connected to the servers it runs on talks in one room. It asks
 * each client its name (it must be free), then each line you type goes to everyone else as
 * `<name> line`; joins and leaves are announced, `/quit` leaves. A line over 1024 bytes drops its
 * sender only. Lines may end in a bare `\n`, as `nc` sends them when you press Enter, or in
 * `\r\n`, as telnet does.
 *
 * The room shares the event loop fairly, whatever its clients do (see `linesPerTurn`):
 * - what a turn of the event loop says to a client goes out in one write at the end of the turn;
 * - a client that reads slower than the room talks (its connection's write buffer is past the
 *   high-water mark) misses messages, which are counted and never queued, and is not read until
 *   it drains; then it is told how many messages it missed;
 * - at most `linesPerTurn` lines are handled per turn, the clients with lines waiting taking one
 *   each in turn; a client whose lines wait is not read until they are handled. So a flooder
 *   slows itself, and a joining client is answered within a turn or two.
 *
 * When the server closes, each client is told and its connection closed; one that is not reading
 * is cut at once rather than waited for.
 *
 * @example
 * ```ts
 * listen('tcp:8023:interface=127.0.0.1', chat()); // then `nc 127.0.0.1 8023` in two terminals
 * ```
 */
export function chat(options: ChatOptions = {}): Protocol {
  const room = new Room<string>({
    clock: options.clock,
    scheduler: options.scheduler,
    perTurn: count('linesPerTurn', options.linesPerTurn, 64),
    missed: (missed) => `${missedNotice(missed)}\r\n`,
  });
  const users = new Map<string, Seat<string, Input>>(); // name → the user's seat
  const broadcast = (from: string, text: string) => {
    const line = `${text}\r\n`;
    for (const [name, seat] of users) if (name !== from) seat.post(line);
  };
  return protocol(
    (conn) => {
      let name: string | undefined;
      let farewell = ''; // said when the input ends: why it ended, if it was our doing
      const say = (text: string) => seat.post(`${text}\r\n`);
      const leave = (last: string) => {
        if (last !== '') say(last);
        seat.flush();
        conn.close();
      };
      const write = (text: readonly string[]) => conn.write(text.length === 1 ? text[0]! : text.join(''));
      const seat: Seat<string, Input> = room.seat<Input>(conn, write, (received) => {
        if (!conn.writable) return; // after /quit, or closing
        if (received === null) return leave(farewell);
        const line = received.endsWith('\r') ? received.slice(0, -1) : received;
        if (line === '/quit') leave('Bye!');
        else if (name !== undefined) broadcast(name, `<${name}> ${line}`);
        else if (line === '') say("What's your name?");
        else if (users.has(line)) say('Name taken, please choose another.');
        else {
          name = line;
          users.set(name, seat);
          say(`Welcome, ${name}!`);
          broadcast(name, `* ${name} has joined`);
        }
      });
      say("What's your name?");
      conn.data$.pipe(lines({ delimiter: '\n', maxLength: 1024 })).subscribe({
        next: (line) => seat.receive(line),
        error(error) {
          if (error instanceof LineTooLongError) farewell = '* Line too long, goodbye.';
          seat.receive(null);
        },
        complete: () => seat.receive(null),
      });
      conn.closed.addCallback(() => {
        seat.leave();
        if (name === undefined || users.get(name) !== seat) return;
        users.delete(name);
        broadcast(name, `* ${name} has left`);
      });
      return {
        drain() {
          if (!conn.writable) return;
          say('* The server is shutting down, goodbye.');
          if (!seat.flush()) conn.abort(); // not reading: nothing to wait for
        },
      };
    },
    { name: 'chat', halfClose: true },
  );
}
