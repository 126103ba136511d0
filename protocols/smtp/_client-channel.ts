/**
 * `CommandChannel`: the SMTP client's side of a connection: command lines out (several in one
 * write, for PIPELINING), replies in, matched in order, each wait on its own timer.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import type { ReactorTime } from '../../source/clock.js';
import type { Connection, TLSOptions } from '../../source/connection.js';
import { Deadline } from '../../source/deadline.js';
import { type Deferred, fail } from '../../source/deferred.js';
import { DeferredQueue } from '../../source/deferred-queue.js';
import { ConnectionDone, TimeoutError } from '../../source/errors.js';
import { type ReplyLimits, ReplyReader } from './_client-replies.js';
import { type ServerReply, SMTPError, SMTPReplyError } from './smtp-error.js';

/** Replies that may arrive unasked for before the server counts as misbehaving. */
const maxUnread = 8;

/** A wait for a reply: the queue's Deferred, how long it may take, and what it answers (for errors). */
interface Waiter {
  readonly reply: Deferred<ServerReply>;
  readonly seconds: number;
  readonly command: string;
}

/** What the one timer guards now: the first waiter's reply, a full write buffer, or nothing. */
type Guarding =
  | { readonly type: 'idle' }
  | { readonly type: 'reply'; readonly waiter: Waiter }
  | { readonly type: 'drain'; readonly seconds: number };

/** Open, or closed for a reason every wait from now on fails with. */
type ChannelState = { readonly type: 'open' } | { readonly type: 'closed'; readonly reason: Error };

/**
 * One SMTP client connection. `send(lines)` writes command lines in one write; `reply(seconds,
 * command)` is the next reply, in order, failing with TimeoutError if it takes longer than
 * `seconds` from the moment it is the one awaited (RFC 5321 section 4.5.3.2 times each reply).
 * A reply the reader cannot read, too many replies nobody asked for, the connection closing or
 * a timeout fails every wait, now and later, and drops the connection.
 *
 * @example
 * ```ts
 * const channel = new CommandChannel(connection, reactor);
 * channel.reply(300, 'greeting').addCallback(() => channel.command('EHLO client.test', 300));
 * ```
 */
export class CommandChannel {
  private _state: ChannelState = { type: 'open' };
  private _reader: ReplyReader;
  /** Replies read and not asked for yet, or asks not answered yet: a queue matches them in order. */
  private readonly _replies = new DeferredQueue<ServerReply>({ size: maxUnread });
  /** The asks still waiting, oldest first, for their timers and for failing them. */
  private readonly _waiting: Waiter[] = [];
  private readonly _deadline: Deadline;
  private _guarding: Guarding = { type: 'idle' };
  private readonly _subscription: Subscription;

  constructor(
    readonly connection: Connection,
    private readonly _clock: ReactorTime,
    private readonly _limits: ReplyLimits = {},
  ) {
    this._reader = new ReplyReader(_limits);
    this._deadline = new Deadline(_clock, () => this._expired());
    // The end of `data$` (the peer's FIN, a reset, our own abort) is the end of the channel.
    const lost = (error: unknown) => this.fail(error as Error);
    const ended = () => lost(new ConnectionDone('the SMTP server closed the connection'));
    this._subscription = connection.data$.subscribe({
      next: (chunk) => this._received(chunk),
      error: lost,
      complete: ended,
    });
  }

  /** Why the channel closed, once it has. */
  get closedReason(): Error | undefined {
    return this._state.type === 'closed' ? this._state.reason : undefined;
  }

  /**
   * Writes command lines, CR LF after each, in one write.
   *
   * @throws TypeError for a line with a CR or an LF in it: it would smuggle in another command.
   */
  send(lines: readonly string[]): void {
    if (lines.some((line) => /[\r\n]/.test(line))) {
      throw new TypeError('an SMTP command cannot hold a CR or an LF');
    }
    this.connection.write(`${lines.join('\r\n')}\r\n`);
  }

  /** The next reply, given `seconds` once it is the one awaited; `command` names it in errors. */
  reply(seconds: number, command: string): Deferred<ServerReply> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    const reply = this._replies.get();
    if (reply.called) return reply;
    const waiter: Waiter = { reply, seconds, command };
    this._waiting.push(waiter);
    this._guard();
    return reply.addCallback((answer) => {
      this._waiting.shift();
      this._guard();
      return answer;
    });
  }

  /** Sends `line` and gives the reply to it; `shown` is the line as errors show it. */
  command(line: string, seconds: number, shown = line): Deferred<ServerReply> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    try {
      this.send([line]);
    } catch (error) {
      return fail(error);
    }
    return this.reply(seconds, shown);
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
    if (this._state.type === 'closed') return fail(this._state.reason);
    const drained = this.connection.drained();
    if (drained.called) return drained;
    this._guarding = { type: 'drain', seconds };
    this._deadline.set(this._clock.seconds() + seconds);
    return drained.addCallback(() => {
      this._guarding = { type: 'idle' };
      this._guard();
    });
  }

  /**
   * Upgrades the connection to TLS, right after the server's 220 to STARTTLS. A reply already
   * read past that one was sent in the clear after it (an attacker's, RFC 3207 section 6): the
   * channel fails; a partial line is dropped with the reader.
   */
  startTLS(options: TLSOptions): Deferred<void> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    if (this._replies.pending > 0) {
      const error = new SMTPReplyError('the server sent replies in the clear after its STARTTLS reply');
      this.fail(error);
      return fail(error);
    }
    this._reader = new ReplyReader(this._limits);
    return this.connection.startTLS(options);
  }

  /** Drops the connection: every wait fails with `reason`. */
  fail(reason: Error): void {
    if (this._state.type === 'closed') return;
    this._state = { type: 'closed', reason };
    this._deadline.cancel();
    this._subscription?.unsubscribe();
    this.connection.abort();
    for (const waiter of this._waiting.splice(0)) {
      if (!waiter.reply.called) waiter.reply.errback(reason); // not one cancelled already
    }
  }

  /**
   * Says QUIT, waits up to `seconds` for the answer, and closes; fires once closed, whatever
   * the server said (the channel's failure included).
   */
  quit(seconds: number): Deferred<void> {
    return this.command('QUIT', seconds).addBoth(() => {
      if (this._state.type === 'open') {
        this._state = { type: 'closed', reason: new ConnectionDone('the SMTP client closed the connection') };
        this._deadline.cancel();
        this._subscription.unsubscribe();
      }
      return this.connection.close();
    });
  }

  /** Queues the replies `chunk` completes (handing each to its waiter); a bad one fails the channel. */
  private _received(chunk: Uint8Array): void {
    const replies: ServerReply[] = [];
    let failure: Error | undefined;
    try {
      this._reader.push(chunk, replies);
    } catch (error) {
      failure = error as Error;
    }
    for (const reply of replies) {
      if (this._state.type !== 'open') return;
      if (this._replies.pending === maxUnread) {
        failure = new SMTPReplyError(`the SMTP server sent more than ${maxUnread} replies nobody asked for`);
        break;
      }
      this._replies.put(reply);
    }
    if (failure !== undefined) this.fail(failure);
  }

  /** Points the timer at the first waiter, if it is not already timing it. */
  private _guard(): void {
    const head = this._waiting[0];
    const guarding = this._guarding;
    if (head === undefined) {
      if (guarding.type === 'reply') {
        this._guarding = { type: 'idle' };
        this._deadline.clear();
      }
      return;
    }
    if (guarding.type === 'reply' && guarding.waiter === head) return;
    if (guarding.type === 'drain') return;
    this._guarding = { type: 'reply', waiter: head };
    this._deadline.set(this._clock.seconds() + head.seconds);
  }

  private _expired(): void {
    const guarding = this._guarding;
    const [what, seconds] =
      guarding.type === 'reply'
        ? [`no reply to ${guarding.waiter.command}`, guarding.waiter.seconds]
        : guarding.type === 'drain'
          ? ['the message data did not drain', guarding.seconds]
          : ['nothing', 0];
    this.fail(new TimeoutError(`SMTP: ${what} in ${seconds} seconds`, { seconds }));
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
  const ok = expected.some((code) =>
    code < 10 ? Math.floor(reply.code / 100) === code : reply.code === code,
  );
  if (!ok) throw new SMTPError(reply, command);
  return reply;
}
