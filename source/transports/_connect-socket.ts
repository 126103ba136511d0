/**
 * The connecting half shared by the TCP, TLS and Unix transports: a socket attempt as a
 * cancellable Deferred, with a timeout on the reactor's clock and Node's errors mapped to
 * Spindle's.
 */
import type { Socket } from 'node:net';
import type { ReactorTime } from '../clock.js';
import type { Connection } from '../connection.js';
import { Deferred } from '../deferred.js';
import {
  ConnectionRefusedError,
  certificateError,
  DNSLookupError,
  TimeoutError,
  tlsHandshakeError,
} from '../errors.js';

/**
 * Node's connect errors as Spindle's: refused, DNS and certificate failures get their own types,
 * and so, when `tls` says the attempt includes a TLS handshake, do the other handshake failures
 * (a peer that answers in clear text, a connection closed before the handshake is done).
 */
export function connectError(error: Error & { code?: string }, target: string, tls = false): Error {
  switch (error.code) {
    case 'ECONNREFUSED':
    case 'ENOENT': // a Unix socket path nobody listens on
      return new ConnectionRefusedError(`connection refused by ${target}`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new DNSLookupError(`cannot resolve ${target}: ${error.code}`, { cause: error });
    default:
      return certificateError(error) ?? (tls ? tlsHandshakeError(error, target) : undefined) ?? error;
  }
}

/**
 * Starts `open()`, and fires with `wrap(socket)` once `readyEvent` comes; errbacks with the mapped
 * error, or `TimeoutError` after `timeout` seconds. Cancelling destroys the socket.
 */
export function connectSocket(
  open: () => Socket,
  readyEvent: 'connect' | 'secureConnect',
  wrap: (socket: Socket) => Connection,
  target: string,
  timeout: number,
  time: ReactorTime,
): Deferred<Connection> {
  const socket = open();
  socket.pause();
  const attempt = new Deferred<Connection>(() => socket.destroy());
  const timer = time.callLater(timeout, () => {
    socket.destroy();
    attempt.errback(
      new TimeoutError(`connecting to ${target} timed out after ${timeout} seconds`, { seconds: timeout }),
    );
  });
  const onError = (error: Error) => {
    if (timer.active()) timer.cancel();
    socket.destroy();
    if (!attempt.called) attempt.errback(connectError(error, target, readyEvent === 'secureConnect'));
  };
  socket.once('error', onError);
  socket.once(readyEvent, () => {
    if (timer.active()) timer.cancel();
    socket.off('error', onError);
    attempt.callback(wrap(socket));
  });
  attempt.addErrback((failure) => {
    if (timer.active()) timer.cancel();
    throw failure;
  });
  return attempt;
}
