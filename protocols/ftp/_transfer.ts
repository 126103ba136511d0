/**
 * `Transfer`: one FTP data transfer (RETR, LIST, NLST, MLSD, STOR, APPE, STOU) on its data
 * connection, from the wait for that connection to the final reply, with backpressure both ways.
 * Private to protocols/ftp.
 *
 * @module
 */
import type { SecureContext } from 'node:tls';
import { Observable } from 'rxjs';
import { type BodyEncoding, BodyWriter } from '../../source/body-writer.js';
import type { CloseReason, Connection } from '../../source/connection.js';
import { Deferred, succeed } from '../../source/deferred.js';
import { ConnectionDone, ConnectionLost } from '../../source/errors.js';
import type { Failure } from '../../source/failure.js';
import { Logger } from '../../source/log.js';
import { AsciiDecoder, AsciiEncoder } from './_ascii.js';
import { transferFailureReply } from './_failure-replies.js';
import type { FtpFileWriter } from './file-system.js';
import { FtpFileSystemError } from './file-system-error.js';

const log = new Logger('spindle.ftp.server');

/**
 * What a transfer moves: bytes sent to the client (a file reader, a listing), or bytes received
 * into an upload; `ascii` converts line ends (TYPE A).
 */
export type TransferPayload =
  | {
      readonly kind: 'send';
      readonly body: AsyncIterable<Uint8Array> | string;
      readonly ascii: boolean;
      /** Releases the source when the transfer never reads it to its end. */
      readonly release?: () => void;
    }
  | { readonly kind: 'receive'; readonly upload: FtpFileWriter; readonly ascii: boolean };

/** What a transfer needs of its session. */
export interface TransferHost {
  /** Sends a reply on the control connection. */
  reply(code: number, text: string): void;
  /** Bytes moved (or the connection came): the session moves the deadline on. */
  progressed(): void;
}

/**
 * Where a transfer is: waiting for its data connection, in the TLS handshake on it, moving bytes,
 * putting the result in place (flushing the last bytes, committing the upload), or over.
 */
export type TransferState = 'connecting' | 'securing' | 'moving' | 'finishing' | 'done';

/** How a transfer begins: its data connection to come, whether it is open already, and the 150 text. */
export interface TransferStart {
  readonly connection: Deferred<Connection>;
  /** The data connection was open before the command (125 rather than 150). */
  readonly open: boolean;
  /** The text of the 150 (or 125) reply. */
  readonly mark: string;
  /** The TLS context for PROT P, or undefined for clear data connections. */
  readonly tls: SecureContext | undefined;
}

/**
 * One transfer: it waits for the data connection (`connecting`), answers 150 (125 when the
 * connection was open already), secures it with TLS when PROT P (`securing`) and moves the bytes
 * (`moving`), then finishes (`finishing`: the last bytes flushed and the connection closed, or the
 * upload committed, fsynced and in place) and answers 226. Anything that goes wrong answers once:
 * 425 (no data connection), 426 (the data connection was lost, or `abort`), 451/452/550 (the file
 * system failed); an upload that does not finish is aborted, so nothing shows under its name.
 *
 * @example
 * ```ts
 * const transfer = new Transfer(host, { connection: listener.take(), open: false, mark: 'Ok to send data.', tls: undefined }, payload);
 * transfer.done.addCallback(() => session.next());
 * ```
 */
export class Transfer {
  private _state: TransferState = 'connecting';
  private _connection: Connection | undefined = undefined;
  private _writer: BodyWriter | undefined = undefined;
  /** Fires once the transfer has answered its last reply (226, or a failure). */
  readonly done = new Deferred<void>();

  constructor(
    private readonly _host: TransferHost,
    private readonly _start: TransferStart,
    private readonly _payload: TransferPayload,
  ) {}

  /** Where the transfer is. */
  get state(): TransferState {
    return this._state;
  }

  /** Starts: waits for the data connection. */
  start(): void {
    this._start.connection.addCallbacks(
      (connection) => this._connected(connection),
      (failure) => {
        if (this._state !== 'connecting') return; // aborted or timed out: answered then
        log.info(`no data connection: ${failure.value.message}`, { error: failure.value });
        this._end(425, 'Failed to establish connection.');
      },
    );
  }

  /**
   * ABOR, a timeout, or the control connection lost: stops at once and answers `code` (426,
   * 425). An upload being committed is let finish (it answers 226): it is complete already.
   */
  abort(code = 426, text = 'Connection closed; transfer aborted.'): void {
    if (this._state === 'done') return;
    if (this._state === 'finishing' && this._payload.kind === 'receive') return;
    const connecting = this._state === 'connecting';
    this._connection?.abort();
    this._end(code, text);
    if (connecting) this._start.connection.cancel(); // its errback finds the transfer over
  }

  private _connected(connection: Connection): void {
    if (this._state !== 'connecting') {
      connection.abort();
      return;
    }
    this._connection = connection;
    connection.closed.addCallback((reason) => this._lost(reason));
    this._host.progressed();
    // the mark comes before the TLS handshake, as vsftpd sends it: a client such as Python's
    // ftplib starts the handshake only once it has read the 150
    this._host.reply(this._start.open ? 125 : 150, this._start.mark);
    const tls = this._start.tls;
    if (tls === undefined) {
      this._move(connection);
      return;
    }
    this._state = 'securing';
    // the server is the TLS server on every data connection, the ones it opened (active) too
    connection.startTLS({ secureContext: tls, role: 'server' }).addCallbacks(
      () => {
        if (this._state === 'securing') this._move(connection);
      },
      (failure) => {
        log.info(`TLS on a data connection failed: ${failure.value.message}`, { error: failure.value });
        this.abort(425, 'TLS negotiation on the data connection failed.');
      },
    );
  }

  private _move(connection: Connection): void {
    this._state = 'moving';
    this._host.progressed();
    const payload = this._payload;
    if (payload.kind === 'send') this._send(connection, payload.body, payload.ascii);
    else this._receive(connection, payload.upload, payload.ascii);
  }

  private _send(connection: Connection, body: AsyncIterable<Uint8Array> | string, ascii: boolean): void {
    // nothing is read from a download's data connection, but its end must be seen
    connection.data$.subscribe({ error: () => undefined });
    // the file reader itself goes to the writer, which hands its chunks back as they are sent
    const writer = new BodyWriter(
      body,
      connection,
      typeof body === 'string' ? {} : { encoding: this._sent(ascii) },
    );
    this._writer = writer;
    writer.done.addCallbacks(
      () => {
        if (this._state !== 'moving') return;
        this._state = 'finishing';
        connection.close();
      },
      (failure) => this._failed(failure),
    );
    writer.start();
  }

  private _receive(connection: Connection, upload: FtpFileWriter, ascii: boolean): void {
    const writer = new BodyWriter(this._received(connection, ascii), upload);
    this._writer = writer;
    writer.done
      .addCallback(() => {
        if (this._state !== 'moving') return;
        this._state = 'finishing';
        return upload.commit().addCallback(() => {
          if (this._state === 'finishing') this._end(226, 'Transfer complete.');
        });
      })
      .addErrback((failure) => this._failed(failure));
    writer.start();
  }

  /** How a download's chunks go out: each one noted as progress, its line ends converted for TYPE A. */
  private _sent(ascii: boolean): BodyEncoding {
    const encoder = ascii ? new AsciiEncoder() : undefined;
    return {
      chunk: (data) => {
        this._host.progressed();
        return encoder === undefined ? data : encoder.push(data);
      },
    };
  }

  /** The bytes of an upload: the connection's, converted for TYPE A, each chunk noted as progress. */
  private _received(connection: Connection, ascii: boolean): Observable<Uint8Array> {
    return new Observable<Uint8Array>((subscriber) => {
      const decoder = ascii ? new AsciiDecoder() : undefined;
      // delivered synchronously, as the connection produces: a full upload queue pauses it
      return connection.data$.subscribe({
        next: (chunk) => {
          this._host.progressed();
          subscriber.next(decoder === undefined ? chunk : decoder.push(chunk));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          const rest = decoder?.end();
          if (rest !== undefined && rest.byteLength > 0) subscriber.next(rest);
          subscriber.complete();
        },
      });
    });
  }

  /** The data connection closed: the end of a download once it is all sent; else the transfer is cut off. */
  private _lost(reason: CloseReason): void {
    if (this._state === 'finishing' && this._payload.kind === 'send') {
      if (reason instanceof ConnectionDone) this._end(226, 'Transfer complete.');
      else this._end(426, 'Connection closed; transfer aborted.');
      return;
    }
    if (this._state === 'moving' && this._payload.kind === 'send') {
      this._end(426, 'Connection closed; transfer aborted.');
    }
    // an upload hears of its end (or of a reset) through the data$ it reads
  }

  /** The source, the upload or the data connection failed while moving or finishing. */
  private _failed(failure: Failure): void {
    if (this._state !== 'moving' && this._state !== 'finishing') return;
    const error = failure.value;
    this._connection?.abort();
    if (error instanceof ConnectionLost || error instanceof ConnectionDone) {
      this._end(426, 'Connection closed; transfer aborted.');
      return;
    }
    if (!(error instanceof FtpFileSystemError) || error.kind === 'io') {
      log.warn(`a transfer failed: ${error.message}`, { error });
    }
    const [code, text] = transferFailureReply(error);
    this._end(code, text);
  }

  /**
   * Answers the transfer's last reply and lets everything go; a cut-off upload's temporary file
   * is removed before the reply, so a client told 426 or 452 finds nothing left behind.
   */
  private _end(code: number, text: string): void {
    if (this._state === 'done') return;
    this._state = 'done';
    this._writer?.stop();
    const payload = this._payload;
    let released: Deferred<unknown> = succeed(undefined);
    if (code !== 226) {
      if (payload.kind === 'receive') released = payload.upload.abort().addErrback(() => undefined);
      else payload.release?.();
    }
    released.addCallback(() => {
      this._host.reply(code, text);
      this.done.callback(undefined);
    });
  }
}
