/**
 * A query over UDP: a fresh socket on an ephemeral port for each attempt, closed before the
 * answer is given.
 *
 * @module
 */
import { isIP } from 'node:net';
import type { UDPEndpoint } from '../../source/endpoint-description.js';
import { listen } from '../../source/endpoints.js';
import { Exchange, type SendQuery } from './_exchange.js';
import { ipText } from './_ip-address.js';

/**
 * Sends `query` to `server` from a new UDP socket and fires with the first datagram that comes
 * from the server's address and port and answers the query; anything else is dropped (and told
 * to `onDropped`). The socket is bound on the server's family, on the loopback address when the
 * server is on it and on every address otherwise, to a port the system picks at random.
 * Errbacks with `TimeoutError` after `timeout`, `CannotListenError` when no socket can be bound,
 * or the error of sending.
 *
 * @example
 * ```ts
 * udpQuery(encodeMessage(query), query, { host: '127.0.0.1', port: 53 }, { reactor, clock: reactor, timeout: 1, onDropped });
 * ```
 */
export const udpQuery: SendQuery = (bytes, query, server, options) => {
  const exchange = new Exchange(query, server, options);
  const port = listen(localEndpoint(server.host), { reactor: options.reactor, required: false });
  exchange.closeWith(() => port.close());
  const from = ipText(server.host);
  port.datagrams$.subscribe({
    next: ({ data, address, port: fromPort }) => {
      if (address !== from || fromPort !== server.port) exchange.drop('wrong source');
      else exchange.receive(data);
    },
    error: (error: unknown) => exchange.fail(error),
  });
  port.address.addCallbacks(
    () => {
      if (!exchange.waiting) return;
      port.send(bytes, server.host, server.port).addErrback((failure) => exchange.fail(failure));
    },
    (failure) => exchange.fail(failure),
  );
  return exchange.result;
};

/** Where to bind for talking to `host`: its family's loopback or wildcard address, any port. */
function localEndpoint(host: string): UDPEndpoint {
  const six = isIP(host) === 6;
  const loopback = six ? ipText(host) === '::1' : host.startsWith('127.');
  const local = six ? (loopback ? '::1' : '::') : loopback ? '127.0.0.1' : '0.0.0.0';
  return { type: 'udp', port: 0, host: local, family: six ? 'udp6' : 'udp4' };
}
