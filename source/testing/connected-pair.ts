/**
 * `connectedPair`: two connected `Connection`s in memory (Twisted's `iosim`), for testing a
 * client and a server against each other without a socket.
 *
 * @module
 */
import type { Address } from '../address.js';
import type { Connection, ConnectionOptions, ConnectionSide } from '../connection.js';
import { StreamConnection } from '../transports/stream-connection.js';
import { flushMemory, memoryDuplexPair } from './_memory-duplex.js';
import { trackConnection } from './_open-doubles.js';

/** Options of `connectedPair`. */
export interface ConnectedPairOptions {
  /** The client end's address. Default `{ type: 'memory', name: 'client' }`. */
  clientAddress?: Address;
  /** The server end's address. Default `{ type: 'memory', name: 'server' }`. */
  serverAddress?: Address;
  /** Bytes each end's read and write buffers hold before backpressure. Default 16 KiB. */
  highWaterMark?: number;
  /** Options of the client end (its `readHighWaterMark`). */
  client?: ConnectionOptions;
  /** Options of the server end. */
  server?: ConnectionOptions;
  /**
   * Both ends report `secure` without encrypting anything (what `MemoryReactor` does for `tls:`
   * endpoints). For real TLS over the pair, call `startTLS` on both ends instead. Default false.
   */
  secure?: boolean;
  /** Sees every chunk as it crosses the wire (encrypted, after `startTLS`), with the side that sent it. */
  tap?: (from: ConnectionSide, chunk: Uint8Array) => void;
}

/** Two connected ends, and a way to let the bytes between them arrive. */
export interface ConnectedPair {
  /** The end that connected. */
  readonly client: Connection;
  /** The end that accepted. */
  readonly server: Connection;
  /**
   * Lets everything in flight arrive: waits, one event-loop turn at a time, until no byte, EOF or
   * close has moved for two turns. Rejects if the ends still talk after 1000 turns.
   */
  flush(): Promise<void>;
}

/**
 * Two `Connection`s wired to each other in memory (Twisted's `iosim.connectedServerAndClient`):
 * what one end writes, the other reads, one event-loop turn later, with real backpressure (a
 * reader that does not read fills both buffers, then the writer's `write` returns false and its
 * producer pauses until the reader reads on). `end()` reaches the peer as EOF after the bytes
 * before it (the peer then closes too, unless it is `allowHalfOpen`); `close()` closes both ends
 * cleanly (`ConnectionDone`) once the peer has read the rest; `abort()` resets the peer
 * (`ConnectionLost`). As with a paused socket, an end nobody reads from learns of its peer's
 * close only when it reads. `startTLS` on both ends upgrades the pair to real TLS, in memory.
 *
 * ```text
 * client.write('hi'):   client ──hi──▶ server.data$   (after flush())
 * client.close():       server.data$ completes, both `closed` fire with ConnectionDone
 * ```
 *
 * @example
 * ```ts
 * const { client, server, flush } = connectedPair();
 * server.data$.subscribe(server);                 // an echo server
 * const replies: string[] = [];
 * client.data$.subscribe((chunk) => replies.push(String(chunk)));
 * client.write('ping');
 * await flush();                                  // replies: ['ping']
 * ```
 */
export function connectedPair(options: ConnectedPairOptions = {}): ConnectedPair {
  const clientAddress = options.clientAddress ?? { type: 'memory', name: 'client' };
  const serverAddress = options.serverAddress ?? { type: 'memory', name: 'server' };
  const { highWaterMark, tap, secure = false } = options;
  const [clientStream, serverStream] = memoryDuplexPair(
    { highWaterMark, tap: tap && ((chunk) => tap('client', chunk)) },
    { highWaterMark, tap: tap && ((chunk) => tap('server', chunk)) },
  );
  clientStream.pause();
  serverStream.pause();
  const client = new StreamConnection(
    clientStream,
    'client',
    { local: clientAddress, remote: serverAddress },
    { ...options.client, secure },
  );
  const server = new StreamConnection(
    serverStream,
    'server',
    { local: serverAddress, remote: clientAddress },
    { ...options.server, secure },
  );
  trackConnection(client, 'connectedPair client');
  trackConnection(server, 'connectedPair server');
  return { client, server, flush: () => flushMemory() };
}
