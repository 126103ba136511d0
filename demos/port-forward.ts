/**
 * Port forwarding (Twisted's `portforward`): a TCP proxy, with `portForward` from
 * `spindle/protocols/wire`. For each connection accepted, it connects to the target and pipes
 * the two into each other, with backpressure both ways; when either side ends, both close.
 *
 * Run: `node dist/demos/port-forward.js [--listen tcp:8080:interface=127.0.0.1]
 * [--to tcp:host=127.0.0.1:port=80]`, then `curl http://127.0.0.1:8080/`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { portForward } from '../protocols/wire/index.js';
import { describeEndpoint, listen, reactor, type Server } from '../source/index.js';

const defaultTarget = 'tcp:host=127.0.0.1:port=80';

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
