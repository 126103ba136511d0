/**
 * `CommandChannel`: the SMTP client's side of a connection: command lines out (several in one
 * write, for PIPELINING), replies in, matched in order, each wait on its own timer.
 *
 * @module
 */
import { isExpectedCode, ReplyChannel } from '../../source/_reply-channel.js';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection } from '../../source/connection.js';
import { type Deferred, fail } from '../../source/deferred.js';
import { TimeoutError } from '../../source/errors.js';
import { type ReplyLimits, ReplyReader } from './_client-replies.js';
import { type ServerReply, SMTPError, SMTPReplyError } from './smtp-error.js';

/**
 * One SMTP client connection, a `ReplyChannel` of SMTP replies: `send(lines)` writes command
 * lines in one write; `next(seconds, command)` is the next reply, in order, failing with
 * TimeoutError if it takes longer than `seconds` from the moment it is the one awaited (RFC 5321
 * section 4.5.3.2 times each reply). Up to 8 replies may come unasked for; one more is an
 * SMTPReplyError, as is a reply sent in the clear after the 220 to STARTTLS (`startTLS(options,
 * 'STARTTLS')`, RFC 3207 section 6). What is SMTP's own: `expect`, the guard on a full write
 * buffer (`drained`), and QUIT.
 *
 * @example
 * ```ts
 * const channel = new CommandChannel(connection, reactor);
 * channel.next(300, 'the greeting').addCallback(() => channel.command('EHLO client.test', 300));
 * ```
 */
export class CommandChannel extends ReplyChannel<ServerReply> {
  constructor(connection: Connection, clock: ReactorTime, limits: ReplyLimits = {}) {
    super(connection, clock, {
      protocol: 'SMTP',
      decoder: () => new ReplyReader(limits),
      maxUnasked: 8,
      replyError: (message) => new SMTPReplyError(message),
      timedOut: (seconds, command) =>
        new TimeoutError(`SMTP: no reply to ${command} in ${seconds} seconds`, { seconds }),
    });
  }

  /**
   * Sends `line` and gives its reply if its code is in `expected` (a single digit standing for
   * its class), else fails with SMTPError.
   */
  expect(line: string, seconds: number, expected: readonly number[], shown = line): Deferred<ServerReply> {
    return this.command(line, seconds, shown).addCallback((reply) => check(reply, shown, expected));
  }

  /** Fires once the write buffer drains, failing the channel if that takes over `seconds`. */
  drained(seconds: number): Deferred<void> {
    const closed = this.closedReason;
    if (closed !== undefined) return fail(closed);
    const drained = this.connection.drained();
    if (drained.called) return drained;
    // The channel failing aborts the connection, which fires `drained` and so cancels the timer.
    const timer = this.clock.callLater(seconds, () =>
      this.fail(new TimeoutError(`SMTP: the message data did not drain in ${seconds} seconds`, { seconds })),
    );
    return drained.addCallback(() => {
      if (timer.active()) timer.cancel();
    });
  }

  /**
   * Says QUIT, waits up to `seconds` for the answer, and closes; fires once closed, whatever
   * the server said (the channel's failure included).
   */
  quit(seconds: number): Deferred<void> {
    return this.command('QUIT', seconds).addBoth(() => this.close());
  }
}

/**
 * `reply` if its code is one of `expected` (a single digit stands for its class), else an
 * SMTPError thrown for `command`.
 *
 * @example
 * ```ts
 * check(reply, 'MAIL FROM:<a@b.test>', [2]);
 * ```
 */
export function check(
  reply: ServerReply,
  command: string | undefined,
  expected: readonly number[],
): ServerReply {
  if (!isExpectedCode(reply.code, expected)) throw new SMTPError(reply, command);
  return reply;
}
