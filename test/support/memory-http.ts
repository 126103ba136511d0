/**
 * `memoryHttp`: an HTTP server and a Spindle client talking over a memory reactor on a tracked
 * virtual clock, for tests of whole exchanges (faults, resets) without a socket.
 */
import type { AccessLogRecord } from '../../protocols/http/access-log.js';
import { Agent } from '../../protocols/http/client.js';
import { type HttpHandler, httpServer } from '../../protocols/http/server.js';
import { MemoryReactor, trackedClock } from '../../source/testing/index.js';

/**
 * `httpServer(handler)` listening on port 80 of a new memory reactor, an `Agent` on that reactor
 * (requests to any `http://host/` reach it), and the access log records so far; `done()` closes
 * the agent's idle connections and the server.
 *
 * @example
 * ```ts
 * const h = memoryHttp(() => ({ body: 'hi' }));
 * assert.is(await (await h.agent.request('GET', 'http://example.test/')).text(), 'hi');
 * await h.done();
 * ```
 */
export function memoryHttp(handler: HttpHandler) {
  const reactor = new MemoryReactor({ clock: trackedClock() });
  const records: AccessLogRecord[] = [];
  const app = httpServer(handler, { clock: reactor.clock, accessLog: (record) => records.push(record) });
  const server = reactor.listenStream({ type: 'tcp', port: 80 }, {}, app);
  const agent = new Agent({ reactor });
  return {
    reactor,
    clock: reactor.clock,
    server,
    agent,
    records,
    async done() {
      await agent.closeCachedConnections();
      await server.close({ gracePeriod: 0 });
      await reactor.flush();
    },
  };
}
