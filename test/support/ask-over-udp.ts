/**
 * `askOverUdp`: one raw datagram to a Spindle DNS server on a loopback port, and the bytes it
 * answers with, or undefined when it answered nothing (told by its counters, without waiting for
 * silence).
 *
 * @module
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { DnsServer } from '../../protocols/dns/server.js';

/**
 * Sends `datagram` to 127.0.0.1:`port` from a new socket and gives the server's answer, or
 * undefined when `server` took the datagram and sent nothing back.
 *
 * @example
 * ```ts
 * const reply = await askOverUdp(server, port, encodeMessage(query));
 * if (reply !== undefined) console.log(decodeMessage(reply).rcode);
 * ```
 */
export async function askOverUdp(
  server: DnsServer,
  port: number,
  datagram: Uint8Array,
): Promise<Uint8Array | undefined> {
  const socket = createSocket('udp4');
  try {
    const { queries, answered } = server.stats;
    const reply = once(socket, 'message').then(([data]) => data as Uint8Array);
    await new Promise((sent) => socket.send(datagram, port, '127.0.0.1', sent));
    for (let turn = 0; server.stats.queries === queries; turn++) {
      if (turn > 10_000) throw new Error('the server never read the datagram');
      await new Promise(setImmediate);
    }
    return server.stats.answered > answered ? await reply : undefined;
  } finally {
    socket.close();
  }
}
