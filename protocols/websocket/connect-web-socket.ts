/**
 * `connectWebSocket`: the client's side of the opening handshake, over a connection of its own:
 * connect, send the upgrade request, check the server's 101, and open the socket.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { takeWhile } from 'rxjs';
import type { DelayedCall } from '../../source/clock.js';
import type { Connection, TLSOptions } from '../../source/connection.js';
import { Deferred } from '../../source/deferred.js';
import type { ClientEndpoint } from '../../source/endpoint-description.js';
import { CancelledError, TimeoutError } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import { reactor as defaultReactor, type ReactorLike } from '../../source/reactor.js';
import type { HttpHeadersInit } from '../http/headers.js';
import { HttpHeaders } from '../http/headers.js';
import type { ParseEvent, ResponseHead } from '../http/message.js';
import { ResponseParser } from '../http/parse-response.js';
import { writeRequestHead } from '../http/write-request.js';
import { asksForWebSocket, webSocketAccept } from './handshake.js';
import {
  confirmDeflate,
  type DeflateParameters,
  offerDeflate,
  type PerMessageDeflateOptions,
} from './per-message-deflate.js';
import { WebSocket, type WebSocketOptions } from './websocket.js';
import { WebSocketHandshakeError } from './websocket-error.js';

/**
 * Options of `connectWebSocket`: the socket's options, and the handshake's.
 *
 * @example
 * ```ts
 * connectWebSocket('ws://127.0.0.1:8080/chat', { protocols: ['chat'], origin: 'http://127.0.0.1:8080' });
 * ```
 */
export interface ConnectWebSocketOptions extends WebSocketOptions {
  /** The reactor to connect and time the handshake on. Default the process-wide `reactor`. */
  readonly reactor?: ReactorLike;
  /** Subprotocols to offer, in order of preference (`Sec-WebSocket-Protocol`). Default none. */
  readonly protocols?: readonly string[];
  /** The `Origin` header, as a browser sends it. Default none. */
  readonly origin?: string;
  /** More request headers (cookies, authorization …). */
  readonly headers?: HttpHeadersInit;
  /** Offer permessage-deflate (true or options), or not (false). Default true. */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** The longest the connection and handshake may take, in seconds. Default 30. */
  readonly handshakeTimeout?: number;
  /** TLS settings for `wss:` URLs. */
  readonly tls?: TLSOptions;
}

/** Where the handshake is: connecting, waiting for the server's answer, or over (the socket is open, or it failed). */
type Handshake = 'connecting' | 'awaiting-response' | 'over';

/** The endpoint a `ws:` or `wss:` URL names. */
function endpointOf(url: URL, tls: TLSOptions): ClientEndpoint {
  const secure = url.protocol === 'wss:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port !== '' ? Number(url.port) : secure ? 443 : 80;
  return secure ? { type: 'tls', host, port, tls } : { type: 'tcp', host, port };
}

/**
 * Opens a WebSocket to `url` (`ws://` or `wss://`): connects, sends the upgrade request (a fresh
 * `Sec-WebSocket-Key`, version 13, the subprotocols and the permessage-deflate offer), and
 * checks the answer: a `101` with `Upgrade: websocket`, the right `Sec-WebSocket-Accept`, a
 * subprotocol that was offered (if any), and extensions that were. Fires with the open socket;
 * errbacks with `WebSocketHandshakeError` (with the `status` of an answer other than 101), the
 * connection's own error, or `TimeoutError` after `handshakeTimeout`. Cancelling closes the
 * connection.
 *
 * ```text
 * GET /path  Upgrade: websocket, Sec-WebSocket-Key: k  →  101, Sec-WebSocket-Accept: accept(k)  →  socket
 * ```
 *
 * @throws TypeError for a URL that is not `ws:` or `wss:`.
 * @example
 * ```ts
 * const socket = await connectWebSocket('ws://127.0.0.1:8080/echo');
 * socket.send('hello');
 * for await (const message of socket) console.log(message);
 * ```
 */
export function connectWebSocket(
  url: string | URL,
  options: ConnectWebSocketOptions = {},
): Deferred<WebSocket> {
  const target = new URL(url);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
    throw new TypeError(`a WebSocket URL is ws: or wss:, not ${target.protocol}`);
  }
  const reactor = options.reactor ?? defaultReactor;
  const deflate = options.perMessageDeflate ?? true;
  const deflateOptions = deflate === true ? {} : deflate === false ? undefined : deflate;
  const key = randomBytes(16).toString('base64');
  const headers = new HttpHeaders(options.headers);
  headers.set('Host', target.host);
  headers.set('Upgrade', 'websocket');
  headers.set('Connection', 'Upgrade');
  headers.set('Sec-WebSocket-Key', key);
  headers.set('Sec-WebSocket-Version', '13');
  const protocols = options.protocols ?? [];
  if (protocols.length > 0) headers.set('Sec-WebSocket-Protocol', protocols.join(', '));
  if (options.origin !== undefined) headers.set('Origin', options.origin);
  if (deflateOptions !== undefined) headers.set('Sec-WebSocket-Extensions', offerDeflate(deflateOptions));
  const request = writeRequestHead(
    { method: 'GET', target: `${target.pathname}${target.search}`, headers: headers.raw() },
    { kind: 'none' },
  );

  let state: Handshake = 'connecting';
  let connection: Connection | undefined;
  const fail = (error: unknown) => {
    if (state === 'over') return;
    state = 'over';
    timer.cancel();
    connecting.cancel();
    connection?.abort();
    result.errback(error);
  };
  const result = new Deferred<WebSocket>(() =>
    fail(new CancelledError('the WebSocket handshake was cancelled')),
  );
  const timer: DelayedCall = reactor.callLater(options.handshakeTimeout ?? 30, () =>
    fail(
      new TimeoutError(
        `no WebSocket handshake with ${target.host} within ${options.handshakeTimeout ?? 30} s`,
      ),
    ),
  );
  const connecting = reactor.connectStream(endpointOf(target, options.tls ?? {}), {});
  connecting.addCallbacks(
    (opened) => {
      if (state === 'over') {
        opened.abort();
        return;
      }
      connection = opened;
      state = 'awaiting-response';
      const parser = new ResponseParser();
      parser.expect('GET');
      const events: ParseEvent<ResponseHead>[] = [];
      let agreed: { protocol: string; deflate: DeflateParameters | undefined } | undefined;
      opened.data$
        .pipe(
          takeWhile((chunk) => {
            try {
              parser.push(chunk, events);
              for (const event of events) if (event.type === 'head') agreed = check(event.head);
            } catch (error) {
              fail(error);
            }
            events.length = 0;
            return agreed === undefined && state !== 'over';
          }),
        )
        .subscribe({
          complete: () => {
            if (state === 'over') return;
            if (agreed === undefined) {
              fail(new WebSocketHandshakeError('the connection closed before the handshake was answered'));
              return;
            }
            state = 'over';
            timer.cancel();
            const setup = { role: 'client' as const, head: parser.detach(), ...agreed, deflateOptions };
            result.callback(new WebSocket(opened, setup, options));
          },
          error: fail,
        });
      opened.write(request);
    },
    (failure: Failure) => {
      fail(failure.value);
    },
  );

  /** The server's answer, checked: what it agreed to. */
  function check(head: ResponseHead): { protocol: string; deflate: DeflateParameters | undefined } {
    const answer = head.headers;
    if (head.status !== 101) {
      throw new WebSocketHandshakeError(`the server answered ${head.status} ${head.reason}, not 101`, {
        status: head.status,
      });
    }
    if (!asksForWebSocket(answer)) throw new WebSocketHandshakeError('the 101 does not switch to websocket');
    if (answer.get('sec-websocket-accept') !== webSocketAccept(key)) {
      throw new WebSocketHandshakeError('the server answered the wrong Sec-WebSocket-Accept');
    }
    const protocol = answer.get('sec-websocket-protocol') ?? '';
    if (protocol !== '' && !protocols.includes(protocol)) {
      throw new WebSocketHandshakeError(`the server picked a subprotocol that was not offered: ${protocol}`);
    }
    const extensions = answer.get('sec-websocket-extensions');
    if (extensions !== undefined && deflateOptions === undefined) {
      throw new WebSocketHandshakeError(
        `the server answered extensions that were not offered: ${extensions}`,
      );
    }
    return {
      protocol,
      deflate: deflateOptions === undefined ? undefined : confirmDeflate(extensions, deflateOptions),
    };
  }

  return result;
}
