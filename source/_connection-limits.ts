/**
 * `ConnectionLimits`: how many connections a server holds at once, in all and from one peer host
 * (`listen`'s `maxConnections` and `maxConnectionsPerPeer`; FTP's and SMTP's own).
 *
 * @module
 */

import { peerHost } from './_peer-host.js';
import type { Connection } from './connection.js';

/** Which limit an arrival would pass: the server's, or its peer's. */
export type LimitPassed = 'total' | 'peer';

/**
 * Counts a server's connections, in all and per peer host (see `peerHost`): `take` one as it
 * arrives, `release` it as it goes, or `admit` a connection, counted until it closes. A peer with
 * no host (a Unix socket's) counts in all only.
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
  private _refused = 0;

  constructor(
    private readonly _max: number,
    private readonly _maxPerPeer: number,
  ) {}

  /** The connections counted now. */
  get sessions(): number {
    return this._sessions;
  }

  /** The connections refused so far, past either limit. */
  get refused(): number {
    return this._refused;
  }

  /** Whether a peer's host is needed at all: a limit per peer is set. */
  get perPeer(): boolean {
    return this._maxPerPeer !== Number.POSITIVE_INFINITY;
  }

  /** Counts one more connection from `peer`; or says which limit it would pass, not counting it. */
  take(peer: string | undefined): LimitPassed | undefined {
    const passed = this._passed(peer);
    if (passed !== undefined) {
      this._refused++;
      return passed;
    }
    if (peer !== undefined && this.perPeer) this._perPeer.set(peer, (this._perPeer.get(peer) ?? 0) + 1);
    this._sessions++;
    return undefined;
  }

  /** Which limit one more connection from `peer` would pass. */
  private _passed(peer: string | undefined): LimitPassed | undefined {
    if (this._sessions >= this._max) return 'total';
    if (peer !== undefined && this.perPeer && (this._perPeer.get(peer) ?? 0) >= this._maxPerPeer)
      return 'peer';
    return undefined;
  }

  /** Counts a connection taken from `peer` out. */
  release(peer: string | undefined): void {
    this._sessions--;
    if (peer === undefined || !this.perPeer) return;
    const left = (this._perPeer.get(peer) ?? 1) - 1;
    if (left === 0) this._perPeer.delete(peer);
    else this._perPeer.set(peer, left);
  }

  /** Counts `connection` in, until it closes; or says which limit it would pass, not counting it. */
  admit(connection: Connection): LimitPassed | undefined {
    const peer = peerHost(connection.remoteAddress);
    const refusal = this.take(peer);
    if (refusal === undefined) connection.closed.addCallback(() => this.release(peer));
    return refusal;
  }
}
