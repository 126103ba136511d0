/**
 * Test helpers: a WebSocket server on a `StringTransport` (httpServer + webSocketHandler, on a
 * virtual clock), the handshake sent, and the server's frames read back.
 *
 * @module
 */
import type { HttpRequest } from '../../../protocols/http/request.js';
import { httpServer } from '../../../protocols/http/server.js';
import { Opcode } from '../../../protocols/websocket/frame.js';
import { FrameDecoder } from '../../../protocols/websocket/frame-decoder.js';
import {
  type WebSocketServerOptions,
  webSocketHandler,
} from '../../../protocols/websocket/web-socket-handler.js';
import type { WebSocket } from '../../../protocols/websocket/websocket.js';
import type { Clock } from '../../../source/testing/index.js';
import { StringTransport, trackedClock } from '../../../source/testing/index.js';
import { rawFrame } from './_frames.js';

export const sampleKey = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A handshake request, with `extra` header lines. */
export function handshake(extra = '', key = sampleKey): string {
  return (
    'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  );
}

/** A served connection: its transport, clock, and the sockets opened on it. */
export interface Served {
  readonly transport: StringTransport;
  readonly clock: Clock;
  readonly sockets: WebSocket[];
  readonly requests: HttpRequest[];
}

/** Serves `onConnect` on a fresh StringTransport (nothing sent yet). */
export function serveWebSocket(
  onConnect: (socket: WebSocket) => void = () => undefined,
  options: WebSocketServerOptions = {},
): Served {
  const clock = trackedClock();
  const sockets: WebSocket[] = [];
  const requests: HttpRequest[] = [];
  const handler = webSocketHandler(
    (socket, request) => {
      sockets.push(socket);
      requests.push(request);
      onConnect(socket);
    },
    { clock, ...options },
  );
  const transport = new StringTransport({ allowHalfOpen: true, closeImmediately: false });
  httpServer(handler, { clock }).serve(transport);
  return { transport, clock, sockets, requests };
}

/** Serves `onConnect`, sends the handshake, checks the 101, and clears the transport. */
export function openWebSocket(
  onConnect: (socket: WebSocket) => void = () => undefined,
  options: WebSocketServerOptions = {},
  extra = '',
): Served {
  const served = serveWebSocket(onConnect, options);
  served.transport.receive(handshake(extra));
  const text = served.transport.text();
  if (!text.startsWith('HTTP/1.1 101 ')) throw new Error(`no 101: ${text}`);
  served.transport.clear();
  return served;
}

/** A frame from the client (masked). */
export function clientFrame(opcode: number, payload: Uint8Array | string = '', fin = true): Uint8Array {
  return rawFrame(opcode, payload, { fin });
}

/** The frames the server wrote since the last clear, as opcodes and payload text (latin1 for binary). */
export function serverFrames(transport: StringTransport): { opcode: number; data: string }[] {
  const decoder = new FrameDecoder({ role: 'client' });
  return decoder.push(Uint8Array.from(transport.value())).map((frame) => ({
    opcode: frame.opcode,
    data:
      frame.opcode === Opcode.close && frame.payload.length >= 2
        ? `${(frame.payload[0]! << 8) | frame.payload[1]!} ${Buffer.from(frame.payload.subarray(2)).toString()}`
        : Buffer.from(frame.payload).toString(frame.opcode === Opcode.binary ? 'latin1' : 'utf8'),
  }));
}
