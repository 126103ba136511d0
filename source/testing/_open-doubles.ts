/**
 * The test doubles still open (private to `spindle/testing`): connections of `connectedPair` and
 * `MemoryReactor`, `StringTransport`s and memory servers register here until they close, so the
 * dirty-reactor check can name what a test left behind, and close it.
 *
 * @module
 */
import { formatAddress } from '../address.js';
import type { Connection } from '../connection.js';

/** A test double that is open: what to call it in a report, and how to get rid of it. */
export interface OpenDouble {
  readonly description: string;
  /** Closes it at once. */
  dispose(): void;
}

const open = new Set<OpenDouble>();

/**
 * Registers an open double; the returned function unregisters it.
 *
 * @example
 * ```ts
 * const forget = trackOpen({ description: 'a memory server', dispose: () => server.close() });
 * ```
 */
export function trackOpen(double: OpenDouble): () => void {
  open.add(double);
  return () => {
    open.delete(double);
  };
}

/**
 * Registers a connection until its `closed` fires.
 *
 * @example
 * ```ts
 * trackConnection(connection, 'connectedPair client');
 * ```
 */
export function trackConnection(connection: Connection, kind: string): void {
  const forget = trackOpen({
    description: `${kind} ${formatAddress(connection.localAddress)} ↔ ${formatAddress(connection.remoteAddress)}`,
    dispose: () => connection.abort(),
  });
  connection.closed.addCallback(forget);
}

/**
 * The doubles open now, in the order they were opened.
 *
 * @example
 * ```ts
 * for (const double of openDoubles()) console.log(double.description);
 * ```
 */
export function openDoubles(): readonly OpenDouble[] {
  return [...open];
}
