/**
 * `FtpSession`: the server side of one FTP control connection: login, the working folder, the
 * data channel, transfers, FTPS, timeouts and closing. Private to protocols/ftp.
 *
 * @module
 */
import type { SecureContext } from 'node:tls';
import type { Subscription } from 'rxjs';
import { peerHost } from '../../source/_peer-host.js';
import { formatAddress } from '../../source/address.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import { Deadline } from '../../source/deadline.js';
import { type Deferred, maybeDeferred } from '../../source/deferred.js';
import { Logger } from '../../source/log.js';
import type { Session } from '../../source/protocol.js';
import type { ReactorLike } from '../../source/reactor.js';
import { connectActive, PassiveListener, type PassivePorts } from './_data-channel.js';
import { Transfer, type TransferHost, type TransferPayload } from './_transfer.js';
import { CommandError } from './command-error.js';
import { CommandDecoder, type CommandFrame } from './command-line.js';
import type { FtpFileInfo, FtpFileSystem } from './file-system.js';
import { FtpFileSystemError, FtpPathError } from './file-system-error.js';
import { resolveFtpPath } from './ftp-path.js';
import { formatEpsv, formatPasv, type HostPort, parseEprt, parsePort } from './host-port.js';
import { type FtpListEntry, formatListLine, formatMdtm, formatMlsxFacts } from './listing.js';
import { formatReply } from './reply.js';
import type { FtpAccount, FtpChecker } from './users.js';

const log = new Logger('spindle.ftp.server');

/**
 * What every session of one `ftpServer` shares: the files, the checker, the clock and reactor,
 * the passive ports, TLS, and the limits.
 *
 * @example
 * ```ts
 * new FtpSession(settings, connection).start(); // settings made once by ftpServer
 * ```
 */
export interface SessionSettings {
  readonly fileSystem: FtpFileSystem;
  readonly checker: FtpChecker;
  readonly clock: ReactorTime;
  readonly reactor: ReactorLike;
  readonly ports: PassivePorts;
  readonly passiveAddress: string | undefined;
  readonly tls: SecureContext | undefined;
  readonly requireTls: boolean;
  readonly idleTimeout: number;
  readonly dataConnectTimeout: number;
  readonly dataTimeout: number;
  readonly maxLoginFailures: number;
  readonly maxLineLength: number;
  readonly greeting: string;
}

/** Who the client is: it has to say, it said and owes its password, or it is logged in. */
type LoginState =
  | { readonly name: 'awaiting-user' }
  | { readonly name: 'awaiting-password'; readonly user: string }
  | { readonly name: 'logged-in'; readonly account: FtpAccount };

/**
 * What the session does, and so which deadline runs:
 * - `ready`: waiting for a command: the idle timeout;
 * - `running`: a command is being carried out (a file system call, a login check): none;
 * - `transferring`: a transfer runs: the data connection timeout while it comes, the data
 *   timeout between bytes after;
 * - `securing`: the TLS handshake after AUTH TLS: the idle timeout;
 * - `closing`: the last reply is flushing: the idle timeout, then abort;
 * - `closed`.
 */
export type FtpSessionPhase = 'ready' | 'running' | 'transferring' | 'securing' | 'closing' | 'closed';

/** Where the next data connection comes from. */
type DataChannel =
  | { readonly kind: 'none' }
  | { readonly kind: 'passive'; readonly listener: PassiveListener }
  | { readonly kind: 'active'; readonly target: HostPort };

/** Commands taken before login (RFC 4217 lets PBSZ and PROT come before USER). */
const beforeLogin = new Set(['USER', 'PASS', 'AUTH', 'FEAT', 'QUIT', 'PBSZ', 'PROT']);
/** Commands known and not implemented: 502. */
const notImplemented = new Set(['ACCT', 'SMNT', 'REIN', 'SITE', 'ADAT', 'CCC', 'CONF', 'ENC', 'MIC']);
/** RFC 775's old spellings, as vsftpd takes them. */
const aliases: Readonly<Record<string, string>> = {
  XPWD: 'PWD',
  XCWD: 'CWD',
  XCUP: 'CDUP',
  XMKD: 'MKD',
  XRMD: 'RMD',
};
/** Commands held while the queue is this long stop the reading of the control connection. */
const maxQueued = 32;
const noChannel: DataChannel = { kind: 'none' };

/** `"path"` as 257 replies quote it: a quote in it doubled (RFC 959 appendix II). */
function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}

/** A file system entry as a listing shows it. */
function listEntry(info: FtpFileInfo, name = info.name): FtpListEntry {
  return {
    name,
    kind: info.kind === 'other' ? 'file' : info.kind,
    size: info.size,
    modified: info.modified,
    mode: info.mode,
    ...(info.linkTarget !== undefined && { target: info.linkTarget }),
  };
}

/** LIST's argument without the `ls` options clients add (`-la`, `-a`). */
function withoutOptions(argument: string): string {
  return argument.replace(/^(?:-[A-Za-z]+(?:\s+|$))+/, '');
}

/**
 * The FTP server side of one control connection, and its `Session` (the server drains it).
 * Command lines go through a `CommandDecoder`; commands run one at a time, in order, those that
 * come meanwhile waiting in a bounded queue (past it, the connection is not read), except ABOR and
 * STAT during a transfer, which act at once. One movable deadline serves every phase (see
 * `FtpSessionPhase`).
 *
 * @example
 * ```ts
 * const session = new FtpSession(settings, connection);
 * session.start();
 * ```
 */
export class FtpSession implements Session, TransferHost {
  private _decoder: CommandDecoder;
  private readonly _deadline: Deadline;
  private _phase: FtpSessionPhase = 'ready';
  private _login: LoginState = { name: 'awaiting-user' };
  private readonly _queue: CommandFrame[] = [];
  private _busy = false;
  private _paused = false;
  private _draining = false;
  private _eof = false;
  private _cwd = '/';
  private _type: 'ascii' | 'binary' = 'ascii';
  private _restart = 0;
  private _renameFrom: string | undefined = undefined;
  private _channel: DataChannel = noChannel;
  private _epsvAll = false;
  private _pbsz = false;
  private _protection: 'clear' | 'private' = 'clear';
  private _failures = 0;
  private _transfer: Transfer | undefined = undefined;
  /** ABOR came during the transfer: its 226 follows the transfer's last reply. */
  private _aborting = false;
  private _since: number;
  private _subscription: Subscription | undefined = undefined;
  private readonly _peerHost: string | undefined;

  constructor(
    private readonly _settings: SessionSettings,
    readonly connection: Connection,
  ) {
    this._decoder = new CommandDecoder({ maxLineLength: _settings.maxLineLength });
    this._deadline = new Deadline(_settings.clock, this._expired);
    this._since = _settings.clock.seconds();
    this._peerHost = peerHost(connection.remoteAddress);
  }

  /** Where the session is. */
  get phase(): FtpSessionPhase {
    return this._phase;
  }

  /** Greets the client and starts reading commands. */
  start(): void {
    const connection = this.connection;
    connection.registerProducer(connection);
    connection.closed.addCallback(() => this._lost());
    if (this._phase === 'closed') return;
    this.reply(220, this._settings.greeting);
    this._subscription = connection.data$.subscribe({
      next: this._received,
      complete: this._ended,
      error: () => undefined, // the connection is lost: `closed` fires next
    });
    this._update();
  }

  /** Session: takes no more commands, lets a transfer finish, then says 421 and closes. */
  drain(_deadline: number): Deferred<void> {
    this._draining = true;
    this._pump();
    return this.connection.closed.addCallback(() => undefined);
  }

  /** TransferHost: a reply on the control connection. */
  reply(code: number, text: string | readonly string[]): undefined {
    this.connection.write(formatReply(code, text));
    return undefined;
  }

  /** TransferHost: bytes moved; the data timeout counts from now. */
  progressed(): void {
    this._since = this._settings.clock.seconds();
    if (this._phase === 'transferring') this._updateDeadline();
  }

  /** The clock's time, as a Date. */
  private _now(): Date {
    return new Date(this._settings.clock.seconds() * 1000);
  }

  private readonly _received = (chunk: Uint8Array): void => {
    if (this._phase === 'closing' || this._phase === 'closed') return;
    for (const frame of this._decoder.push(chunk)) {
      if (
        this._transfer !== undefined &&
        frame.type === 'command' &&
        this._urgent(frame.verb, frame.argument)
      ) {
        continue;
      }
      this._queue.push(frame);
    }
    this._pump();
  };

  private readonly _ended = (): void => {
    this._eof = true;
    this._pump();
  };

  /** ABOR and STAT during a transfer act at once (RFC 959 §4.1.3); true when the command was one. */
  private _urgent(verb: string, argument: string): boolean {
    const transfer = this._transfer!;
    if (verb === 'ABOR') {
      this._aborting = true;
      transfer.abort();
      return true;
    }
    if (verb === 'STAT' && argument === '') {
      this.reply(211, this._status());
      return true;
    }
    return false;
  }

  /** Runs the queued commands, one at a time, until one has to be waited for. */
  private _pump(): void {
    while (this._idle() && !this._draining) {
      const frame = this._queue.shift();
      if (frame === undefined) break;
      this._since = this._settings.clock.seconds();
      let running: unknown;
      try {
        running =
          frame.type === 'refused' ? this._refused(frame.error) : this._dispatch(frame.verb, frame.argument);
      } catch (error) {
        this._failed(frame, error);
      }
      if (running instanceof Promise) {
        this._busy = true;
        running.then(
          () => this._settled(),
          (error: unknown) => {
            this._failed(frame, error);
            this._settled();
          },
        );
      }
    }
    if (this._idle() && this._queue.length === 0) {
      if (this._draining) this._close(421, 'Server shutting down.');
      else if (this._eof) this._close();
    }
    this._update();
  }

  /** Whether the session may take a command: none runs, no transfer, not securing or closing. */
  private _idle(): boolean {
    const phase = this._phase;
    return (
      !this._busy &&
      this._transfer === undefined &&
      phase !== 'securing' &&
      phase !== 'closing' &&
      phase !== 'closed'
    );
  }

  private _settled(): void {
    this._busy = false;
    this._since = this._settings.clock.seconds();
    this._pump();
  }

  private _refused(error: CommandError): void {
    this.reply(error.reply, `${error.message}.`);
  }

  /** A command failed: the reply its error calls for. */
  private _failed(frame: CommandFrame, error: unknown): void {
    if (this._phase === 'closed' || this._phase === 'closing') return;
    const verb = frame.type === 'command' ? frame.verb : '';
    if (error instanceof FtpPathError) {
      this.reply(550, `${error.message}.`);
    } else if (error instanceof CommandError) {
      this.reply(error.reply, `${error.message}.`);
    } else if (error instanceof FtpFileSystemError) {
      const upload = verb === 'STOR' || verb === 'STOU' || verb === 'APPE';
      if (error.kind === 'no-space') this.reply(452, 'Insufficient storage space.');
      else if (error.kind === 'io') {
        log.warn(`${verb} failed: ${error.message}`, { error });
        this.reply(451, 'Local error in processing.');
      } else if (upload && (error.kind === 'permission' || error.kind === 'exists')) {
        this.reply(553, `Could not create file: ${error.message}.`);
      } else this.reply(550, `${error.message}.`);
    } else {
      log.error(
        `${verb || 'a command'} failed on the connection from ${formatAddress(this.connection.remoteAddress)}`,
        {
          error,
        },
      );
      this.reply(451, 'Local error in processing.');
    }
  }

  /** Runs one command; returns a promise when it has to be waited for. */
  private _dispatch(given: string, argument: string): Promise<void> | undefined {
    const verb = aliases[given] ?? given;
    if (this._login.name !== 'logged-in' && !beforeLogin.has(verb)) {
      this.reply(530, 'Please login with USER and PASS.');
      return undefined;
    }
    if (verb !== 'RNTO') this._renameFrom = undefined;
    switch (verb) {
      case 'USER':
        return this._user(argument);
      case 'PASS':
        return this._pass(argument);
      case 'AUTH':
        return this._auth(argument);
      case 'PBSZ':
        return this._pbszCommand(argument);
      case 'PROT':
        return this._prot(argument);
      case 'FEAT':
        return this.reply(211, this._features());
      case 'QUIT':
        return this._close(221, 'Goodbye.');
      case 'SYST':
        return this.reply(215, 'UNIX Type: L8');
      case 'NOOP':
        return this.reply(200, 'NOOP ok.');
      case 'HELP':
        return this.reply(214, ['The following commands are recognized.', this._commands(), 'Help OK.']);
      case 'ALLO':
        return this.reply(202, 'ALLO command ignored.');
      case 'OPTS':
        if (/^UTF-?8 ON$/i.test(argument.trim())) return this.reply(200, 'Always in UTF8 mode.');
        return this.reply(501, 'Option not understood.');
      case 'TYPE':
        return this._typeCommand(argument);
      case 'MODE':
        return this._only(argument, 'S', 'Mode set to S.', 'BC');
      case 'STRU':
        return this._only(argument, 'F', 'Structure set to F.', 'RP');
      case 'PWD':
        return this.reply(257, `${quotePath(this._cwd)} is the current directory`);
      case 'CWD':
        return this._changeDirectory(argument);
      case 'CDUP':
        return this._changeDirectory('..');
      case 'REST':
        return this._rest(argument);
      case 'PASV':
        return this._pasv();
      case 'EPSV':
        return this._epsv(argument);
      case 'PORT':
        return this._active('PORT', () => parsePort(argument));
      case 'EPRT':
        return this._active('EPRT', () => parseEprt(argument));
      case 'LIST':
      case 'NLST':
      case 'MLSD':
        return this._list(verb, argument);
      case 'MLST':
        return this._mlst(argument);
      case 'STAT':
        return this._stat(argument);
      case 'RETR':
        return this._retrieve(argument);
      case 'STOR':
        return this._store(argument, 'replace');
      case 'APPE':
        return this._store(argument, 'append');
      case 'STOU':
        return this._store(argument, 'unique');
      case 'SIZE':
        return this._size(argument);
      case 'MDTM':
        return this._modified(argument);
      case 'DELE':
        return this._change(
          argument,
          (path) => this._settings.fileSystem.delete(path),
          250,
          'Delete operation successful.',
        );
      case 'RMD':
        return this._change(
          argument,
          (path) => this._settings.fileSystem.rmdir(path),
          250,
          'Remove directory operation successful.',
        );
      case 'MKD':
        return this._change(
          argument,
          (path) => this._settings.fileSystem.mkdir(path),
          257,
          (path) => `${quotePath(path)} created`,
        );
      case 'RNFR':
        return this._renameFromCommand(argument);
      case 'RNTO':
        return this._renameTo(argument);
      case 'ABOR':
        return this._abortIdle();
      default:
        if (notImplemented.has(verb)) return this.reply(502, `${verb} not implemented.`);
        return this.reply(500, 'Unknown command.');
    }
  }

  // --- login and security

  private _user(argument: string): undefined {
    if (this._login.name === 'logged-in') return this.reply(530, "Can't change to another user.");
    if (argument === '') return this.reply(501, 'USER needs a user name.');
    if (this._settings.requireTls && !this.connection.secure) {
      return this.reply(530, 'TLS required: use AUTH TLS before logging in.');
    }
    this._login = { name: 'awaiting-password', user: argument };
    return this.reply(331, 'Please specify the password.');
  }

  private async _pass(password: string): Promise<void> {
    const login = this._login;
    if (login.name === 'logged-in') return this.reply(230, 'Already logged in.');
    if (login.name !== 'awaiting-password') return this.reply(503, 'Login with USER first.');
    const connection = this.connection;
    let account: FtpAccount | undefined;
    try {
      account = await maybeDeferred(this._settings.checker, {
        user: login.user,
        password,
        peer: connection.remoteAddress,
        secure: connection.secure,
      });
    } catch (error) {
      log.error(`the FTP checker failed on ${login.user} from ${formatAddress(connection.remoteAddress)}`, {
        error,
      });
    }
    if (this._phase === 'closed') return;
    if (account === undefined) {
      this._login = { name: 'awaiting-user' };
      this._failures++;
      this.reply(530, 'Login incorrect.');
      if (this._failures >= this._settings.maxLoginFailures) this._close(421, 'Too many failed logins.');
      return;
    }
    this._login = { name: 'logged-in', account };
    this.reply(230, 'Login successful.');
  }

  private _auth(argument: string): undefined {
    const tls = this._settings.tls;
    if (tls === undefined) return this.reply(502, 'TLS is not configured.');
    if (this.connection.secure) return this.reply(503, 'Already using TLS.');
    if (!/^(TLS|TLS-C|SSL)$/i.test(argument.trim())) return this.reply(504, 'Unknown AUTH type.');
    // what the client sent after AUTH in the clear is dropped (no plaintext command injection)
    this._queue.length = 0;
    this._decoder = new CommandDecoder({ maxLineLength: this._settings.maxLineLength });
    this.reply(234, 'Proceed with negotiation.');
    this._phase = 'securing';
    this.connection.startTLS({ secureContext: tls }).addCallbacks(
      () => {
        if (this._phase !== 'securing') return;
        this._phase = 'ready';
        this._login = { name: 'awaiting-user' };
        this._pump();
      },
      (failure) => {
        log.info(
          `AUTH TLS failed with ${formatAddress(this.connection.remoteAddress)}: ${failure.value.message}`,
          {
            error: failure.value,
          },
        );
        this.connection.abort();
      },
    );
    return undefined;
  }

  private _pbszCommand(argument: string): undefined {
    if (!this.connection.secure) return this.reply(503, 'PBSZ needs AUTH TLS first.');
    if (!/^\d+$/.test(argument.trim())) return this.reply(501, 'PBSZ takes a number.');
    this._pbsz = true;
    return this.reply(200, 'PBSZ=0');
  }

  private _prot(argument: string): undefined {
    if (!this.connection.secure) return this.reply(503, 'PROT needs AUTH TLS first.');
    if (!this._pbsz) return this.reply(503, 'PROT needs PBSZ first.');
    const level = argument.trim().toUpperCase();
    if (level === 'C') {
      this._protection = 'clear';
      return this.reply(200, 'PROT now Clear.');
    }
    if (level === 'P') {
      this._protection = 'private';
      return this.reply(200, 'PROT now Private.');
    }
    if (level === 'S' || level === 'E') return this.reply(536, 'PROT level not supported.');
    return this.reply(504, 'PROT takes C or P.');
  }

  // --- simple commands

  private _features(): string[] {
    const features = [
      'EPRT',
      'EPSV',
      'MDTM',
      'MLST type*;size*;modify*;perm*;unix.mode*;',
      'PASV',
      'REST STREAM',
      'SIZE',
      'TVFS',
      'UTF8',
    ];
    if (this._settings.tls !== undefined) features.unshift('AUTH TLS', 'PBSZ', 'PROT');
    return ['Features:', ...features, 'End'];
  }

  private _commands(): string {
    return 'ABOR ALLO APPE AUTH CDUP CWD DELE EPRT EPSV FEAT HELP LIST MDTM MKD MLSD MLST MODE NLST NOOP OPTS PASS PASV PBSZ PORT PROT PWD QUIT REST RETR RMD RNFR RNTO SIZE STAT STOR STOU STRU SYST TYPE USER';
  }

  private _typeCommand(argument: string): undefined {
    const type = argument.trim().toUpperCase().replace(/\s+/g, ' ');
    if (type === 'A' || type === 'A N') {
      this._type = 'ascii';
      return this.reply(200, 'Switching to ASCII mode.');
    }
    if (type === 'I' || type === 'L 8') {
      this._type = 'binary';
      return this.reply(200, 'Switching to Binary mode.');
    }
    if (/^(A [TC]|E( [NTC])?|L \d+)$/.test(type))
      return this.reply(504, 'TYPE not implemented for that parameter.');
    return this.reply(501, 'Unrecognised TYPE command.');
  }

  /** MODE and STRU: one value taken, others known but refused (504), anything else 501. */
  private _only(argument: string, taken: string, text: string, known: string): undefined {
    const value = argument.trim().toUpperCase();
    if (value === taken) return this.reply(200, text);
    if (value.length === 1 && known.includes(value))
      return this.reply(504, 'Command not implemented for that parameter.');
    return this.reply(501, 'Bad argument.');
  }

  private _rest(argument: string): undefined {
    const text = argument.trim();
    const offset = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(offset)) return this.reply(501, 'REST takes a byte offset.');
    this._restart = offset;
    return this.reply(350, `Restart position accepted (${offset}).`);
  }

  private _stat(argument: string): Promise<void> | undefined {
    if (argument === '') return this.reply(211, this._status());
    return this._statPath(argument);
  }

  private _status(): string[] {
    const login = this._login;
    const secure = this.connection.secure;
    return [
      'FTP server status:',
      `Connected to ${this._peerHost ?? formatAddress(this.connection.remoteAddress)}`,
      login.name === 'logged-in' ? `Logged in as ${login.account.user}` : 'Not logged in',
      `TYPE: ${this._type === 'ascii' ? 'ASCII' : 'BINARY'}`,
      `Session timeout in seconds is ${this._settings.idleTimeout}`,
      `Control connection is ${secure ? 'TLS' : 'plain text'}`,
      `Data connections will be ${this._protection === 'private' ? 'TLS' : 'plain text'}`,
      ...(this._transfer !== undefined ? ['A transfer is in progress'] : []),
      'End of status',
    ];
  }

  private async _statPath(argument: string): Promise<void> {
    const { entries } = await this._entries(argument);
    const now = this._now();
    this.reply(213, [
      'Status follows:',
      ...entries.map((entry) => formatListLine(entry, now)),
      'End of status',
    ]);
  }

  // --- paths and files

  private _path(argument: string): string {
    return resolveFtpPath(this._cwd, argument);
  }

  private get _writable(): boolean {
    const login = this._login;
    return login.name === 'logged-in' && login.account.writable;
  }

  private async _changeDirectory(argument: string): Promise<void> {
    if (argument === '..' && this._cwd === '/') return this.reply(250, 'Directory successfully changed.');
    const path = this._path(argument);
    const info = await this._settings.fileSystem.stat(path);
    if (info.kind !== 'directory') return this.reply(550, 'Failed to change directory.');
    this._cwd = path;
    this.reply(250, 'Directory successfully changed.');
  }

  private async _size(argument: string): Promise<void> {
    const info = await this._settings.fileSystem.stat(this._path(argument));
    if (info.kind !== 'file') return this.reply(550, 'Could not get file size.');
    this.reply(213, String(info.size));
  }

  private async _modified(argument: string): Promise<void> {
    const info = await this._settings.fileSystem.stat(this._path(argument));
    if (info.kind !== 'file') return this.reply(550, 'Could not get file modification time.');
    this.reply(213, formatMdtm(info.modified));
  }

  /** DELE, RMD, MKD: needs write permission and an argument; one file system call. */
  private async _change(
    argument: string,
    operation: (path: string) => Deferred<void>,
    code: number,
    text: string | ((path: string) => string),
  ): Promise<void> {
    if (!this._writable) return this.reply(550, 'Permission denied.');
    if (argument === '') return this.reply(501, 'A path is needed.');
    const path = this._path(argument);
    await operation(path);
    this.reply(code, typeof text === 'string' ? text : text(path));
  }

  private async _renameFromCommand(argument: string): Promise<void> {
    this._renameFrom = undefined;
    if (!this._writable) return this.reply(550, 'Permission denied.');
    if (argument === '') return this.reply(501, 'A path is needed.');
    const path = this._path(argument);
    await this._settings.fileSystem.stat(path);
    this._renameFrom = path;
    this.reply(350, 'Ready for RNTO.');
  }

  private async _renameTo(argument: string): Promise<void> {
    const from = this._renameFrom;
    this._renameFrom = undefined;
    if (from === undefined) return this.reply(503, 'RNFR required first.');
    if (argument === '') return this.reply(501, 'A path is needed.');
    await this._settings.fileSystem.rename(from, this._path(argument));
    this.reply(250, 'Rename successful.');
  }

  /** The entries LIST, NLST, MLSD and STAT show for `argument`: a folder's, or the one file's. */
  private async _entries(
    argument: string,
  ): Promise<{ readonly folder: boolean; readonly entries: FtpListEntry[] }> {
    const fs = this._settings.fileSystem;
    const path = this._path(withoutOptions(argument));
    const info = await fs.stat(path);
    if (info.kind !== 'directory') return { folder: false, entries: [listEntry(info)] };
    return { folder: true, entries: (await fs.list(path)).map((entry) => listEntry(entry)) };
  }

  private async _mlst(argument: string): Promise<void> {
    const path = this._path(argument);
    const info = await this._settings.fileSystem.stat(path);
    const facts = formatMlsxFacts(listEntry(info, path), { writable: this._writable });
    this.reply(250, [`Listing ${path}`, facts, 'End']);
  }

  // --- the data channel

  /** The control connection's local host, for the passive listener and the PASV reply. */
  private get _localHost(): string | undefined {
    const local = this.connection.localAddress;
    return local.type === 'tcp' && local.host !== '' ? local.host : undefined;
  }

  private _closeChannel(): void {
    const channel = this._channel;
    this._channel = noChannel;
    if (channel.kind === 'passive') channel.listener.close();
  }

  private async _pasv(): Promise<void> {
    if (this._epsvAll) return this.reply(501, 'PASV not allowed after EPSV ALL.');
    const host = this._settings.passiveAddress ?? peerHost(this.connection.localAddress) ?? '';
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      return this.reply(425, 'PASV cannot name this address: use EPSV.');
    }
    const listener = await this._listen();
    if (listener !== undefined) this.reply(227, formatPasv(host, listener.port));
  }

  private async _epsv(argument: string): Promise<void> {
    const value = argument.trim().toUpperCase();
    if (value === 'ALL') {
      this._epsvAll = true;
      return this.reply(200, 'EPSV ALL ok.');
    }
    const family =
      this.connection.localAddress.type === 'tcp' ? this.connection.localAddress.family : undefined;
    if (value !== '' && value !== '1' && value !== '2') return this.reply(501, 'EPSV takes 1, 2 or ALL.');
    if (value !== '' && family !== undefined && value !== (family === 'IPv4' ? '1' : '2')) {
      return this.reply(522, `Network protocol not supported, use (${family === 'IPv4' ? 1 : 2})`);
    }
    const listener = await this._listen();
    if (listener !== undefined) this.reply(229, formatEpsv(listener.port));
  }

  /** A new passive listener (the previous channel closed); 425 when no port is free. */
  private async _listen(): Promise<PassiveListener | undefined> {
    this._closeChannel();
    const settings = this._settings;
    let listener: PassiveListener;
    try {
      listener = await PassiveListener.open(
        settings.reactor,
        this._localHost,
        settings.ports,
        this._peerHost,
      );
    } catch (error) {
      log.warn(`no passive port: ${(error as Error).message}`, { error });
      this.reply(425, 'Could not enter passive mode.');
      return undefined;
    }
    if (this._phase === 'closed' || this._phase === 'closing') {
      listener.close();
      return undefined;
    }
    this._channel = { kind: 'passive', listener };
    return listener;
  }

  /** PORT and EPRT: only to the control connection's own peer, never a privileged port (bounce attack). */
  private _active(verb: string, parse: () => HostPort): undefined {
    if (this._epsvAll) return this.reply(501, `${verb} not allowed after EPSV ALL.`);
    const target = parse(); // a CommandError answers 501 or 522
    const host = target.address.toLowerCase();
    if (this._peerHost === undefined || host !== this._peerHost) {
      log.warn(
        `refused ${verb} to ${target.address}:${target.port} from ${formatAddress(this.connection.remoteAddress)}`,
      );
      return this.reply(501, 'Rejected data connection to a foreign address.');
    }
    if (target.port < 1024) return this.reply(501, 'Rejected data connection to a privileged port.');
    this._closeChannel();
    this._channel = { kind: 'active', target };
    return this.reply(200, `${verb} command successful. Consider using PASV.`);
  }

  private _abortIdle(): undefined {
    this._closeChannel();
    return this.reply(225, 'No transfer to abort.');
  }

  // --- transfers

  /** The REST offset, taken (it applies to one transfer). */
  private _takeRestart(): number {
    const offset = this._restart;
    this._restart = 0;
    return offset;
  }

  /** Opens a file at the REST offset; an offset past its end answers 554 (and gives undefined). */
  private async _openAt<T>(offset: number, open: () => Deferred<T>): Promise<T | undefined> {
    try {
      return await open();
    } catch (error) {
      if (offset === 0 || !(error instanceof FtpFileSystemError) || error.kind !== 'invalid') throw error;
      this.reply(554, 'Invalid REST parameter.');
      return undefined;
    }
  }

  /** Whether a data channel is set up; 425 when not. */
  private _hasChannel(): boolean {
    if (this._channel.kind !== 'none') return true;
    this.reply(425, 'Use PORT or PASV first.');
    return false;
  }

  private async _list(verb: 'LIST' | 'NLST' | 'MLSD', argument: string): Promise<void> {
    if (!this._hasChannel()) return;
    const { folder, entries } = await this._entries(argument);
    if (verb === 'MLSD' && !folder) return this.reply(501, 'MLSD needs a folder.');
    const now = this._now();
    const writable = this._writable;
    const lines = entries.map((entry) =>
      verb === 'LIST'
        ? formatListLine(entry, now)
        : verb === 'NLST'
          ? entry.name
          : formatMlsxFacts(entry, { writable }),
    );
    const body = lines.map((line) => `${line}\r\n`).join('');
    await this._run({ kind: 'send', body, ascii: false }, 'Here comes the directory listing.');
  }

  private async _retrieve(argument: string): Promise<void> {
    if (argument === '') return this.reply(501, 'RETR needs a path.');
    if (!this._hasChannel()) return;
    const path = this._path(argument);
    const offset = this._takeRestart();
    const reader = await this._openAt(offset, () => this._settings.fileSystem.read(path, { offset }));
    if (reader === undefined) return;
    const mode = this._type === 'ascii' ? 'ASCII' : 'BINARY';
    const name = path.slice(path.lastIndexOf('/') + 1);
    await this._run(
      { kind: 'send', body: reader, ascii: this._type === 'ascii', release: () => reader.close() },
      `Opening ${mode} mode data connection for ${name} (${reader.size} bytes).`,
    );
  }

  private async _store(argument: string, mode: 'replace' | 'append' | 'unique'): Promise<void> {
    if (!this._writable) return this.reply(550, 'Permission denied.');
    if (argument === '' && mode !== 'unique') return this.reply(501, 'A path is needed.');
    if (!this._hasChannel()) return;
    const rest = this._takeRestart();
    const offset = mode === 'replace' ? rest : 0;
    const path = this._path(argument === '' ? 'ftp.upload' : argument);
    const upload = await this._openAt(offset, () => this._settings.fileSystem.write(path, { mode, offset }));
    if (upload === undefined) return;
    const mark =
      mode === 'unique' ? `FILE: ${upload.path.slice(upload.path.lastIndexOf('/') + 1)}` : 'Ok to send data.';
    await this._run({ kind: 'receive', upload, ascii: this._type === 'ascii' }, mark);
  }

  /**
   * Runs a transfer on the data channel (which is used up), resolving once it has answered; the
   * passive listener closes after it.
   */
  private _run(payload: TransferPayload, mark: string): Promise<void> {
    const channel = this._channel;
    this._channel = noChannel;
    const settings = this._settings;
    const tls = this._protection === 'private' ? settings.tls : undefined;
    let transfer: Transfer;
    if (channel.kind === 'passive') {
      const open = channel.listener.connected;
      transfer = new Transfer(this, { connection: channel.listener.take(), open, mark, tls }, payload);
    } else if (channel.kind === 'active' && tls === undefined) {
      const connection = connectActive(settings.reactor, channel.target, settings.dataConnectTimeout);
      transfer = new Transfer(this, { connection, open: false, mark, tls }, payload);
    } else {
      if (payload.kind === 'receive') payload.upload.abort();
      else payload.release?.();
      this.reply(425, 'TLS on active data connections is not supported: use PASV or EPSV.');
      return Promise.resolve();
    }
    this._transfer = transfer;
    this._since = settings.clock.seconds();
    transfer.start();
    // ABOR or STAT that came while the command was being prepared act now
    const held = this._queue.splice(0);
    for (const frame of held) {
      if (
        this._transfer === undefined ||
        frame.type !== 'command' ||
        !this._urgent(frame.verb, frame.argument)
      ) {
        this._queue.push(frame);
      }
    }
    this._update();
    return new Promise<void>((resolve) => {
      transfer.done.addCallback(() => {
        this._transfer = undefined;
        if (channel.kind === 'passive') channel.listener.close();
        if (this._aborting) {
          this._aborting = false;
          this.reply(226, 'ABOR successful.');
        }
        resolve();
      });
    });
  }

  // --- closing and time

  /** Says `code text` (if given), then closes once it is flushed; a transfer is cut off. */
  private _close(code?: number, text?: string): undefined {
    if (this._phase === 'closing' || this._phase === 'closed') return undefined;
    this._transfer?.abort();
    this._closeChannel();
    if (code !== undefined) this.reply(code, text ?? '');
    this._phase = 'closing';
    this._since = this._settings.clock.seconds();
    this._queue.length = 0;
    this.connection.close();
    this._update();
    return undefined;
  }

  private _lost(): void {
    if (this._phase === 'closed') return;
    this._phase = 'closed';
    this._deadline.cancel();
    this._subscription?.unsubscribe();
    this._queue.length = 0;
    this._transfer?.abort();
    this._closeChannel();
  }

  /** Sets the phase from the facts, pauses or resumes reading, and moves the deadline. */
  private _update(): void {
    const phase = this._phase;
    if (phase === 'closed') return;
    if (phase !== 'closing' && phase !== 'securing') {
      this._phase = this._transfer !== undefined ? 'transferring' : this._busy ? 'running' : 'ready';
    }
    const paused = this._queue.length >= maxQueued;
    if (paused !== this._paused) {
      this._paused = paused;
      if (paused) this.connection.pause();
      else this.connection.resume();
    }
    this._updateDeadline();
  }

  private _updateDeadline(): void {
    const settings = this._settings;
    switch (this._phase) {
      case 'closed':
        return;
      case 'running':
        this._deadline.clear();
        return;
      case 'transferring': {
        const waiting = this._transfer?.state === 'connecting' || this._transfer?.state === 'securing';
        this._deadline.set(this._since + (waiting ? settings.dataConnectTimeout : settings.dataTimeout));
        return;
      }
      default:
        this._deadline.set(this._since + settings.idleTimeout);
    }
  }

  private readonly _expired = (): void => {
    switch (this._phase) {
      case 'ready':
        this._close(421, 'Timeout.');
        return;
      case 'transferring': {
        const transfer = this._transfer!;
        if (transfer.state === 'connecting' || transfer.state === 'securing') {
          transfer.abort(425, 'Failed to establish connection.');
        } else transfer.abort(426, 'Data connection timed out: transfer aborted.');
        return;
      }
      case 'securing':
      case 'closing':
        this.connection.abort();
        return;
      default:
        return;
    }
  };
}
