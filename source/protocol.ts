/**
 * `Protocol`: what a server runs on each connection it accepts, in one value that `listen` takes
 * (Twisted's protocol factory, with `IHalfCloseableProtocol` folded in), and `Session`, the
 * per-connection handle through which a server stops it gracefully.
 *
 * @module
 */
import type { Connection } from './connection.js';

/**
 * One connection's running protocol, as a server sees it: how to stop it gracefully. A protocol
 * whose `serve` returns nothing is stopped by closing its connection (after its writes flush).
 *
 * @example
 * ```ts
 * const session: Session = { drain: (deadline) => finishCurrentRequest().addCallback(() => conn.close()) };
 * ```
 */
export interface Session {
  /**
   * Graceful stop: take no new work on this connection, finish what was taken, and settle
   * (return a Deferred or a promise) once done; the server then closes the connection if it is
   * still open. `deadline` is when the server aborts whatever is still open, in seconds on the
   * server's clock (its `seconds()`).
   */
  drain(deadline: number): unknown;
}

/**
 * A protocol: what to run on each accepted connection. Give it to `listen`, which calls
 * `serve` with every connection it accepts (after a TLS handshake, on `tls:`), and owns the rest:
 * limits, the grace period, closing.
 *
 * There are two kinds. A *stream protocol* is an operator chain from the connection's bytes back
 * to it (echo, chat, a line protocol): `serve` wires the chain and returns nothing. A
 * *request/response protocol* (HTTP, SMTP, FTP, DNS over TCP) is a session driven by the
 * connection, with operators at its edges (framing in, encoding out): `serve` starts the session
 * and returns it, so the server can `drain` it.
 *
 * `halfClose` declares whether the protocol answers a peer that has half-closed (sent its FIN
 * after a request): then the connection stays writable after the FIN, and the protocol closes it.
 * Otherwise (the default, as in Twisted and Node) the connection closes once what was written
 * in answer has flushed.
 *
 * ```text
 * listen ─ accept ─▶ protocol.serve(conn) ─▶ session?        close(): stop accepting,
 *                                                             session.drain(deadline), close, abort at deadline
 * ```
 *
 * @example
 * ```ts
 * import { listen, protocol } from 'spindle';
 * const echo = protocol((conn) => conn.send(conn.data$));
 * listen('tcp:8007', echo);
 * listen('tcp:8080', httpServer(app)); // a request/response protocol: half-close, graceful drain
 * ```
 */
export interface Protocol {
  /**
   * Runs the protocol on an accepted connection; returns its session when it can be drained.
   * An exception drops that connection only: it is logged with the peer, and the connection aborted.
   */
  serve(connection: Connection): Session | undefined;
  /** Keep the connection writable after the peer's FIN (Twisted's `IHalfCloseableProtocol`). Default false. */
  readonly halfClose?: boolean;
  /** A short name for log records (`echo`, `http`). Default `protocol`. */
  readonly name?: string;
}

/** Options of `protocol`. */
export interface ProtocolOptions {
  /** See `Protocol.halfClose`. Default false. */
  readonly halfClose?: boolean;
  /** See `Protocol.name`. */
  readonly name?: string;
}

/**
 * A protocol from a function that wires one connection: the usual way to write echo, chat or any
 * operator-chain protocol. What the function returns is the connection's `Session` if it is one
 * (it has a `drain`), and is ignored otherwise (a `Subscription` from `conn.send(…)`, say).
 *
 * ```text
 * conn.data$: -[hi\r\n]--[yo\r\n]--|
 * serve:      lines() → map(upper) → conn
 * wire out:   -[HI\r\n]--[YO\r\n]--|
 * ```
 *
 * @example
 * ```ts
 * const shout = protocol((conn) =>
 *   conn.send(conn.data$.pipe(lines(), map((line) => `${line.toUpperCase()}\r\n`))), { name: 'shout' });
 * listen('tcp:8007:interface=127.0.0.1', shout);
 * ```
 */
export function protocol(
  serve: (connection: Connection) => unknown,
  options: ProtocolOptions = {},
): Protocol {
  return {
    serve: (connection) => {
      const result = serve(connection);
      return isSession(result) ? result : undefined;
    },
    halfClose: options.halfClose ?? false,
    name: options.name ?? 'protocol',
  };
}

/**
 * Whether `value` is a `Session` (an object with a `drain` function): what a server keeps to
 * drain its connection.
 *
 * @example
 * ```ts
 * isSession(httpServer(app).serve(connection)); // true
 * isSession(conn.send(conn.data$));             // false: a Subscription
 * ```
 */
export function isSession(value: unknown): value is Session {
  return (
    typeof value === 'object' && value !== null && typeof (value as { drain?: unknown }).drain === 'function'
  );
}

/**
 * Whether `value` is a `Protocol` (an object with a `serve` function), for `listen`'s overloads.
 *
 * @example
 * ```ts
 * isProtocol(httpServer(app)); // true
 * isProtocol({ maxConnections: 10 }); // false
 * ```
 */
export function isProtocol(value: unknown): value is Protocol {
  return (
    typeof value === 'object' && value !== null && typeof (value as { serve?: unknown }).serve === 'function'
  );
}
