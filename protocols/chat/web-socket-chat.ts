/**
 * A chat room over WebSocket: every text message a client sends goes to every connected client,
 * the sender included (so each page shows the room's one order).
 *
 * @module
 */
import type { HttpHandler } from '../http/server.js';
import { webSocketHandler } from '../websocket/web-socket-handler.js';
import type { WebSocket } from '../websocket/websocket.js';

/**
 * A chat room as an `HttpHandler` answering WebSocket upgrades. A message over 4 KiB closes its
 * sender's socket (1009), a binary one too (1003). A listener whose connection is full (it reads
 * slower than the room talks) misses messages until it drains: the room never queues for it.
 * `chatPage` is a page that talks to it.
 *
 * @example
 * ```ts
 * listen('tcp:8080:interface=127.0.0.1', httpServer(router().get('/chat', chatRoom())));
 * ```
 */
export function chatRoom(): HttpHandler {
  const members = new Set<WebSocket>();
  const full = new Set<WebSocket>(); // members whose write buffer is past its high-water mark
  const broadcast = (text: string) => {
    for (const member of members) {
      if (full.has(member) || member.send(text)) continue;
      full.add(member);
      member.drained().addCallback(() => full.delete(member));
    }
  };
  return webSocketHandler(
    (socket) => {
      members.add(socket);
      socket.messages$.subscribe({
        next: (message) =>
          typeof message === 'string' ? broadcast(message) : socket.close(1003, 'text messages only'),
        error: () => undefined, // the socket closed abnormally: `closed` below says goodbye
      });
      socket.closed.addCallback(() => {
        members.delete(socket);
        full.delete(socket);
      });
    },
    { maxMessageBytes: 4096 },
  );
}
