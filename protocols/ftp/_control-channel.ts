/**
 * The client's control connection: command lines out, replies in, one reply per `next()`, a
 * deadline on every wait.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import { Deadline } from '../../source/deadline.js';
import { Deferred, fail } from '../../source/deferred.js';
import { ConnectionDone, ProtocolError, TimeoutError } from '../../source/errors.js';
import { FTPError } from './ftp-client-error.js';
import { type FtpReply, ReplyDecoder, type ReplyDecoderOptions } from './reply.js';

/** Replies that may wait unasked for before the server counts as misbehaving. */
const maxUnread = 16;

/** Open, or closed for a reason that every wait from now on fails with. */
type ChannelState = { readonly type: 'open' } | { readonly type: 'closed'; readonly reason: Error };

const open: ChannelState = { type: 'open' };

/**
 * The control connection of one client. `next()` is the next reply, in order (a reply that came
 * before anybody asked waits, up to a few); `command(line)` sends a line and is the reply to it.
 * A wait longer than `timeout` seconds, a reply the decoder cannot read, or the connection
 * closing fails every wait, now and later, and drops the connection: past any of them, replies
 * can no longer be matched to commands.
 *
 * @example
 * ```ts
 * const control = new ControlChannel(connection, reactor, 30);
 * control.next().addCallback((greeting) => control.expect('USER anonymous', 230, 331));
 * ```
 */
export class ControlChannel {
  private _state: ChannelState = open;
  private readonly _decoder: ReplyDecoder;
  private readonly _unread: FtpReply[] = [];
  private readonly _waiting: Deferred<FtpReply>[] = [];
  private readonly _deadline: Deadline;
  private readonly _subscription: Subscription;
  private _delivering = false;

  constructor(
    readonly connection: Connection,
    private readonly _clock: ReactorTime,
    private readonly _timeout: number,
    decoder: ReplyDecoderOptions = {},
  ) {
    this._decoder = new ReplyDecoder(decoder);
    this._deadline = new Deadline(_clock, () =>
      this.fail(
        new TimeoutError(`the FTP server sent no reply in ${_timeout} seconds`, { seconds: _timeout }),
      ),
    );
    this._subscription = connection.data$.subscribe({
      next: (chunk) => this._received(chunk),
      error: (error: unknown) => this.fail(error as Error),
      complete: () => this.fail(new ConnectionDone('the FTP server closed the control connection')),
    });
    connection.closed.addCallback((reason) => this.fail(reason));
  }

  /** Why the channel closed, once it has. */
  get closedReason(): Error | undefined {
    return this._state.type === 'closed' ? this._state.reason : undefined;
  }

  /**
   * Sends one command line (CR LF added).
   *
   * @throws TypeError for a line with a CR or an LF in it: it would smuggle in a second command.
   */
  send(line: string): void {
    if (/[\r\n]/.test(line)) throw new TypeError('an FTP command cannot hold a CR or an LF');
    this.connection.write(`${line}\r\n`);
  }

  /** Sends `line` and gives the reply to it (maybe a preliminary 1xx one). */
  command(line: string): Deferred<FtpReply> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    try {
      this.send(line);
    } catch (error) {
      return fail(error);
    }
    return this.next();
  }

  /**
   * Sends `line` and gives its final reply, failing with `FTPError` unless its code is one of
   * `expected` (first digits: `2` for any 2xx, or whole codes).
   */
  expect(line: string, ...expected: number[]): Deferred<FtpReply> {
    return this.command(line).addCallback((reply) => check(reply, line, expected));
  }

  /** The next reply. */
  next(): Deferred<FtpReply> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    const waiter = new Deferred<FtpReply>();
    this._waiting.push(waiter);
    this._deliver();
    return waiter;
  }

  /** Drops the connection: every wait fails with `reason`. */
  fail(reason: Error): void {
    if (this._state.type === 'closed') return;
    this._state = { type: 'closed', reason };
    this._deadline.cancel();
    this._subscription?.unsubscribe();
    this.connection.abort();
    const waiting = this._waiting.splice(0);
    for (const waiter of waiting) waiter.errback(reason);
  }

  /** Closes the connection after what was written (QUIT's answer is in): no wait is pending. */
  close(): Deferred<void> {
    if (this._state.type === 'open') {
      this._state = { type: 'closed', reason: new ConnectionDone('the FTP client closed the connection') };
      this._deadline.cancel();
      this._subscription?.unsubscribe();
    }
    return this.connection.close();
  }

  private _received(chunk: Uint8Array): void {
    try {
      this._decoder.push(chunk, this._unread);
    } catch (error) {
      this._deliver();
      this.fail(error as Error);
      return;
    }
    if (this._unread.length > maxUnread) {
      this.fail(new ProtocolError(`the FTP server sent more than ${maxUnread} replies nobody asked for`));
      return;
    }
    this._deliver();
  }

  /** Hands waiting replies to waiting readers, in order; arms the deadline while a reader waits. */
  private _deliver(): void {
    if (this._delivering) return;
    this._delivering = true;
    try {
      while (this._waiting.length > 0 && this._unread.length > 0 && this._state.type === 'open') {
        this._waiting.shift()!.callback(this._unread.shift()!);
      }
    } finally {
      this._delivering = false;
    }
    if (this._state.type !== 'open') return;
    if (this._waiting.length > 0) this._deadline.set(this._clock.seconds() + this._timeout);
    else this._deadline.clear();
  }
}

/**
 * `reply`, if its code is one of `expected` (a single digit stands for its whole class), else an
 * `FTPError` thrown for `line` (none for the greeting).
 *
 * @example
 * ```ts
 * check(reply, 'CWD pub', [2]); // any 2xx, or FTPError
 * ```
 */
export function check(reply: FtpReply, line: string | undefined, expected: readonly number[]): FtpReply {
  const ok = expected.some((code) =>
    code < 10 ? Math.floor(reply.code / 100) === code : reply.code === code,
  );
  if (!ok) throw new FTPError(reply, line === undefined ? undefined : shownCommand(line));
  return reply;
}

/**
 * A command line as errors show it: a password never.
 *
 * @example
 * ```ts
 * shownCommand('PASS secret'); // 'PASS'
 * ```
 */
export function shownCommand(line: string): string {
  return /^pass\b/i.test(line) ? 'PASS' : line;
}
