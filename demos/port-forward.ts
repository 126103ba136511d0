/**
 * Port forwarding (Twisted's `portforward`): a TCP proxy, as a stream protocol. For each
 * connection accepted, it connects to the target and pipes the two into each other:
 * `b.send(a.data$)` writes what one peer sends to the other. Backpressure is automatic: a write that fills one side's buffer pauses
 * reading from the other until it drains. When either side ends or fails, both close, as in
 * Twisted (a half-close is not forwarded). If the target cannot be reached, the client's
 * connection is closed.
 *
 * Run: `node dist/demos/port-forward.js [--listen tcp:8080:interface=127.0.0.1]
 * [--to tcp:host=127.0.0.1:port=80]`, then `curl http://127.0.0.1:8080/`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  connect,
  describeEndpoint,
  formatAddress,
  listen,
  type Protocol,
  protocol,
  reactor,
  type Server,
} from '../source/index.js';

const defaultTarget = 'tcp:host=127.0.0.1:port=80';

/** The port-forwarding protocol: each connection forwarded to `target` (a client endpoint). */
export function portForward(target = defaultTarget): Protocol {
  return protocol(
    (inbound) => {
      connect(target).addCallbacks(
        (outbound) => {
          outbound.send(inbound.data$); // inbound's FIN closes outbound after its writes, and so on
          inbound.send(outbound.data$);
        },
        (failure) => {
          const client = formatAddress(inbound.remoteAddress);
          console.error(`cannot forward ${client} to ${target}: ${failure.value.message}`);
          inbound.close();
        },
      );
    },
    { name: 'port-forward' },
  );
}

/** Listens on `endpoint` and forwards each connection to `target`. */
export function startPortForward(endpoint = 'tcp:8080:interface=127.0.0.1', target = defaultTarget): Server {
  return listen(endpoint, portForward(target));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { listen: { type: 'string' }, to: { type: 'string' } } });
  const target = values.to ?? defaultTarget;
  const server = startPortForward(values.listen, target);
  server.address.addCallback((address) =>
    console.log(`listening on ${describeEndpoint(address)} (forwarding to ${target})`),
  );
  reactor.run(); // Ctrl-C: stop listening, let open connections finish, exit
}
