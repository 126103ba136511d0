/**
 * A chat room over WebSocket: every text message a client sends goes to every connected client,
 * the sender included (so each page shows the room's one order).
 *
 * @module
 */
import { count } from '../../source/_option-checks.js';
import type { HttpHandler } from '../http/server.js';
import { webSocketHandler } from '../websocket/web-socket-handler.js';
import type { WebSocket } from '../websocket/websocket.js';
import { missedNotice, Room, type RoomTurnOptions, type Seat } from './_room.js';

/** Options of `chatRoom`: how its room takes turns (`clock` is also the sockets'), and how much a turn handles. */
export interface ChatRoomOptions extends RoomTurnOptions {
  /**
   * The most messages the room handles per turn of the event loop, all clients together; the
   * rest wait, and their senders are not read meanwhile. Default 64.
   */
  readonly messagesPerTurn?: number;
}

/** Sends a turn's messages to `socket` in one write. */
function sendAll(socket: WebSocket, messages: readonly string[]): boolean {
  socket.cork();
  for (const message of messages) socket.send(message);
  return socket.uncork();
}

/**
 * A chat room as an `HttpHandler` answering WebSocket upgrades. A message over 4 KiB closes its
 * sender's socket (1009), a binary one too (1003). `chatPage` is a page that talks to it.
 *
 * The room shares the event loop fairly, as `chat()` does: what a turn of the event loop says to
 * a client goes out in one write at the end of the turn; a client that reads slower than the
 * room talks (its connection is full) misses messages, counted and never queued, is not read
 * until it drains, and is then told how many it missed; at most `messagesPerTurn` messages are
 * handled per turn, the clients with messages waiting taking one each in turn, and a client
 * whose messages wait is not read meanwhile.
 *
 * @example
 * ```ts
 * listen('tcp:8080:interface=127.0.0.1', httpServer(router().get('/chat', chatRoom())));
 * ```
 */
export function chatRoom(options: ChatRoomOptions = {}): HttpHandler {
  const room = new Room<string>({
    clock: options.clock,
    scheduler: options.scheduler,
    perTurn: count('messagesPerTurn', options.messagesPerTurn, 64),
    missed: missedNotice,
  });
  const members = new Set<Seat<string, string>>();
  const broadcast = (text: string) => {
    for (const member of members) member.post(text);
  };
  return webSocketHandler(
    (socket) => {
      const seat = room.seat<string>(socket, (messages) => sendAll(socket, messages), broadcast);
      members.add(seat);
      socket.messages$.subscribe({
        next: (message) =>
          typeof message === 'string' ? seat.receive(message) : socket.close(1003, 'text messages only'),
        error: () => undefined, // the socket closed abnormally: `closed` below says goodbye
      });
      socket.closed.addCallback(() => {
        members.delete(seat);
        seat.leave();
      });
    },
    { maxMessageBytes: 4096, clock: options.clock },
  );
}
