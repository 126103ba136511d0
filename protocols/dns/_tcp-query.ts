/**
 * A query over TCP (RFC 7766), for an answer too big for UDP: one connection per query, each
 * message after its two-byte length.
 *
 * @module
 */
import { connect } from '../../source/endpoints.js';
import { ConnectionLost } from '../../source/errors.js';
import { describeServer, Exchange, type SendQuery } from './_exchange.js';
import { dnsTcpFrames, encodeTcpFrame } from './tcp-framing.js';

/**
 * Connects to `server`, sends `query` and fires with the first message that answers it (others
 * are dropped and told to `onDropped`); the connection is closed before the result is given.
 * Errbacks with `TimeoutError` after `timeout` (connecting included), the connection's error
 * (`ConnectionRefusedError` …), `ConnectionLost` when the server closes it without an answer,
 * or the framing's error for a length over 65,535.
 *
 * @example
 * ```ts
 * tcpQuery(encodeMessage(query), query, { host: '127.0.0.1', port: 53 }, { reactor, clock: reactor, timeout: 10, onDropped });
 * ```
 */
export const tcpQuery: SendQuery = (bytes, query, server, options) => {
  const exchange = new Exchange(query, server, options);
  const connecting = connect(
    { type: 'tcp', host: server.host, port: server.port, timeout: options.timeout },
    { reactor: options.reactor },
  );
  exchange.closeWith(() => {
    connecting.cancel();
    return undefined;
  });
  connecting.addCallbacks(
    (connection) => {
      exchange.closeWith(() => connection.close());
      if (!exchange.waiting) {
        connection.abort();
        return;
      }
      connection.data$.pipe(dnsTcpFrames()).subscribe({
        next: (message) => exchange.receive(message),
        error: (error: unknown) => exchange.fail(error),
        complete: () =>
          exchange.fail(
            new ConnectionLost(`${describeServer(server)} closed the connection without an answer`),
          ),
      });
      connection.write(encodeTcpFrame(bytes));
    },
    (failure) => exchange.fail(failure),
  );
  return exchange.result;
};
