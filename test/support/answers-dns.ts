/**
 * `answersDns`: whether a DNS server on a loopback port answers yet, the readiness probe of the
 * DNS peers (interop tests and the DNS benchmark).
 *
 * @module
 */
import { createSocket } from 'node:dgram';
import { encode } from 'dns-packet';

/**
 * Sends one query over UDP to 127.0.0.1:`port` (`name`, type A) and resolves whether any reply,
 * whatever its code, comes within `timeoutMs` (default 250).
 *
 * @example
 * ```ts
 * if (await answersDns(port, 'www.example.test')) …
 * ```
 */
export function answersDns(port: number, name = 'probe.test', timeoutMs = 250): Promise<boolean> {
  const query = encode({ type: 'query', id: 1, flags: 0, questions: [{ type: 'A', name }] });
  const socket = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = (answered: boolean) => {
      clearTimeout(timer);
      resolve(answered);
    };
    socket.once('message', () => done(true));
    socket.once('error', () => done(false));
    socket.send(query, port, '127.0.0.1');
  }).finally(() => socket.close());
}
