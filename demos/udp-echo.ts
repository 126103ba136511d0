/**
 * UDP echo (RFC 862 over UDP): each datagram goes back to its sender as it came. A UDP port is
 * no stream of connections but one stream of datagrams, each with its sender's address; a reply
 * that cannot be sent (the sender's port is gone) is logged and forgotten, as UDP is.
 *
 * Run: `node dist/demos/udp-echo.js [--listen udp:8007:interface=127.0.0.1]`, then
 * `nc -u 127.0.0.1 8007`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type DatagramPort,
  describeEndpoint,
  listen,
  parseServerEndpoint,
  reactor,
} from '../source/index.js';

/** Starts a UDP echo on `endpoint` (a `udp:` description). */
export function startUDPEcho(endpoint = 'udp:8007:interface=127.0.0.1'): DatagramPort {
  const parsed = parseServerEndpoint(endpoint);
  if (parsed.type !== 'udp') throw new TypeError(`not a udp: endpoint: ${endpoint}`);
  const udp = listen(parsed);
  udp.datagrams$.subscribe(({ data, address, port }) =>
    udp.send(data, address, port).addErrback((failure) => {
      console.error(`cannot echo to ${address}:${port}: ${failure.value.message}`);
    }),
  );
  return udp;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { listen: { type: 'string' } } });
  const udp = startUDPEcho(values.listen);
  udp.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
  reactor.run(); // Ctrl-C: close the port, exit
}
