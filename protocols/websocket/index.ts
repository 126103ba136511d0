/**
 * `spindle/protocols/websocket`: WebSocket (RFC 6455) with permessage-deflate (RFC 7692). The
 * sans-I/O codec: `FrameDecoder` and `encodeFrame` for frames, `MessageDecoder` for messages
 * (reassembly, UTF-8, limits, close codes); the handshake on both sides: `webSocketHandler`, an
 * `HttpHandler` for `httpServer` that answers upgrades, and `connectWebSocket`, the client; and
 * `WebSocket`, the open socket: messages as an Observable and an async iterable with
 * backpressure, a consumer of outgoing messages, the closing handshake and pings.
 *
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { httpServer } from 'spindle/protocols/http';
 * import { connectWebSocket, webSocketHandler } from 'spindle/protocols/websocket';
 *
 * listen('tcp:8080:interface=127.0.0.1', httpServer(webSocketHandler((socket) => socket.messages$.subscribe(socket))));
 * const socket = await connectWebSocket('ws://127.0.0.1:8080/');
 * socket.send('hello');
 * for await (const message of socket) console.log(message); // 'hello'
 * ```
 * @module
 */
export { type CloseFrame, closePayload, isValidCloseCode, parseClosePayload } from './close-code.js';
export { type ConnectWebSocketOptions, connectWebSocket } from './connect-web-socket.js';
export { type EncodeFrameOptions, encodeFrame } from './encode-frame.js';
export { isControl, Opcode, type WebSocketFrame } from './frame.js';
export { applyMask, FrameDecoder, type FrameDecoderOptions, type WebSocketRole } from './frame-decoder.js';
export { webSocketAccept } from './handshake.js';
export {
  MessageDecoder,
  type MessageDecoderOptions,
  type WebSocketEvent,
  type WebSocketMessage,
} from './message-decoder.js';
export {
  acceptDeflate,
  confirmDeflate,
  type DeflateParameters,
  MessageDeflater,
  MessageInflater,
  offerDeflate,
  type PerMessageDeflateOptions,
} from './per-message-deflate.js';
export { type WebSocketServerOptions, webSocketHandler } from './web-socket-handler.js';
export {
  WebSocket,
  type WebSocketCloseInfo,
  type WebSocketOptions,
  type WebSocketSetup,
  type WebSocketState,
} from './websocket.js';
export { WebSocketError, WebSocketHandshakeError } from './websocket-error.js';
