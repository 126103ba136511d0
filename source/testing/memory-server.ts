/**
 * `MemoryServer`: a listening `Server` with no socket, that a test (or `MemoryReactor`) hands
 * connections to.
 *
 * @module
 */
import { type Address, formatAddress } from '../address.js';
import type { ReactorTime } from '../clock.js';
import type { Connection, ConnectionOptions } from '../connection.js';
import { type Deferred, succeed } from '../deferred.js';
import type { StreamServerEndpoint } from '../endpoint-description.js';
import { connectionOptionsOf, ServerBase, type ServerSetup } from '../server.js';
import { trackOpen } from './_open-doubles.js';

/**
 * A `Server` in memory (what `MemoryReactor.listenStream` returns): listening at once, on the
 * address it was given; `accept(connection)` is a connection arriving. It behaves as a real
 * server does: its protocol starts on each connection, `maxConnections` is enforced, a connection
 * nobody handles is aborted, and `close()` drains the sessions and closes the open connections,
 * aborting those still open after the grace period (on the reactor's clock).
 *
 * `events$` gives each new subscriber a `listening` event first while the server listens, since
 * this server was listening before anyone could subscribe.
 *
 * ```text
 * accept(c1) accept(c2) close()
 * events$:  L----c1------c2------C|
 * ```
 *
 * @example
 * ```ts
 * const server = new MemoryReactor().listenStream({ type: 'tcp', port: 25 }, {}, smtpServer(options));
 * server.accept(new StringTransport());
 * ```
 */
export class MemoryServer extends ServerBase {
  /** Where it was asked to listen. */
  readonly requested: StreamServerEndpoint;
  /** The address it listens on (what `address` fires with), at hand without waiting. */
  readonly boundAddress: Address;
  /** The options its connections are made with (half-close as its protocol declares). */
  readonly connectionOptions: ConnectionOptions;
  private readonly _forget: () => void;

  constructor(requested: StreamServerEndpoint, address: Address, setup: ServerSetup, time: ReactorTime) {
    super(setup, time);
    this.requested = requested;
    this.boundAddress = address;
    this.connectionOptions = connectionOptionsOf(setup);
    this.listeningOn(address);
    this._forget = trackOpen({
      description: `MemoryServer on ${formatAddress(address)}`,
      dispose: () => {
        for (const connection of this.connections) connection.abort();
        this.close({ gracePeriod: 0 });
      },
    });
  }

  /**
   * A connection arrives: it is refused (aborted) if the server is closing or full, given to the
   * `handler`, and emitted on `events$` and `connections$`.
   *
   * @example
   * ```ts
   * const transport = new StringTransport();
   * server.accept(transport); // the protocol's greeting is in transport.text()
   * ```
   */
  override accept(connection: Connection): void {
    super.accept(connection);
  }

  protected stopListening(): Deferred<void> {
    this._forget();
    return succeed(undefined);
  }
}
