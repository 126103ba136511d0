/**
 * Echo (RFC 862 over TCP; Twisted's `twisted.protocols.wire.Echo`).
 *
 * @module
 */
import { type Protocol, protocol } from '../../source/protocol.js';

/**
 * The echo protocol: every byte a client sends comes straight back. It is one operator chain,
 * `conn.send(conn.data$)`, the connection both the source and the sink. When the client
 * half-closes, the echo finishes writing and closes. Backpressure is automatic: a client that
 * sends faster than it reads fills our write buffer, and that pauses reading from it.
 *
 * @example
 * ```ts
 * listen('tcp:8007:interface=127.0.0.1', echo); // then `nc 127.0.0.1 8007`
 * ```
 */
export const echo: Protocol = protocol((conn) => conn.send(conn.data$), { name: 'echo' });
