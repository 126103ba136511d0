/**
 * The client's control connection: command lines out, replies in, one reply per `next()`, a
 * deadline on every wait.
 *
 * @module
 */
import { isExpectedCode, ReplyChannel } from '../../source/_reply-channel.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection, TLSOptions } from '../../source/connection.js';
import type { Deferred } from '../../source/deferred.js';
import { ProtocolError, TimeoutError } from '../../source/errors.js';
import { FTPError } from './ftp-client-error.js';
import { type FtpReply, ReplyDecoder, type ReplyDecoderOptions } from './reply.js';

/**
 * The control connection of one client, over a `ReplyChannel` of FTP replies with one timeout
 * for every wait. `next()` is the next reply, in order (up to 16 that came before anybody asked
 * wait; one more is a ProtocolError); `command(line)` sends a line and is the reply to it. A
 * wait longer than `timeout` seconds, a reply the decoder cannot read, or the connection closing
 * fails every wait, now and later, and drops the connection: past any of them, replies can no
 * longer be matched to commands. So does a reply sent in the clear after the 234 to AUTH TLS
 * (`startTLS`).
 *
 * @example
 * ```ts
 * const control = new ControlChannel(connection, reactor, 30);
 * control.next().addCallback((greeting) => control.expect('USER anonymous', 230, 331));
 * ```
 */
export class ControlChannel {
  private readonly _channel: ReplyChannel<FtpReply>;

  constructor(
    readonly connection: Connection,
    clock: ReactorTime,
    private readonly _timeout: number,
    decoder: ReplyDecoderOptions = {},
  ) {
    this._channel = new ReplyChannel(connection, clock, {
      protocol: 'FTP',
      connectionName: 'control connection',
      decoder: () => new ReplyDecoder(decoder),
      maxUnasked: 16,
      replyError: (message) => new ProtocolError(message),
      timedOut: (seconds) =>
        new TimeoutError(`the FTP server sent no reply in ${seconds} seconds`, { seconds }),
    });
  }

  /** Why the channel closed, once it has. */
  get closedReason(): Error | undefined {
    return this._channel.closedReason;
  }

  /** Sends `line` (CR LF added) and gives the reply to it (maybe a preliminary 1xx one). */
  command(line: string): Deferred<FtpReply> {
    return this._channel.command(line, this._timeout, shownCommand(line));
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
    return this._channel.next(this._timeout);
  }

  /**
   * Turns the control connection to TLS, right after the server's 234 to AUTH TLS; fires once
   * the handshake is done. The handshake follows the 234 at once (RFC 4217 section 4), so a reply
   * already read after it came in the clear, where an attacker can write, and would answer the
   * first command sent over TLS: it fails the channel with ProtocolError, as RFC 3207 section 6
   * has SMTP's clients discard what came before the handshake. Part of a reply is dropped.
   */
  startTLS(options: TLSOptions): Deferred<void> {
    return this._channel.startTLS(options, 'AUTH TLS');
  }

  /** Drops the connection: every wait fails with `reason`. */
  fail(reason: Error): void {
    this._channel.fail(reason);
  }

  /** Closes the connection after what was written (QUIT's answer is in): no wait is pending. */
  close(): Deferred<void> {
    return this._channel.close();
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
  if (!isExpectedCode(reply.code, expected)) {
    throw new FTPError(reply, line === undefined ? undefined : shownCommand(line));
  }
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
