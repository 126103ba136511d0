/**
 * `ConnectionLimits`: how many sessions a server holds at once, in all and from one peer address
 * (FTP's and SMTP's `maxConnections` and `maxConnectionsPerPeer`).
 *
 * @module
 */

import { peerHost } from './_peer-host.js';
import type { Connection } from './connection.js';

/**
 * Counts a server's sessions, in all and per peer host (see `peerHost`), each until its
 * connection closes.
 *
 * @example
 * ```ts
 * const limits = new ConnectionLimits(1000, 20);
 * const refusal = limits.admit(connection); // 'total', 'peer', or undefined: admitted, counted until it closes
 * ```
 */
export class ConnectionLimits {
  private readonly _perPeer = new Map<string, number>();
  private _sessions = 0;

  constructor(
    private readonly _max: number,
    private readonly _maxPerPeer: number,
  ) {}

  /** The sessions open now. */
  get sessions(): number {
    return this._sessions;
  }

  /** Counts `connection` in, until it closes; or says which limit it would pass, not counting it. */
  admit(connection: Connection): 'total' | 'peer' | undefined {
    const peer = peerHost(connection.remoteAddress) ?? '';
    const fromPeer = this._perPeer.get(peer) ?? 0;
    if (this._sessions >= this._max) return 'total';
    if (fromPeer >= this._maxPerPeer) return 'peer';
    this._sessions++;
    this._perPeer.set(peer, fromPeer + 1);
    connection.closed.addCallback(() => {
      this._sessions--;
      const left = this._perPeer.get(peer)! - 1;
      if (left === 0) this._perPeer.delete(peer);
      else this._perPeer.set(peer, left);
    });
    return undefined;
  }
}
