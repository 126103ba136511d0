/**
 * `NetServerAdapter`: a `Server` over a `node:net` or `node:tls` server.
 *
 * @module
 */
import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type Address, inetAddress } from '../address.js';
import type { ReactorTime } from '../clock.js';
import type { Connection } from '../connection.js';
import { Deferred } from '../deferred.js';
import type { CannotListenError } from '../errors.js';
import { ServerBase, type ServerSetup } from '../server.js';
import { cannotListen } from './_cannot-listen.js';

/** How a transport turns an accepted socket into a connection. */
export type AcceptSocket = (socket: Socket) => Connection;

/** A `node:tls` socket's TCP socket underneath (Node keeps it as `_parent`). */
function rawSocketOf(secure: TLSSocket): Socket | undefined {
  return (secure as TLSSocket & { _parent?: Socket })._parent;
}

/**
 * A `Server` over a `node:net` server (created with `pauseOnConnect: true`), or a `node:tls`
 * server (`tls: true`), whose connections are accepted once their handshake is done. `wrap` turns
 * each socket into a connection; `describeAddress` reads the bound address.
 *
 * A TLS server counts a connection from its TCP accept: a handshake in progress counts against
 * `maxConnections` and `maxConnectionsPerPeer`, and `close()` drops the ones still in their handshake at once (they have
 * nothing in flight, and could only be refused once done), so a client that connects and never
 * finishes its handshake cannot hold a shutdown until Node's 120-second handshake timeout.
 *
 * @example
 * ```ts
 * const net = createServer({ pauseOnConnect: true });
 * const server = new NetServerAdapter(net, (s) => new StreamConnection(s, 'server', …), setup, reactor, serverAddress);
 * net.listen(0, '127.0.0.1');
 * ```
 */
export class NetServerAdapter<A extends Address = Address> extends ServerBase<A> {
  /** TLS only: TCP sockets accepted whose handshake is not done, and their peers. */
  private readonly _handshaking: Map<Socket, Address> | undefined;

  constructor(
    private readonly _server: NetServer,
    wrap: AcceptSocket,
    setup: ServerSetup,
    time: ReactorTime,
    describeAddress: (server: NetServer) => A,
    options: { readonly tls?: boolean } = {},
  ) {
    super(setup, time);
    _server.on('listening', () => this.listeningOn(describeAddress(_server)));
    _server.on('error', (error: Error) =>
      this.failed(this.listening ? error : cannotListen(this.endpoint, error)),
    );
    if (options.tls === true) {
      const handshaking = new Map<Socket, Address>();
      this._handshaking = handshaking;
      _server.on('connection', (raw: Socket) => {
        // The peer as accept() names one: `127.0.0.1:40212`, or `an unknown address` once reset.
        const peer = inetAddress('tcp', raw.remoteAddress, raw.remotePort, raw.remoteFamily);
        if (!this.take(peer)) {
          raw.destroy();
          return;
        }
        handshaking.set(raw, peer);
        raw.once('close', () => {
          if (handshaking.delete(raw)) this.release(peer);
        });
      });
      _server.on('secureConnection', (socket: TLSSocket) => {
        const raw = rawSocketOf(socket);
        const peer = raw === undefined ? undefined : handshaking.get(raw);
        if (peer !== undefined) {
          handshaking.delete(raw!);
          this.release(peer);
        }
        this.accept(wrap(socket));
      });
    } else {
      this._handshaking = undefined;
      _server.on('connection', (socket: Socket) => this.accept(wrap(socket)));
    }
  }

  /** The `node:net` (or `node:tls`) server underneath. */
  get netServer(): NetServer {
    return this._server;
  }

  /**
   * Fails the listen before it starts (a check the transport made itself: a missing folder).
   *
   * @example
   * ```ts
   * adapter.refuseToListen(new CannotListenError('unix:/no/such/s.sock', 'the folder "/no/such" does not exist'));
   * ```
   */
  refuseToListen(error: CannotListenError): void {
    this.failed(error);
  }

  protected stopListening(): Deferred<void> {
    const stopped = new Deferred<void>();
    if (this._handshaking !== undefined) {
      for (const raw of this._handshaking.keys()) raw.destroy(); // each counted out as it closes
    }
    if (this._server.listening) {
      this._server.close(() => stopped.callback(undefined));
    } else {
      // Not bound yet (or never will be): close it if it still comes up.
      this._server.once('listening', () => this._server.close());
      stopped.callback(undefined);
    }
    return stopped;
  }
}
