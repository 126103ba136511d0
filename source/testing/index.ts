/**
 * `spindle/testing`: test doubles for protocols and reactors (Twisted's `twisted.internet.testing`
 * and `iosim`): a recording `StringTransport`, in-memory `connectedPair`s, a `MemoryReactor` on a
 * virtual `Clock`, byte-level marbles, and the dirty-reactor check.
 *
 * @example
 * ```ts
 * import { StringTransport, Clock, sendWire, expectWire } from 'spindle/testing';
 * const clock = new Clock();
 * const transport = new StringTransport();
 * transport.data$.subscribe(transport); // an echo protocol
 * sendWire(transport, clock, '-a-b', { a: 'hi\r\n', b: 'bye\r\n' });
 * expectWire(transport, clock).toBe('-a-b', { a: 'hi\r\n', b: 'bye\r\n' });
 * ```
 * @module
 */
export { Clock } from '../clock.js';
export { type ConnectedPair, type ConnectedPairOptions, connectedPair } from './connected-pair.js';
export {
  type CleanCheckOptions,
  checkClean,
  DirtyReactorError,
  findLeftovers,
  type ReactorWithServers,
  type ServerLike,
  type TestHandler,
  type TestHook,
  type TestSuite,
  trackedClock,
} from './dirty-reactor.js';
export {
  type ConnectCall,
  type ListenCall,
  MemoryReactor,
  type MemoryReactorOptions,
} from './memory-reactor.js';
export { MemoryServer } from './memory-server.js';
export { StringTransport, type StringTransportOptions } from './string-transport.js';
export {
  expectWire,
  type SendWireOptions,
  sendWire,
  type WireExpectation,
  type WireOptions,
  type WireValues,
} from './wire-marbles.js';
