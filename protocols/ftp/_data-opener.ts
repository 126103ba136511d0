/**
 * Opening the client's data connections: passive (EPSV, then PASV) or active (EPRT, then PORT),
 * in TLS when the data is protected.
 *
 * @module
 */
import { isIP } from 'node:net';
import { TLSSocket } from 'node:tls';
import { take } from 'rxjs';
import type { Connection, TLSOptions } from '../../source/connection.js';
import { Deferred, fail, succeed } from '../../source/deferred.js';
import { ProtocolError } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import type { ReactorLike } from '../../source/reactor.js';
import type { Server } from '../../source/server.js';
import { StreamConnection } from '../../source/transports/stream-connection.js';
import type { ControlChannel } from './_control-channel.js';
import { FTPError } from './ftp-client-error.js';
import { formatEprt, formatPort, parseEpsvReply, parsePasvReply } from './host-port.js';
import type { FtpReply } from './reply.js';

/**
 * What every data connection of one client shares.
 *
 * @example
 * ```ts
 * const settings: DataSettings = { reactor, control, timeout: 30, peerHost: '127.0.0.1', mode: 'passive', activeAddress: undefined };
 * ```
 */
export interface DataSettings {
  readonly reactor: ReactorLike;
  readonly control: ControlChannel;
  /** Seconds to connect, or to wait for the server to connect. */
  readonly timeout: number;
  /** The control connection's peer: where passive data connections go, whatever PASV says. */
  readonly peerHost: string;
  /** Passive (the client connects) or active (the server connects to the client). */
  readonly mode: 'passive' | 'active';
  /** Active mode: the address to listen on and to name in EPRT/PORT. */
  readonly activeAddress: string | undefined;
}

/**
 * A data connection being set up: connected already (passive), or awaited after the command (active).
 *
 * @example
 * ```ts
 * port.connection().addCallback((connection) => connection.data$.subscribe(sink));
 * ```
 */
export interface DataPort {
  /**
   * The connection, once there and, in TLS, once its handshake is done: asked after the
   * command's preliminary reply.
   */
  connection(): Deferred<Connection>;
  /** Gives up: closes the connection or the listener at once. */
  abort(): void;
  /** After the transfer: lets the listener of active mode go. */
  release(): void;
}

/** Replies to EPSV or EPRT that mean the server does not know it: fall back to PASV or PORT, for good. */
const unknownCommand = new Set([500, 501, 502, 504, 522]);

/**
 * Opens data connections for one client, remembering what the server refused: once EPSV got a
 * 500, 501, 502, 504 or 522 reply, it asks PASV from then on (and EPRT, PORT). A PASV reply's
 * address is used only when it is the control connection's peer; otherwise the data connection
 * goes to that peer all the same (as curl does, so that a server cannot send the client
 * elsewhere). In TLS, the data connection resumes the control connection's TLS session, as
 * servers that require session reuse want.
 *
 * @example
 * ```ts
 * const opener = new DataOpener(settings);
 * opener.open(undefined).addCallback((port) => control.command('RETR a.txt'));
 * ```
 */
export class DataOpener {
  private _passive: 'EPSV' | 'PASV' = 'EPSV';
  private _active: 'EPRT' | 'PORT' = 'EPRT';

  constructor(private readonly _settings: DataSettings) {}

  /**
   * Readies a data connection for the next transfer command; `tls` when the data is protected.
   * Fails with `FTPError` when the server refuses, or the connection's error.
   */
  open(tls: TLSOptions | undefined): Deferred<DataPort> {
    const settings = this._settings;
    if (settings.mode === 'active') return this._listen(tls);
    return this._passiveAddress().addCallback((port) => this._connect(port, tls));
  }

  /** EPSV (or PASV): the port to connect to, on the control connection's peer. */
  private _passiveAddress(): Deferred<number> {
    const control = this._settings.control;
    if (this._passive === 'PASV') {
      return control.expect('PASV', 227).addCallback((reply) => parsePasvReply(reply.text).port);
    }
    return control.command('EPSV').addCallback((reply): number | Deferred<number> => {
      if (reply.code === 229) return parseEpsvReply(reply.text);
      if (!unknownCommand.has(reply.code) || isIP(this._settings.peerHost) === 6) {
        throw new FTPError(reply, 'EPSV');
      }
      this._passive = 'PASV';
      return this._passiveAddress();
    });
  }

  private _connect(port: number, tls: TLSOptions | undefined): Deferred<DataPort> {
    const { reactor, peerHost, timeout } = this._settings;
    const connecting = reactor
      .connectStream({ type: 'tcp', host: peerHost, port, timeout }, {})
      .addTimeout(timeout, reactor);
    return connecting.addCallback((connection): DataPort => {
      let ready: Deferred<Connection> | undefined;
      return {
        // TLS starts once the server has answered the command, as curl and Python's ftplib do:
        // pyftpdlib drops a data connection whose handshake comes before the command
        connection: () => {
          if (ready !== undefined) return ready;
          ready = tls === undefined ? succeed(connection) : secured(connection, tls, this._settings);
          return ready;
        },
        abort: () => connection.abort(),
        release: () => undefined,
      };
    });
  }

  /** Active mode: listens, and names the address with EPRT (or PORT). */
  private _listen(tls: TLSOptions | undefined): Deferred<DataPort> {
    const { reactor, control, activeAddress } = this._settings;
    const host = activeAddress ?? localHost(control.connection);
    if (host === undefined) {
      return fail(new TypeError('active mode needs the control connection to be TCP, or an activeAddress'));
    }
    const server = reactor.listenStream({ type: 'tcp', host, port: 0 }, {});
    // listening for the connection from now on: pyftpdlib connects as soon as it has the address
    const port = activePort(server, this._settings, tls);
    return server.address
      .addCallback((address) => this._announce(host, address.type === 'tcp' ? address.port : 0))
      .addCallbacks(
        () => port,
        (failure: Failure): never => {
          port.abort();
          throw failure;
        },
      );
  }

  private _announce(host: string, port: number): Deferred<FtpReply> {
    const control = this._settings.control;
    if (this._active === 'PORT') return control.expect(`PORT ${formatPort(host, port)}`, 200);
    const line = `EPRT ${formatEprt(host, port)}`;
    return control.command(line).addCallback((reply): FtpReply | Deferred<FtpReply> => {
      if (reply.code === 200) return reply;
      if (!unknownCommand.has(reply.code) || isIP(host) === 6) throw new FTPError(reply, line);
      this._active = 'PORT';
      return this._announce(host, port);
    });
  }
}

/**
 * Active mode's port: the first connection from the control connection's peer is the data
 * connection (servers connect when they get the address, or once the command comes).
 */
function activePort(server: Server, settings: DataSettings, tls: TLSOptions | undefined): DataPort {
  const { reactor, timeout, peerHost } = settings;
  let accepted: Connection | undefined;
  const arrived = new Deferred<Connection>(() => server.close());
  const subscription = server.connections$.pipe(take(1)).subscribe((connection) => {
    const from = connection.remoteAddress;
    if (from.type === 'tcp' && from.host !== peerHost && from.host !== `::ffff:${peerHost}`) {
      connection.abort();
      arrived.errback(
        new ProtocolError(`a data connection came from ${from.host}, not from the server (${peerHost})`),
      );
      return;
    }
    accepted = connection;
    arrived.callback(connection);
  });
  let waiting: Deferred<Connection> | undefined;
  return {
    connection: () => {
      waiting ??= arrived
        .addTimeout(timeout, reactor)
        .addCallback((connection) => (tls === undefined ? connection : secured(connection, tls, settings)));
      return waiting;
    },
    abort: () => {
      subscription.unsubscribe();
      accepted?.abort();
      if (!arrived.called) arrived.cancel();
      if (waiting === undefined) arrived.addErrback(() => undefined); // nobody asked for it: nothing to report
      server.close({ gracePeriod: 0 });
    },
    release: () => {
      subscription.unsubscribe();
      server.close({ gracePeriod: 0 });
    },
  };
}

/** The local address of a TCP control connection (where active data connections are listened for). */
function localHost(control: Connection): string | undefined {
  const local = control.localAddress;
  return local.type === 'tcp' && local.host !== '' ? local.host : undefined;
}

/**
 * `connection` in TLS, as the client of the handshake whichever end opened it (RFC 4217: in active
 * mode the server connects, and is still the TLS server), resuming the control connection's
 * session, as servers that require it (vsftpd's `require_ssl_reuse`) ask.
 */
function secured(connection: Connection, tls: TLSOptions, settings: DataSettings): Deferred<Connection> {
  const session = tlsSession(settings.control.connection);
  return connection
    .startTLS({ ...tls, ...(session !== undefined && { session }), role: 'client' })
    .addCallback(() => connection)
    .addTimeout(settings.timeout, settings.reactor);
}

/** The TLS session of a control connection in TLS, for a data connection to resume. */
function tlsSession(control: Connection): Buffer | undefined {
  if (!(control instanceof StreamConnection)) return undefined;
  const stream = control.stream;
  return stream instanceof TLSSocket ? stream.getSession() : undefined;
}
