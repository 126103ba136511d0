/**
 * `FtpSession`: the server side of one FTP control connection: its state, the queue of commands,
 * the transfer running, AUTH TLS, timeouts and closing. The commands themselves are in the
 * command table (`runCommand`). Private to protocols/ftp.
 *
 * @module
 */
import type { SecureContext } from 'node:tls';
import { peerHost } from '../../source/_peer-host.js';
import { SessionLink } from '../../source/_session-link.js';
import { TurnBudget } from '../../source/_turn-budget.js';
import { formatAddress } from '../../source/address.js';
import type { Connection } from '../../source/connection.js';
import type { Deferred } from '../../source/deferred.js';
import { Logger } from '../../source/log.js';
import type { Session } from '../../source/protocol.js';
import type { CommandContext, DataChannel, DataProtection, LoginState } from './_command-context.js';
import { runCommand } from './_commands.js';
import { connectActive } from './_data-channel.js';
import { commandFailureReply } from './_failure-replies.js';
import type { SessionSettings } from './_session-settings.js';
import { statusLines } from './_session-texts.js';
import { Transfer, type TransferHost, type TransferPayload } from './_transfer.js';
import { CommandDecoder, type CommandFrame } from './command-line.js';
import { FtpFileSystemError } from './file-system-error.js';
import { type MlsxFact, mlsxFacts } from './listing.js';
import { formatReply } from './reply.js';

const log = new Logger('spindle.ftp.server');

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

/** Commands held while the queue is this long stop the reading of the control connection. */
const maxQueued = 32;
const noChannel: DataChannel = { kind: 'none' };

/**
 * The FTP server side of one control connection, and its `Session` (the server drains it).
 * Command lines go through a `CommandDecoder`; commands run one at a time, in order, at most
 * `turns.perTurn` per read and per turn of the event loop, those that come meanwhile waiting in a
 * bounded queue (past it, or while the turn's budget is spent, the connection is not read), except ABOR and
 * STAT during a transfer, which act at once. One movable deadline serves every phase (see
 * `FtpSessionPhase`).
 *
 * @example
 * ```ts
 * const session = new FtpSession(settings, connection);
 * session.start();
 * ```
 */
export class FtpSession implements Session, TransferHost, CommandContext {
  // the state commands read and set (CommandContext)
  login: LoginState = { name: 'awaiting-user' };
  loginFailures = 0;
  cwd = '/';
  type: 'ascii' | 'binary' = 'ascii';
  restart = 0;
  renameFrom: string | undefined = undefined;
  channel: DataChannel = noChannel;
  epsvAll = false;
  protection: DataProtection = 'unset';
  facts: readonly MlsxFact[] = mlsxFacts;
  readonly peerHost: string | undefined;

  private _decoder: CommandDecoder;
  private readonly _link: SessionLink;
  /** Commands run per read and per turn: past them, the rest wait for the next turn. */
  private readonly _turns: TurnBudget;
  private _phase: FtpSessionPhase = 'ready';
  private readonly _queue: CommandFrame[] = [];
  private _busy = false;
  private _transfer: Transfer | undefined = undefined;
  /** ABOR came during the transfer: its 226 follows the transfer's last reply. */
  private _aborting = false;
  private _since: number;

  constructor(
    readonly settings: SessionSettings,
    readonly connection: Connection,
  ) {
    this._decoder = new CommandDecoder({ maxLineLength: settings.maxLineLength });
    this._link = new SessionLink(connection, settings.clock, {
      received: this._received,
      pump: () => this._pump(),
      lost: () => this._lost(),
      expired: this._expired,
    });
    this._turns = new TurnBudget(settings.turns, connection, () => this._pump());
    this._since = settings.clock.seconds();
    this.peerHost = peerHost(connection.remoteAddress);
  }

  /** Where the session is. */
  get phase(): FtpSessionPhase {
    return this._phase;
  }

  /** CommandContext: whether a transfer runs now. */
  get transferring(): boolean {
    return this._transfer !== undefined;
  }

  /** CommandContext: whether the session is closing or closed. */
  get ending(): boolean {
    return this._phase === 'closing' || this._phase === 'closed';
  }

  /** Greets the client and starts reading commands. */
  start(): void {
    if (this._link.start(() => this.reply(220, this.settings.greeting))) this._update();
  }

  /** Session: takes no more commands, lets a transfer finish, then says 421 and closes. */
  drain(_deadline: number): Deferred<void> {
    return this._link.drain();
  }

  /** TransferHost and CommandContext: a reply on the control connection. */
  reply(code: number, text: string | readonly string[]): undefined {
    this.connection.write(formatReply(code, text));
    return undefined;
  }

  /** TransferHost: bytes moved; the data timeout counts from now. */
  progressed(): void {
    this._since = this.settings.clock.seconds();
    if (this._phase === 'transferring') this._updateDeadline();
  }

  /** CommandContext: the clock's time, as a Date. */
  now(): Date {
    return new Date(this.settings.clock.seconds() * 1000);
  }

  /** CommandContext: closes the data channel set up. */
  closeChannel(): void {
    const channel = this.channel;
    this.channel = noChannel;
    if (channel.kind === 'passive') channel.listener.close();
  }

  /** CommandContext: the TLS handshake after AUTH TLS; commands sent meanwhile in the clear are dropped. */
  secure(tls: SecureContext): void {
    // what the client sent after AUTH in the clear is dropped (no plaintext command injection)
    this._queue.length = 0;
    this._decoder = new CommandDecoder({ maxLineLength: this.settings.maxLineLength });
    this._phase = 'securing';
    this.connection.startTLS({ secureContext: tls }).addCallbacks(
      () => {
        if (this._phase !== 'securing') return;
        this._phase = 'ready';
        this.login = { name: 'awaiting-user' };
        this._pump();
      },
      (failure) => {
        const peer = formatAddress(this.connection.remoteAddress);
        log.info(`AUTH TLS failed with ${peer}: ${failure.value.message}`, { error: failure.value });
        this.connection.abort();
      },
    );
  }

  /**
   * CommandContext: runs a transfer on the data channel (which is used up), resolving once it has
   * answered; the passive listener closes after it.
   */
  transfer(payload: TransferPayload, mark: string): Promise<void> {
    const channel = this.channel;
    this.channel = noChannel;
    const settings = this.settings;
    const tls = this.protection === 'private' ? settings.tls : undefined;
    let transfer: Transfer;
    if (channel.kind === 'passive') {
      const open = channel.listener.connected;
      transfer = new Transfer(this, { connection: channel.listener.take(), open, mark, tls }, payload);
    } else if (channel.kind === 'active') {
      const connection = connectActive(settings.reactor, channel.target, settings.dataConnectTimeout);
      transfer = new Transfer(this, { connection, open: false, mark, tls }, payload);
    } else {
      if (payload.kind === 'receive') payload.upload.abort();
      else payload.release?.();
      this.reply(425, 'Use PORT or PASV first.');
      return Promise.resolve();
    }
    this._transfer = transfer;
    this._since = settings.clock.seconds();
    transfer.start();
    // ABOR or STAT that came while the command was being prepared act now
    for (const frame of this._queue.splice(0)) {
      if (!this.transferring || frame.type !== 'command' || !this._urgent(frame.verb, frame.argument)) {
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

  /** CommandContext: says `code text` (if given), then closes once it is flushed; a transfer is cut off. */
  close(code?: number, text?: string): undefined {
    if (this.ending) return undefined;
    this._transfer?.abort();
    this.closeChannel();
    if (code !== undefined) this.reply(code, text ?? '');
    this._phase = 'closing';
    this._since = this.settings.clock.seconds();
    this._queue.length = 0;
    this.connection.close();
    this._update();
    return undefined;
  }

  // --- the queue of commands

  private readonly _received = (chunk: Uint8Array): void => {
    if (this.ending) return;
    this._turns.renew();
    for (const frame of this._decoder.push(chunk)) {
      if (this.transferring && frame.type === 'command' && this._urgent(frame.verb, frame.argument)) {
        continue;
      }
      this._queue.push(frame);
    }
    this._pump();
  };

  /** ABOR and STAT during a transfer act at once (RFC 959 §4.1.3); true when the command was one. */
  private _urgent(verb: string, argument: string): boolean {
    if (verb === 'ABOR') {
      this._aborting = true;
      this._transfer!.abort();
      return true;
    }
    if (verb === 'STAT' && argument === '') {
      this.reply(211, statusLines(this));
      return true;
    }
    return false;
  }

  /** Runs the queued commands, one at a time, until one has to be waited for or the turn's budget is spent. */
  private _pump(): void {
    while (this._idle() && !this._link.draining && this._queue.length > 0 && this._turns.spend()) {
      const frame = this._queue.shift() as CommandFrame;
      this._since = this.settings.clock.seconds();
      let running: Promise<void> | undefined;
      try {
        running =
          frame.type === 'refused'
            ? this.reply(frame.error.reply, `${frame.error.message}.`)
            : runCommand(this, frame.verb, frame.argument);
      } catch (error) {
        this._failed(frame, error);
      }
      if (running !== undefined) {
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
      if (this._link.draining) this.close(421, 'Server shutting down.');
      else if (this._link.ended) this.close();
    }
    this._update();
  }

  /** Whether the session may take a command: none runs, no transfer, not securing or closing. */
  private _idle(): boolean {
    return !this._busy && !this.transferring && this._phase !== 'securing' && !this.ending;
  }

  private _settled(): void {
    this._busy = false;
    this._since = this.settings.clock.seconds();
    this._pump();
  }

  /** A command failed: the reply its error calls for (logged when unexpected). */
  private _failed(frame: CommandFrame, error: unknown): void {
    if (this.ending) return;
    const verb = frame.type === 'command' ? frame.verb : '';
    const [code, text] = commandFailureReply(verb, error);
    if (error instanceof FtpFileSystemError) {
      if (error.kind === 'io') log.warn(`${verb} failed: ${error.message}`, { error });
    } else if (code === 451) {
      const peer = formatAddress(this.connection.remoteAddress);
      log.error(`${verb || 'a command'} failed on the connection from ${peer}`, { error });
    }
    this.reply(code, text);
  }

  // --- closing and time

  private _lost(): void {
    this._phase = 'closed';
    this._turns.stop();
    this._queue.length = 0;
    this._transfer?.abort();
    this.closeChannel();
  }

  /** Sets the phase from the facts, pauses or resumes reading, and moves the deadline. */
  private _update(): void {
    const phase = this._phase;
    if (phase === 'closed') return;
    if (phase !== 'closing' && phase !== 'securing') {
      this._phase = this.transferring ? 'transferring' : this._busy ? 'running' : 'ready';
    }
    this._link.pauseReading(this._queue.length >= maxQueued);
    this._updateDeadline();
  }

  private _updateDeadline(): void {
    const settings = this.settings;
    const deadline = this._link.deadline;
    switch (this._phase) {
      case 'closed':
        return;
      case 'running':
        deadline.clear();
        return;
      case 'transferring': {
        const waiting = this._transfer?.state === 'connecting' || this._transfer?.state === 'securing';
        deadline.set(this._since + (waiting ? settings.dataConnectTimeout : settings.dataTimeout));
        return;
      }
      default:
        deadline.set(this._since + settings.idleTimeout);
    }
  }

  private readonly _expired = (): void => {
    switch (this._phase) {
      case 'ready':
        this.close(421, 'Timeout.');
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
