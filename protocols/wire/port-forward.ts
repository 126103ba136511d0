/**
 * Port forwarding (Twisted's `twisted.protocols.portforward`): a TCP proxy, as a stream protocol.
 *
 * @module
 */
import { formatAddress } from '../../source/address.js';
import { connect } from '../../source/endpoints.js';
import { Logger } from '../../source/log.js';
import { type Protocol, protocol } from '../../source/protocol.js';

const log = new Logger('spindle.portforward');

/**
 * The port-forwarding protocol: for each connection accepted, it connects to `target` (a client
 * endpoint description such as `tcp:host=127.0.0.1:port=80`) and pipes the two into each other:
 * `b.send(a.data$)` writes what one peer sends to the other. Backpressure is automatic: a write
 * that fills one side's buffer pauses reading from the other until it drains. When either side
 * ends or fails, both close, as in Twisted (a half-close is not forwarded). If the target cannot
 * be reached, the client's connection is closed and a warning logged.
 *
 * @example
 * ```ts
 * listen('tcp:8080:interface=127.0.0.1', portForward('tcp:host=127.0.0.1:port=80'));
 * ```
 */
export function portForward(target: string): Protocol {
  return protocol(
    (inbound) => {
      connect(target).addCallbacks(
        (outbound) => {
          outbound.send(inbound.data$); // inbound's FIN closes outbound after its writes, and so on
          inbound.send(outbound.data$);
        },
        (failure) => {
          const client = formatAddress(inbound.remoteAddress);
          log.warn(`cannot forward ${client} to ${target}: ${failure.value.message}`);
          inbound.close();
        },
      );
    },
    { name: 'port-forward' },
  );
}
