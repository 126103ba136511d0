/**
 * `spindle/protocols/chat`: chat rooms, the classic first server. `chat()` is Twisted's
 * line-based chat over TCP (`nc`, telnet); `chatRoom()` is a room over WebSocket, an
 * `HttpHandler`, and `chatPage` the browser page that talks to it.
 *
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { chat, chatRoom } from 'spindle/protocols/chat';
 * import { httpServer } from 'spindle/protocols/http';
 *
 * listen('tcp:8023:interface=127.0.0.1', chat());
 * listen('tcp:8080:interface=127.0.0.1', httpServer(chatRoom()));
 * ```
 * @module
 */
export { chatPage, htmlPage } from './chat-page.js';
export { type ChatOptions, chat } from './line-chat.js';
export { type ChatRoomOptions, chatRoom } from './web-socket-chat.js';
