/**
 * The notice a server command gives when its shutdown waits for connections.
 *
 * @module
 */
import { Logger } from '../log.js';
import { reactor } from '../reactor.js';
import type { Server } from '../server.js';

const log = new Logger('spindle.cli');

/**
 * Says once what shutdown waits for if it takes more than a second: how many connections are
 * still open, on which server (`watched`: the servers and their endpoints), and for at most how
 * long (`grace` seconds).
 *
 * @example
 * ```ts
 * noticeSlowShutdown(new Map([[server, 'tcp:8080:interface=127.0.0.1']]), 10);
 * ```
 */
export function noticeSlowShutdown(watched: ReadonlyMap<Server, string>, grace: number): void {
  reactor.addSystemEventTrigger('during', 'shutdown', () => {
    const notice = reactor.callLater(1, () => {
      const open = [...watched].filter(([server]) => server.connections.size > 0);
      const count = open.reduce((sum, [server]) => sum + server.connections.size, 0);
      if (count === 0) return;
      const where = open.map(([server, endpoint]) => `${server.connections.size} on ${endpoint}`).join(', ');
      log.info(
        `waiting for ${count} connection${count === 1 ? '' : 's'} to finish (${where}), at most ${grace} s`,
      );
    });
    reactor.addSystemEventTrigger('after', 'shutdown', () => {
      if (notice.active()) notice.cancel();
    });
  });
}
