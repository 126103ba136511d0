/**
 * The FTP client (Twisted's `FTPClient`; basic-ftp): `connectFtp` and `FtpClient`, every
 * operation a Deferred, run one at a time on the control connection.
 *
 * @module
 */
import { isIP } from 'node:net';
import type { BodyStream } from '../../source/body-stream.js';
import type { OutgoingBody } from '../../source/body-writer.js';
import type { Connection, TLSOptions } from '../../source/connection.js';
import { Deferred, fail, succeed } from '../../source/deferred.js';
import { DeferredLock } from '../../source/deferred-lock.js';
import { type ClientEndpoint, parseClientEndpoint } from '../../source/endpoint-description.js';
import { CancelledError, ConnectionDone, ProtocolError } from '../../source/errors.js';
import { Failure } from '../../source/failure.js';
import { reactor as defaultReactor, type ReactorLike } from '../../source/reactor.js';
import { Download, type Transfer, type TransferSetup, Upload } from './_client-transfer.js';
import { ControlChannel, check } from './_control-channel.js';
import { DataOpener } from './_data-opener.js';
import { FTPError } from './ftp-client-error.js';
import { type FtpListEntry, parseListLine, parseMdtm, parseMlsxLine } from './listing.js';
import type { FtpReply, ReplyDecoderOptions } from './reply.js';

/**
 * Options of `connectFtp`. Times are in seconds, on the reactor's clock.
 *
 * @example
 * ```ts
 * const client = await connectFtp({ host: 'ftp.example.com' }, { tls: { ca: readFileSync('ca.pem') }, timeout: 60 });
 * ```
 */
export interface FtpClientOptions {
  /** The reactor to connect and time on. Default the process-wide `reactor`. */
  reactor?: ReactorLike;
  /**
   * Seconds to wait for a reply, for a data connection to open, or for one to move while the
   * client is ready for it. A reply that does not come in time drops the control connection.
   * Default 30.
   */
  timeout?: number;
  /**
   * Explicit FTPS (RFC 4217): `AUTH TLS` right after the greeting, then `PBSZ 0` and `PROT P`
   * before the first transfer, so data connections are in TLS too, resuming the control
   * connection's TLS session. `true`, or TLS settings (`ca`, `rejectUnauthorized` …). The
   * server's certificate is verified (against the system's roots unless `ca` is given). A
   * `tls:` endpoint (implicit FTPS) protects the data without this. Default false.
   */
  tls?: boolean | TLSOptions;
  /**
   * Who opens data connections: `'passive'` (the client, after EPSV or PASV) or `'active'` (the
   * server, to the client's address named with EPRT or PORT; not with TLS). Default passive.
   */
  mode?: 'passive' | 'active';
  /** Active mode: the local address to listen on and name. Default the control connection's. */
  activeAddress?: string;
  /** Bytes of a download held unread before its data connection is paused. Default 64 KiB. */
  highWaterMark?: number;
  /** The longest listing `list` and `nlst` read, in bytes. Default 16 MiB. */
  maxListingLength?: number;
  /** Limits on the server's replies. */
  replies?: ReplyDecoderOptions;
}

/**
 * Where to connect: an endpoint description (`tcp:host=ftp.example.com:port=21`, or `tls:…` for
 * implicit FTPS), an endpoint, or a host and port (default 21).
 *
 * @example
 * ```ts
 * const targets: FtpTarget[] = ['tcp:host=127.0.0.1:port=2121', { host: 'ftp.example.com' }];
 * ```
 */
export type FtpTarget = string | ClientEndpoint | { readonly host: string; readonly port?: number };

/**
 * Options of `FtpClient.retrieve`.
 *
 * @example
 * ```ts
 * const rest = await client.retrieve('big.iso', { offset: alreadyHave });
 * ```
 */
export interface RetrieveOptions {
  /** Start this many bytes into the file (`REST`), to resume a download. Default 0. */
  offset?: number;
}

/**
 * Options of `FtpClient.store`.
 *
 * @example
 * ```ts
 * await client.store('log.txt', 'one more line\n', { append: true });
 * ```
 */
export interface StoreOptions {
  /** Append to the file (`APPE`) rather than replace it. Default false. */
  append?: boolean;
  /** Write from this many bytes into the file (`REST`, then `STOR`), to resume an upload. */
  offset?: number;
}

/** What a queued operation is: its result, and (for a transfer) when the control connection is free again. */
interface Operation<T> {
  readonly result: Deferred<T>;
  readonly finished?: Deferred<unknown>;
  cancel?(): void;
}

/** Open; quitting (QUIT queued: nothing more may be); or closed. */
type ClientState = 'open' | 'quitting' | 'closed';

/** TYPE I sent or not since the last login; PBSZ and PROT sent or not. */
type TransferType = 'unset' | 'binary';
type Protection = 'clear' | 'wanted' | 'private';

/**
 * Connects to an FTP server and reads its greeting; fires with the client, ready to `login`.
 * Errbacks with the connection's error (`ConnectionRefusedError` …), `FTPError` for a greeting
 * other than 220 (a 120 is waited past) or a refused `AUTH TLS`, `ProtocolError` for a reply
 * sent in the clear after the 234 to AUTH TLS (an attacker's, injected before the handshake), a
 * TLS error, or `TimeoutError`. Cancelling gives up.
 *
 * @example
 * ```ts
 * const client = await connectFtp({ host: '127.0.0.1', port: 2121 });
 * await client.login('user', 'secret');
 * for (const entry of await client.list()) console.log(entry.kind, entry.name, entry.size);
 * await client.quit();
 * ```
 */
export function connectFtp(target: FtpTarget, options: FtpClientOptions = {}): Deferred<FtpClient> {
  let endpoint: ClientEndpoint;
  try {
    endpoint = endpointOf(target);
  } catch (error) {
    return fail(error);
  }
  const reactor = options.reactor ?? defaultReactor;
  const timeout = options.timeout ?? 30;
  const host = endpoint.type === 'unix' ? 'localhost' : endpoint.host;
  const tls = tlsSettings(host, endpoint, options.tls);
  let control: ControlChannel | undefined;
  const connecting = reactor.connectStream(endpoint, {}).addTimeout(timeout, reactor);
  const ready = new Deferred<FtpClient>(() => {
    connecting.cancel();
    control?.fail(new CancelledError('connecting to the FTP server was cancelled'));
  });
  connecting
    .addCallback((connection) => {
      control = new ControlChannel(connection, reactor, timeout, options.replies);
      return greeting(control);
    })
    .addCallback(() => {
      const channel = control!;
      if (options.tls === undefined || options.tls === false || channel.connection.secure) return undefined;
      return channel.expect('AUTH TLS', 234).addCallback(() => channel.startTLS(tls ?? {}));
    })
    .addCallbacks(
      () => {
        if (ready.called) return;
        const connection = control!.connection;
        ready.callback(
          new FtpClient(control!, {
            reactor,
            timeout,
            tls: connection.secure ? (tls ?? {}) : undefined,
            peerHost: peerHost(connection, host),
            options,
          }),
        );
      },
      (failure: Failure) => {
        control?.fail(failure.value);
        if (!ready.called) ready.errback(failure);
      },
    );
  return ready;
}

/** What `FtpClient` is made with (by `connectFtp`). */
interface ClientSetup {
  readonly reactor: ReactorLike;
  readonly timeout: number;
  /** TLS settings for data connections, when the control connection is in TLS. */
  readonly tls: TLSOptions | undefined;
  readonly peerHost: string;
  readonly options: FtpClientOptions;
}

/**
 * A logged-in (or about to be) FTP session, made by `connectFtp`. Every operation returns a
 * Deferred and waits its turn: they run one at a time on the control connection, in the order
 * they were asked, a transfer holding it until the server's final reply. A refusal fails the
 * operation with `FTPError` (its `replyCode` is the reply's code) and the session goes on; a
 * lost connection, an unreadable reply or a reply that does not come in time fails it and
 * every operation after it.
 *
 * Cancelling an operation that waits for its turn takes it out of the queue; cancelling one
 * under way fails it with `CancelledError` at once, drops its data connection, and still reads
 * the server's replies to it, so the next operation gets its own.
 *
 * Transfers are binary (`TYPE I`, sent before the first), in passive mode by default (EPSV,
 * then PASV for good if the server does not know EPSV), and in TLS when the control connection
 * is (`PBSZ 0`, `PROT P`, sent before the first transfer).
 *
 * ```text
 * list() ──▶ [FEAT] ──▶ EPSV ──▶ connect ──▶ MLSD (or LIST) ──▶ 150 ──▶ data… ──▶ 226 ──▶ entries
 * retrieve(p) ──▶ EPSV ──▶ connect ──▶ RETR p ──▶ 150 ──▶ BodyStream ──▶ data… ──▶ 226 ──▶ end
 * ```
 *
 * @example
 * ```ts
 * const client = await connectFtp('tcp:host=127.0.0.1:port=2121', { tls: { ca } });
 * await client.login('user', 'secret');
 * await client.store('notes.txt', createReadStream('notes.txt'));
 * for await (const chunk of await client.retrieve('notes.txt')) process.stdout.write(chunk);
 * console.log(await client.size('notes.txt'), await client.mtime('notes.txt'));
 * await client.quit();
 * ```
 */
export class FtpClient {
  private readonly _control: ControlChannel;
  private readonly _setup: ClientSetup;
  private readonly _data: DataOpener;
  private readonly _lock = new DeferredLock();
  private _state: ClientState = 'open';
  private _type: TransferType = 'unset';
  private _protection: Protection;
  private _features: ReadonlyMap<string, string> | undefined = undefined;
  private _current: Operation<unknown> | undefined = undefined;

  /** @internal Made by `connectFtp`. */
  constructor(control: ControlChannel, setup: ClientSetup) {
    this._control = control;
    this._setup = setup;
    this._protection = setup.tls === undefined ? 'clear' : 'wanted';
    this._data = new DataOpener({
      reactor: setup.reactor,
      control,
      timeout: setup.timeout,
      peerHost: setup.peerHost,
      mode: setup.options.mode ?? 'passive',
      activeAddress: setup.options.activeAddress,
    });
  }

  /** The control connection. */
  get connection(): Connection {
    return this._control.connection;
  }

  /**
   * Logs in: USER, then PASS when the server asks for it (331), then ACCT when it asks for an
   * account (332). Fires with the final reply (230, or 202). Default: anonymous.
   *
   * @example
   * ```ts
   * await client.login('user', 'secret');
   * ```
   */
  login(user = 'anonymous', password = 'anonymous@', account?: string): Deferred<FtpReply> {
    return this._queue(() => {
      const control = this._control;
      const userLine = `USER ${user}`;
      const result = control
        .command(userLine)
        .addCallback((reply) => {
          if (reply.code !== 331) return check(reply, userLine, [230, 202]);
          return control.command(`PASS ${password}`);
        })
        .addCallback((reply): FtpReply | Deferred<FtpReply> => {
          if (reply.code !== 332) return check(reply, 'PASS', [230, 202]);
          if (account === undefined) throw new FTPError(reply, 'PASS');
          return control.expect(`ACCT ${account}`, 230, 202);
        })
        .addCallback((reply) => {
          this._type = 'unset';
          return reply;
        });
      return { result };
    });
  }

  /**
   * The server's extensions (FEAT, RFC 2389), by upper-cased name, each with its parameters
   * (`'MLST' → 'type*;size*;modify*;'`, `'UTF8' → ''`). A server without FEAT has none. Asked
   * once, then remembered.
   *
   * @example
   * ```ts
   * if ((await client.features()).has('MDTM')) console.log(await client.mtime('a.txt'));
   * ```
   */
  features(): Deferred<ReadonlyMap<string, string>> {
    return this._queue(() => ({ result: this._featuresNow() }));
  }

  /**
   * The working directory (PWD).
   *
   * @example
   * ```ts
   * await client.pwd(); // '/pub'
   * ```
   */
  pwd(): Deferred<string> {
    return this._simple('PWD', [257], (reply) => quotedPath(reply.text));
  }

  /**
   * Changes the working directory (CWD).
   *
   * @example
   * ```ts
   * await client.cwd('pub/releases');
   * ```
   */
  cwd(path: string): Deferred<FtpReply> {
    return this._simple(`CWD ${path}`, [2], (reply) => reply);
  }

  /**
   * Goes to the parent of the working directory (CDUP).
   *
   * @example
   * ```ts
   * await client.cdup();
   * ```
   */
  cdup(): Deferred<FtpReply> {
    return this._simple('CDUP', [2], (reply) => reply);
  }

  /**
   * The entries of a directory (the working one by default): MLSD when the server offers MLST
   * in FEAT (exact sizes and UTC times), LIST parsed otherwise (Unix `ls -l` and DOS formats;
   * lines neither can read, and `.` and `..`, are left out). Fails with `BodyTooLargeError` past
   * `maxListingLength`.
   *
   * @example
   * ```ts
   * const files = (await client.list('pub')).filter((entry) => entry.kind === 'file');
   * ```
   */
  list(path?: string): Deferred<FtpListEntry[]> {
    return this._queue(() => {
      const machine = this._featuresNow().addCallback((features) => features.has('MLST'));
      let transfer: Transfer<BodyStream> | undefined;
      const result = machine.addCallback((mlsd) => {
        const verb = mlsd ? 'MLSD' : 'LIST';
        transfer = this._download(path === undefined ? verb : `${verb} ${path}`, 0);
        return this._readListing(transfer).addCallback((lines) =>
          mlsd ? mlsdEntries(lines) : listEntries(lines),
        );
      });
      return { result, finished: finishedAfter(result, () => transfer), cancel: () => transfer?.cancel() };
    });
  }

  /**
   * The names in a directory (NLST), as the server gives them.
   *
   * @example
   * ```ts
   * const names = await client.nlst('incoming');
   * ```
   */
  nlst(path?: string): Deferred<string[]> {
    return this._queue(() => {
      const transfer = this._download(path === undefined ? 'NLST' : `NLST ${path}`, 0);
      const result = this._readListing(transfer);
      return { result, finished: transfer.finished, cancel: () => transfer.cancel() };
    });
  }

  /**
   * Downloads a file (RETR): fires, once the server has started sending, with its bytes as a
   * `BodyStream` (an Observable, an async iterable, or `readAll`), read once. The data
   * connection is paused while the reader lags; the stream ends once the server confirmed the
   * transfer (226) and fails otherwise (`FTPError`, or the data connection's error). The next
   * operation waits until the download is read to its end, or abandoned (which drops the data
   * connection). `offset` resumes a download (REST).
   *
   * @example
   * ```ts
   * const body = await client.retrieve('notes.txt');
   * for await (const chunk of body) process.stdout.write(chunk);
   * const tail = await (await client.retrieve('big.log', { offset: 1_000_000 })).readAll(1 << 20);
   * ```
   */
  retrieve(path: string, options: RetrieveOptions = {}): Deferred<BodyStream> {
    return this._queue(() => {
      const transfer = this._download(`RETR ${path}`, options.offset ?? 0);
      return { result: transfer.result, finished: transfer.finished, cancel: () => transfer.cancel() };
    });
  }

  /**
   * Uploads a file (STOR, or APPE with `append`) from bytes, a string (as UTF-8), an Observable
   * or an async iterable (a Node `Readable`), read only as fast as the data connection drains.
   * Fires with the bytes sent once the server confirmed them (226). `offset` resumes an upload
   * (REST, then STOR).
   *
   * @example
   * ```ts
   * const sent = await client.store('upload.bin', createReadStream('upload.bin'));
   * await client.store('upload.bin', rest, { offset: sizeOnServer });
   * ```
   */
  store(path: string, body: OutgoingBody, options: StoreOptions = {}): Deferred<number> {
    return this._queue(() => {
      const verb = options.append === true ? 'APPE' : 'STOR';
      let transfer: Upload | undefined;
      const result = this._ready(`${verb} ${path}`, options.offset ?? 0).addCallback((setup) => {
        transfer = new Upload(setup, body).start();
        return transfer.result;
      });
      return { result, finished: finishedAfter(result, () => transfer), cancel: () => transfer?.cancel() };
    });
  }

  /**
   * Renames (RNFR, RNTO).
   *
   * @example
   * ```ts
   * await client.rename('upload.tmp', 'upload.bin');
   * ```
   */
  rename(from: string, to: string): Deferred<FtpReply> {
    return this._queue(() => ({
      result: this._control
        .expect(`RNFR ${from}`, 350)
        .addCallback(() => this._control.expect(`RNTO ${to}`, 2)),
    }));
  }

  /**
   * Deletes a file (DELE).
   *
   * @example
   * ```ts
   * await client.delete('old.log');
   * ```
   */
  delete(path: string): Deferred<FtpReply> {
    return this._simple(`DELE ${path}`, [2], (reply) => reply);
  }

  /**
   * Makes a directory (MKD); fires with its path as the server names it (or as given).
   *
   * @example
   * ```ts
   * await client.mkdir('incoming/2024');
   * ```
   */
  mkdir(path: string): Deferred<string> {
    return this._simple(`MKD ${path}`, [257, 250], (reply) =>
      reply.code === 257 && reply.text.startsWith('"') ? quotedPath(reply.text) : path,
    );
  }

  /**
   * Removes an empty directory (RMD).
   *
   * @example
   * ```ts
   * await client.rmdir('incoming/2024');
   * ```
   */
  rmdir(path: string): Deferred<FtpReply> {
    return this._simple(`RMD ${path}`, [2], (reply) => reply);
  }

  /**
   * A file's size in bytes (SIZE, RFC 3659), in binary mode.
   *
   * @example
   * ```ts
   * const bytes = await client.size('big.iso');
   * ```
   */
  size(path: string): Deferred<number> {
    return this._queue(() => ({
      result: this._binary()
        .addCallback(() => this._control.expect(`SIZE ${path}`, 213))
        .addCallback((reply) => {
          const text = reply.text.trim();
          if (!/^\d+$/.test(text)) throw new ProtocolError(`SIZE ${path}: not a size: ${text}`);
          return Number(text);
        }),
    }));
  }

  /**
   * When a file last changed (MDTM, RFC 3659), in UTC.
   *
   * @example
   * ```ts
   * const changed = await client.mtime('notes.txt');
   * ```
   */
  mtime(path: string): Deferred<Date> {
    return this._simple(`MDTM ${path}`, [213], (reply) => {
      const date = parseMdtm(reply.text);
      if (date === undefined) throw new ProtocolError(`MDTM ${path}: not a time: ${reply.text}`);
      return date;
    });
  }

  /**
   * Sends any command line (SITE, NOOP …) in turn; fires with its reply unless that is a
   * failure (4xx, 5xx: `FTPError`).
   *
   * @example
   * ```ts
   * await client.command('SITE CHMOD 644 notes.txt');
   * ```
   */
  command(line: string): Deferred<FtpReply> {
    return this._simple(line, [1, 2, 3], (reply) => reply);
  }

  /**
   * Says goodbye (QUIT) after the operations already asked, then closes the connection; fires
   * once closed. Operations asked after it fail with `ConnectionDone`.
   *
   * @example
   * ```ts
   * await client.quit();
   * ```
   */
  quit(): Deferred<void> {
    const quitting = this._queue(() => ({
      result: this._control
        .command('QUIT')
        .addBoth(() => this._control.close())
        .addCallback(() => {
          this._state = 'closed';
        }),
    }));
    if (this._state === 'open') this._state = 'quitting';
    return quitting;
  }

  /**
   * Closes the control connection at once: the operation under way and those waiting fail with
   * `ConnectionDone`; a transfer's data connection is dropped.
   *
   * @example
   * ```ts
   * client.close();
   * ```
   */
  close(): Deferred<void> {
    this._state = 'closed';
    this._current?.cancel?.();
    this._control.fail(new ConnectionDone('the FTP client closed the connection'));
    return this._control.connection.close();
  }

  /** Runs `work` when its turn comes; see the class for what cancelling does. */
  private _queue<T>(work: () => Operation<T>): Deferred<T> {
    if (this._state !== 'open') {
      return fail(
        new ConnectionDone(`the FTP client is ${this._state === 'closed' ? 'closed' : 'quitting'}`),
      );
    }
    let operation: Operation<T> | undefined;
    const turn = this._lock.acquire();
    const result = new Deferred<T>(() => {
      if (!turn.called) turn.cancel();
      else operation?.cancel?.();
    });
    turn.addCallbacks(
      () => {
        try {
          operation = work();
        } catch (error) {
          operation = { result: fail(error) };
        }
        this._current = operation;
        operation.result.addBoth((outcome) => {
          if (result.called) return;
          if (outcome instanceof Failure) result.errback(outcome);
          else result.callback(outcome as T);
        });
        (operation.finished ?? operation.result).addBoth(() => {
          this._current = undefined;
          this._lock.release();
        });
      },
      (failure: Failure) => {
        failure.trap(CancelledError);
      },
    );
    return result;
  }

  /** One command, its final reply checked against `expected` and turned into the result. */
  private _simple<T>(line: string, expected: readonly number[], result: (reply: FtpReply) => T): Deferred<T> {
    return this._queue(() => ({ result: this._control.expect(line, ...expected).addCallback(result) }));
  }

  /** FEAT, once (inside an operation). */
  private _featuresNow(): Deferred<ReadonlyMap<string, string>> {
    if (this._features !== undefined) return succeed(this._features);
    return this._control.command('FEAT').addCallback((reply) => {
      if (reply.code >= 500 && reply.code !== 530) this._features = new Map();
      else this._features = parseFeatures(check(reply, 'FEAT', [211]));
      return this._features;
    });
  }

  /** TYPE I, unless sent since the last login. */
  private _binary(): Deferred<unknown> {
    if (this._type === 'binary') return succeed(undefined);
    return this._control.expect('TYPE I', 200).addCallback(() => {
      this._type = 'binary';
    });
  }

  /** What a transfer needs first: TYPE I, PBSZ and PROT in TLS, REST, and its data connection. */
  private _ready(line: string, offset: number): Deferred<TransferSetup> {
    const control = this._control;
    const setup = this._setup;
    let protect: Deferred<unknown> = succeed(undefined);
    if (this._protection === 'wanted') {
      protect = control
        .expect('PBSZ 0', 200)
        .addCallback(() => control.expect('PROT P', 200))
        .addCallback(() => {
          this._protection = 'private';
        });
    }
    return protect
      .addCallback(() => this._binary())
      .addCallback(() => (offset > 0 ? control.expect(`REST ${offset}`, 350) : undefined))
      .addCallback(() => this._data.open(this._protection === 'private' ? setup.tls : undefined))
      .addCallback((port) => ({ control, port, line, clock: setup.reactor, timeout: setup.timeout }));
  }

  /** A download transfer, started once its data connection is ready. */
  private _download(line: string, offset: number): Transfer<BodyStream> {
    const ready = this._ready(line, offset);
    let transfer: Download | undefined;
    const result = ready.addCallback((setup) => {
      transfer = new Download(setup, this._setup.options.highWaterMark ?? 64 * 1024).start();
      return transfer.result;
    });
    return { result, finished: finishedAfter(result, () => transfer), cancel: () => transfer?.cancel() };
  }

  /** A listing's lines, read whole (up to `maxListingLength`) once the transfer is confirmed. */
  private _readListing(transfer: Transfer<BodyStream>): Deferred<string[]> {
    const limit = this._setup.options.maxListingLength ?? 16 * 1024 * 1024;
    return transfer.result
      .addCallback((body) => body.readAll(limit))
      .addCallback((bytes) =>
        new TextDecoder()
          .decode(bytes)
          .split(/\r?\n/)
          .filter((line) => line !== ''),
      );
  }
}

/**
 * When the control connection is free after an operation whose transfer may or may not have
 * started: the transfer's `finished` once there is one, else once `result` settles.
 */
function finishedAfter(
  result: Deferred<unknown>,
  transfer: () => Transfer<unknown> | undefined,
): Deferred<void> {
  const free = new Deferred<void>();
  result.addBoth((outcome) => {
    const started = transfer();
    if (started === undefined) free.callback(undefined);
    else started.finished.addCallback(() => free.callback(undefined));
    return outcome; // the result goes on down the chain unchanged
  });
  return free;
}

/** Reads the greeting: 220, after any 120 ("ready in n minutes"). */
function greeting(control: ControlChannel): Deferred<FtpReply> {
  return control
    .next()
    .addCallback((reply) => (reply.code === 120 ? greeting(control) : check(reply, undefined, [220])));
}

function endpointOf(target: FtpTarget): ClientEndpoint {
  if (typeof target === 'string') return parseClientEndpoint(target);
  if ('type' in target) return target;
  return { type: 'tcp', host: target.host, port: target.port ?? 21 };
}

/** The TLS settings for the control connection's upgrade and data connections: the host verified, unless told. */
function tlsSettings(
  host: string,
  endpoint: ClientEndpoint,
  tls: boolean | TLSOptions | undefined,
): TLSOptions | undefined {
  const base: TLSOptions = { host, ...(isIP(host) === 0 && { servername: host }) };
  const given = typeof tls === 'object' ? tls : {};
  if (endpoint.type === 'tls') return { ...base, ...endpoint.tls, ...given };
  return tls === undefined || tls === false ? undefined : { ...base, ...given };
}

/** The control connection's peer address, or the host connected to when the transport has none. */
function peerHost(connection: Connection, host: string): string {
  const remote = connection.remoteAddress;
  return remote.type === 'tcp' && remote.host !== '' ? remote.host : host;
}

/** The path of a 257 reply: `"/a ""b"""` is `/a "b"` (RFC 959 appendix II). */
function quotedPath(text: string): string {
  const found = /^\s*"((?:[^"]|"")*)"/.exec(text);
  if (found === null) return text.trim().split(' ')[0] ?? '';
  return found[1]!.replaceAll('""', '"');
}

/** The features of a 211 reply to FEAT: each middle line, ` NAME params`. */
function parseFeatures(reply: FtpReply): ReadonlyMap<string, string> {
  const features = new Map<string, string>();
  for (const line of reply.lines.slice(1, -1)) {
    const text = line.trim();
    if (text === '') continue;
    const space = text.indexOf(' ');
    const name = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    features.set(name, space < 0 ? '' : text.slice(space + 1).trim());
  }
  return features;
}

function mlsdEntries(lines: readonly string[]): FtpListEntry[] {
  const entries: FtpListEntry[] = [];
  for (const line of lines) {
    const entry = parseMlsxLine(line);
    const type = entry?.facts.type?.toLowerCase();
    if (entry !== undefined && type !== 'cdir' && type !== 'pdir') entries.push(entry);
  }
  return entries;
}

function listEntries(lines: readonly string[]): FtpListEntry[] {
  const now = new Date();
  const entries: FtpListEntry[] = [];
  for (const line of lines) {
    const entry = parseListLine(line, now);
    if (entry !== undefined && entry.name !== '.' && entry.name !== '..') entries.push(entry);
  }
  return entries;
}
