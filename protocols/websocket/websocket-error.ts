/**
 * `WebSocketError`: the peer broke RFC 6455 (or a limit), with the close code the connection is
 * closed with; and `WebSocketHandshakeError`, an opening handshake that failed.
 *
 * @module
 */
import { ProtocolError } from '../../source/errors.js';

/**
 * The peer sent what RFC 6455 (or a limit) does not allow. `closeCode` (also `protocolCode`) is
 * what the connection is closed with: 1002 for a protocol error (a bad opcode, an unmasked client
 * frame, a length not minimally encoded, a control frame fragmented or over 125 bytes, an invalid
 * close code), 1007 for text that is not UTF-8, 1009 for a frame or message over its limit (a
 * decompressed one included).
 *
 * @example
 * ```ts
 * try { decoder.push(chunk, events); }
 * catch (e) { if (e instanceof WebSocketError) socket.close(e.closeCode); }
 * ```
 */
export class WebSocketError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_WEBSOCKET';
  /** The close code to close the connection with. */
  readonly closeCode: number;

  constructor(closeCode: number, message: string, options?: ErrorOptions) {
    super(message, { ...options, protocolCode: closeCode });
    this.closeCode = closeCode;
  }
}

/**
 * The opening handshake failed: the server did not answer `101` (its `status` is kept), or its
 * answer does not prove it speaks WebSocket (a wrong `Sec-WebSocket-Accept`, a subprotocol or an
 * extension that was not offered).
 *
 * @example
 * ```ts
 * connectWebSocket('ws://127.0.0.1:8080/chat').addErrback((f) => f.check(WebSocketHandshakeError));
 * ```
 */
export class WebSocketHandshakeError extends ProtocolError {
  static override readonly code: string = 'SPINDLE_WEBSOCKET_HANDSHAKE';
  /** The server's status, when it answered with one. */
  readonly status: number | undefined;

  constructor(message: string, options?: ErrorOptions & { status?: number }) {
    super(message, { ...options, protocolCode: options?.status });
    this.status = options?.status;
  }
}
