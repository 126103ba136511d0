/**
 * `webSocketHandler`: the server's side of the opening handshake, as an `HttpHandler` that
 * answers a WebSocket upgrade with 101 and hands each new socket to a callback.
 *
 * @module
 */
import { Logger } from '../../source/log.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import type { HttpHandler } from '../http/server.js';
import { asksForWebSocket, headerTokens, isWebSocketKey, webSocketAccept } from './handshake.js';
import { acceptDeflate, type PerMessageDeflateOptions } from './per-message-deflate.js';
import { WebSocket, type WebSocketOptions } from './websocket.js';
import { WebSocketHandshakeError } from './websocket-error.js';

/**
 * Options of `webSocketHandler`: the socket's options, and the handshake's hooks.
 *
 * @example
 * ```ts
 * const options: WebSocketServerOptions = {
 *   checkOrigin: (origin) => origin === 'https://example.com',
 *   selectProtocol: (offered) => (offered.includes('chat') ? 'chat' : undefined),
 *   perMessageDeflate: { threshold: 256 },
 * };
 * ```
 */
export interface WebSocketServerOptions extends WebSocketOptions {
  /** Whether a request from `origin` (its `Origin` header) may connect; a refusal answers 403. Default: any. */
  readonly checkOrigin?: (origin: string | undefined, request: HttpRequest) => boolean;
  /**
   * Picks one of the subprotocols the client offers (`Sec-WebSocket-Protocol`), or none
   * (`undefined`). Picking one not offered fails the request (500). Default none.
   */
  readonly selectProtocol?: (offered: readonly string[], request: HttpRequest) => string | undefined;
  /** Accept permessage-deflate when offered (true or options), or decline it (false). Default true. */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
}

const log = new Logger('spindle.websocket');

/** A refusal, with the headers a client needs to know what to do instead. */
function refuse(status: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
    body: `${message}\n`,
  };
}

/**
 * An `HttpHandler` that accepts WebSocket upgrades (RFC 6455 section 4.2) and calls `onConnect`
 * with each new socket and its request. It answers 405 to a method other than GET, 426 (with
 * `Upgrade: websocket` and `Sec-WebSocket-Version: 13`) to a request that does not ask for
 * WebSocket or asks for a version other than 13, 400 to one without a valid
 * `Sec-WebSocket-Key` (or with a malformed `Sec-WebSocket-Extensions`), and 403 when
 * `checkOrigin` refuses it. It picks a subprotocol with `selectProtocol` and accepts
 * permessage-deflate when offered. A throw in `onConnect` is logged and closes the socket with
 * 1011.
 *
 * Mount it where WebSocket requests come (a route of a larger handler, or the whole server).
 *
 * ```text
 * GET /chat  Upgrade: websocket, Sec-WebSocket-Key: k, Version: 13
 *   → 101 Switching Protocols, Sec-WebSocket-Accept: accept(k)  → onConnect(socket, request)
 * ```
 *
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { httpServer } from 'spindle/protocols/http';
 * import { webSocketHandler } from 'spindle/protocols/websocket';
 *
 * const echo = webSocketHandler((socket) => socket.messages$.subscribe(socket));
 * listen('tcp:8080', httpServer(echo));
 * ```
 */
export function webSocketHandler(
  onConnect: (socket: WebSocket, request: HttpRequest) => unknown,
  options: WebSocketServerOptions = {},
): HttpHandler {
  const deflate = options.perMessageDeflate ?? true;
  const deflateOptions = deflate === true ? {} : deflate === false ? undefined : deflate;
  return (request) => {
    const headers = request.headers;
    if (request.method !== 'GET') return refuse(405, 'a WebSocket handshake is a GET', { Allow: 'GET' });
    const upgradeHeaders = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13' };
    if (!asksForWebSocket(headers)) return refuse(426, 'this resource speaks WebSocket', upgradeHeaders);
    if (request.version !== '1.1') return refuse(400, 'a WebSocket handshake needs HTTP/1.1');
    const version = headers.get('sec-websocket-version');
    if (version === undefined) return refuse(400, 'no Sec-WebSocket-Version');
    if (version.trim() !== '13')
      return refuse(426, `WebSocket version ${version} is not supported`, upgradeHeaders);
    const key = headers.get('sec-websocket-key');
    if (!isWebSocketKey(key)) return refuse(400, 'no valid Sec-WebSocket-Key');
    if (options.checkOrigin !== undefined && !options.checkOrigin(headers.get('origin'), request)) {
      return refuse(403, 'this origin may not connect');
    }
    const offered = headerTokens(headers, 'sec-websocket-protocol', false);
    const protocol = options.selectProtocol?.(offered, request);
    if (protocol !== undefined && !offered.includes(protocol)) {
      throw new TypeError(
        `selectProtocol picked ${JSON.stringify(protocol)}, which the client did not offer`,
      );
    }
    let agreed: ReturnType<typeof acceptDeflate>;
    try {
      agreed =
        deflateOptions === undefined
          ? undefined
          : acceptDeflate(headers.get('sec-websocket-extensions'), deflateOptions);
    } catch (error) {
      if (error instanceof WebSocketHandshakeError) return refuse(400, error.message);
      throw error;
    }
    const answer: Record<string, string> = {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Accept': webSocketAccept(key),
    };
    if (protocol !== undefined) answer['Sec-WebSocket-Protocol'] = protocol;
    if (agreed !== undefined) answer['Sec-WebSocket-Extensions'] = agreed.response;
    return {
      status: 101,
      headers: answer,
      upgrade: (connection, head) => {
        const socket = new WebSocket(
          connection,
          { role: 'server', head, protocol: protocol ?? '', deflate: agreed?.parameters, deflateOptions },
          options,
        );
        try {
          onConnect(socket, request);
        } catch (error) {
          log.error(`the WebSocket handler failed on ${request.target}`, { error });
          if (socket.state === 'open') socket.close(1011, 'internal error');
        }
        return socket;
      },
    };
  };
}
