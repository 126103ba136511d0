/**
 * One transfer on a data connection: a download (RETR, LIST, MLSD, NLST) into a `BodyStream`,
 * or an upload (STOR, APPE) through a `BodyWriter`, each ended by the server's final reply.
 *
 * @module
 */
import { BodyStream } from '../../source/body-stream.js';
import { type BodyOutput, BodyWriter, type OutgoingBody } from '../../source/body-writer.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import { Deadline } from '../../source/deadline.js';
import { Deferred } from '../../source/deferred.js';
import { CancelledError, ConnectionLost, TimeoutError } from '../../source/errors.js';
import { Failure } from '../../source/failure.js';
import { type ControlChannel, check, shownCommand } from './_control-channel.js';
import type { DataPort } from './_data-opener.js';
import { FTPError } from './ftp-client-error.js';
import type { FtpReply } from './reply.js';

/**
 * What a transfer needs.
 *
 * @example
 * ```ts
 * const setup: TransferSetup = { control, port, line: 'RETR a.txt', clock: reactor, timeout: 30 };
 * ```
 */
export interface TransferSetup {
  readonly control: ControlChannel;
  /** The data connection, readied for this transfer. */
  readonly port: DataPort;
  /** The transfer command: `RETR a.txt`. */
  readonly line: string;
  readonly clock: ReactorTime;
  /** Seconds the data connection may stand still while the client is ready for it. */
  readonly timeout: number;
}

/**
 * A transfer under way: `result` is what the caller gets (the download's body once the server
 * said it starts, or the bytes sent once the upload is confirmed); `finished` fires once the
 * server's final reply is read, whatever it was, and the control connection is free again.
 *
 * @example
 * ```ts
 * transfer.finished.addCallback(() => lock.release());
 * ```
 */
export interface Transfer<T> {
  readonly result: Deferred<T>;
  readonly finished: Deferred<void>;
  /** Gives the transfer up: the data connection is dropped, the final reply still read. */
  cancel(): void;
}

/** Where a transfer stands. */
type Stage = 'command' | 'data' | 'final' | 'done';

/** What the data connection came to: all sent or received, or failed. */
type DataOutcome = { readonly ok: true } | { readonly ok: false; readonly error: Error };

/**
 * The part both directions share: the command and its preliminary reply, the data connection,
 * the final reply. Subclasses move the bytes (`flow`) and settle `result`.
 */
abstract class TransferBase<T> implements Transfer<T> {
  readonly result: Deferred<T>;
  readonly finished = new Deferred<void>();
  protected stage: Stage = 'command';
  protected readonly deadline: Deadline;
  private _failure: Error | undefined;
  /** A 2xx reply given at once, instead of a 1xx one: no other reply follows the data. */
  private _final: FtpReply | undefined;

  constructor(protected readonly setup: TransferSetup) {
    this.result = new Deferred<T>();
    this.deadline = new Deadline(setup.clock, () =>
      this.stop(
        new TimeoutError(`the FTP data connection stood still for ${setup.timeout} seconds`, {
          seconds: setup.timeout,
        }),
      ),
    );
  }

  /** Sends the command; the rest follows its replies. */
  start(): this {
    const { control, line, port } = this.setup;
    control
      .command(line)
      .addCallback((reply) => {
        if (reply.code >= 200 && reply.code < 300 && this.allowsImmediateEnd()) this._final = reply;
        else check(reply, line, [1]);
        this.stage = 'data';
        return port.connection();
      })
      .addCallbacks(
        (connection) => {
          if (this._failure !== undefined) {
            connection.abort();
            this.dataDone({ ok: false, error: this._failure });
          } else this.flow(connection);
        },
        (failure: Failure) => {
          port.abort();
          if (this.stage !== 'command') {
            this.dataDone({ ok: false, error: failure.value });
            return;
          }
          this.stage = 'done';
          this.settle(failure.value, undefined);
          this.finished.callback(undefined);
        },
      );
    return this;
  }

  cancel(): void {
    this.stop(new CancelledError(`${shownCommand(this.setup.line)} was cancelled`));
  }

  /** Whether a 2xx reply to the command can stand for the whole transfer (a download's). */
  protected abstract allowsImmediateEnd(): boolean;

  /** Moves the bytes over `connection`, calling `dataDone` once they have gone or failed. */
  protected abstract flow(connection: Connection): void;

  /** Settles `result`: `error` when the transfer failed, else after the final `reply`. */
  protected abstract settle(error: Error | undefined, reply: FtpReply | undefined): void;

  /** Drops the data connection for `error`, which the transfer then fails with. */
  protected stop(error: Error): void {
    if (this.stage === 'final' || this.stage === 'done') return;
    this._failure ??= error;
    this.setup.port.abort();
  }

  /** The data connection is done with: read the final reply, then settle. */
  protected dataDone(outcome: DataOutcome): void {
    if (this.stage === 'final' || this.stage === 'done') return;
    this.stage = 'final';
    this.deadline.cancel();
    const { port, control } = this.setup;
    port.release();
    const error = this._failure ?? (outcome.ok ? undefined : outcome.error);
    const final = this._final;
    const reply = final !== undefined ? new Deferred<FtpReply>() : control.next();
    if (final !== undefined) reply.callback(final);
    reply.addBoth((result) => {
      this.stage = 'done';
      if (error !== undefined) this.settle(error, undefined);
      else if (result instanceof Failure) this.settle(result.value, undefined);
      else this.settle(undefined, result);
      this.finished.callback(undefined);
    });
  }

  /** Whether `reply` confirms the transfer; an `FTPError` for it when not. */
  protected confirms(reply: FtpReply): Error | undefined {
    return reply.code >= 200 && reply.code < 300
      ? undefined
      : new FTPError(reply, shownCommand(this.setup.line));
  }

  /** Holds the data connection to the deadline from now. */
  protected moved(): void {
    this.deadline.set(this.setup.clock.seconds() + this.setup.timeout);
  }
}

/**
 * A download: `result` fires with the bytes as a `BodyStream` once the server has said it starts
 * (its 1xx reply) and the data connection is there. The stream pauses the data connection while
 * its reader lags, ends once the data connection has ended and the server confirmed the
 * transfer (2xx), and fails otherwise (`FTPError` for the reply, or the connection's error).
 * A reader that leaves early drops the data connection.
 *
 * @example
 * ```ts
 * new Download(setup, 64 * 1024).start().result.addCallback((body) => body.readAll());
 * ```
 */
export class Download extends TransferBase<BodyStream> {
  private _body: BodyStream | undefined;

  constructor(
    setup: TransferSetup,
    private readonly _highWaterMark: number,
  ) {
    super(setup);
  }

  protected allowsImmediateEnd(): boolean {
    return true;
  }

  protected flow(connection: Connection): void {
    let paused = false;
    const body = new BodyStream({
      highWaterMark: this._highWaterMark,
      source: {
        pause: () => {
          paused = true;
          this.deadline.clear(); // the reader lags: the server is not to blame
          connection.pause();
        },
        resume: () => {
          paused = false;
          this.moved();
          connection.resume();
        },
        abandon: () => connection.abort(),
      },
    });
    this._body = body;
    this.moved();
    connection.data$.subscribe({
      next: (chunk) => {
        if (!paused) this.moved();
        body.push(chunk);
      },
      error: (error: unknown) => this.dataDone({ ok: false, error: error as Error }),
      complete: () => this.dataDone({ ok: true }),
    });
    if (!this.result.called) this.result.callback(body);
  }

  protected settle(error: Error | undefined, reply: FtpReply | undefined): void {
    const failure = error ?? this.confirms(reply!);
    const body = this._body;
    if (body === undefined) {
      if (failure !== undefined) this.result.errback(failure);
      else {
        // a 2xx at once, and the data connection never came: an empty download
        const empty = new BodyStream();
        empty.end();
        this.result.callback(empty);
      }
    } else if (failure !== undefined) body.fail(failure);
    else body.end();
  }
}

/**
 * An upload: the body goes out through a `BodyWriter` once the server has said it starts (its
 * 1xx reply), the data connection is closed after it, and `result` fires with the bytes sent
 * once the server confirmed them (2xx). It fails with the body's error, the data connection's,
 * or `FTPError` for the final reply.
 *
 * @example
 * ```ts
 * new Upload(setup, createReadStream('a.bin')).start().result.addCallback((bytes) => console.log(bytes));
 * ```
 */
export class Upload extends TransferBase<number> {
  private _writer: BodyWriter | undefined;

  constructor(
    setup: TransferSetup,
    private readonly _body: OutgoingBody,
  ) {
    super(setup);
  }

  protected allowsImmediateEnd(): boolean {
    return false;
  }

  protected override stop(error: Error): void {
    this._writer?.stop();
    super.stop(error);
  }

  protected flow(connection: Connection): void {
    const output: BodyOutput = {
      write: (data, written) => {
        const ok = connection.write(data, written);
        this.moved();
        if (!ok) connection.drained().addCallback(() => this.deadline.clear());
        return ok;
      },
      drained: () => connection.drained(),
    };
    const writer = new BodyWriter(this._body, output);
    this._writer = writer;
    connection.closed.addCallback((reason) => {
      if (writer.done.called) return;
      writer.stop();
      this.dataDone({
        ok: false,
        error: new ConnectionLost('the FTP server closed the data connection before the upload ended', {
          cause: reason,
        }),
      });
    });
    writer.done.addCallbacks(
      () => {
        this.deadline.clear();
        connection.close().addCallback(() => this.dataDone({ ok: true }));
      },
      (failure: Failure) => {
        connection.abort();
        this.dataDone({ ok: false, error: failure.value });
      },
    );
    writer.start();
  }

  protected settle(error: Error | undefined, reply: FtpReply | undefined): void {
    const failure = error ?? this.confirms(reply!);
    if (failure !== undefined) this.result.errback(failure);
    else this.result.callback(this._writer?.bytes ?? 0);
  }
}
