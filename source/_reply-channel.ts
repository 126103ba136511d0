/**
 * `ReplyChannel`: what a line-based client (SMTP's, FTP's) does with its connection, whatever its
 * protocol: command lines out, replies in, matched in order to the waits for them, a deadline on
 * the one awaited, a cap on replies nobody asked for, the turn to TLS, and the end of it all.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import type { ReactorTime } from './clock.js';
import type { Connection, TLSOptions } from './connection.js';
import { Deadline } from './deadline.js';
import { Deferred, fail, succeed } from './deferred.js';
import { ConnectionDone } from './errors.js';

/**
 * The reading a channel needs: a sans-I/O decoder's `push`, appending the replies `chunk`
 * completes to `replies` and throwing, after them, at input it cannot read (SMTP's
 * `ReplyReader`, FTP's `ReplyDecoder`).
 *
 * @example
 * ```ts
 * const decoding: ReplyDecoding<FtpReply> = new ReplyDecoder({ maxLineLength: 1024 });
 * ```
 */
export interface ReplyDecoding<R> {
  push(chunk: Uint8Array, replies: R[]): unknown;
}

/**
 * What makes a `ReplyChannel` one protocol's: its name and decoder, its limit, and its errors.
 *
 * @example
 * ```ts
 * const parts: ReplyChannelParts<FtpReply> = {
 *   protocol: 'FTP',
 *   decoder: () => new ReplyDecoder(),
 *   maxUnasked: 16,
 *   replyError: (message) => new ProtocolError(message),
 *   timedOut: (seconds) => new TimeoutError(`the FTP server sent no reply in ${seconds} seconds`),
 * };
 * ```
 */
export interface ReplyChannelParts<R> {
  /** The protocol's name, as errors show it: `'SMTP'`. */
  readonly protocol: string;
  /** How errors name the connection. Default `'connection'`. */
  readonly connectionName?: string;
  /** A new decoder: the channel's first, and the one it reads TLS with after `startTLS`. */
  readonly decoder: () => ReplyDecoding<R>;
  /** The most replies that may wait unasked for; one more fails the channel with `replyError`. */
  readonly maxUnasked: number;
  /** The protocol's error for a server that does not keep to it. */
  readonly replyError: (message: string) => Error;
  /** The protocol's error for a wait of `seconds` that passed with no reply; `label` names the wait. */
  readonly timedOut: (seconds: number, label: string | undefined) => Error;
}

/** Open, or closed for a reason every wait from now on fails with. */
type ChannelState = { readonly type: 'open' } | { readonly type: 'closed'; readonly reason: Error };

const open: ChannelState = { type: 'open' };

/** A wait for a reply: its Deferred, how long it may take once awaited, and its name for errors. */
interface Wait<R> {
  readonly reply: Deferred<R>;
  readonly seconds: number;
  readonly label: string | undefined;
}

/**
 * One client connection of a line-based protocol. `send(lines)` writes command lines in one
 * write (several at once for pipelining); `next(seconds)` is the next reply, in order, failing
 * with the protocol's `timedOut` error if it takes longer than `seconds` from the moment it is
 * the one awaited (a wait behind another one is not timed yet). Replies that come before anybody
 * asks wait, up to `maxUnasked`.
 *
 * A reply the decoder cannot read, one reply too many, a timeout, the peer's FIN or the
 * connection's loss fails every wait, now and later, and drops the connection: past any of them
 * replies can no longer be matched to commands. So does a reply read in the clear after the one
 * `startTLS` follows. `close()` is the clean end. Cancelling a wait does not take it out of line:
 * the server still owes that reply, which is dropped when it comes.
 *
 * @example
 * ```ts
 * const channel = new ReplyChannel(connection, reactor, parts);
 * channel.next(300, 'the greeting').addCallback(() => channel.command('EHLO client.test', 300));
 * ```
 */
export class ReplyChannel<R> {
  private _state: ChannelState = open;
  private _decoder: ReplyDecoding<R>;
  /** Replies read that nobody has asked for yet, oldest first: held only while no wait is. */
  private readonly _unasked: R[] = [];
  /** The replies of the chunk being read that are not handed out yet, oldest first. */
  private readonly _reading: R[] = [];
  /** The waits not answered yet, oldest first: the first is the one awaited. */
  private readonly _waits: Wait<R>[] = [];
  /** The wait the deadline is timing. */
  private _timed: Wait<R> | undefined = undefined;
  private readonly _deadline: Deadline;
  private readonly _subscription: Subscription | undefined;

  constructor(
    readonly connection: Connection,
    protected readonly clock: ReactorTime,
    private readonly _parts: ReplyChannelParts<R>,
  ) {
    this._decoder = _parts.decoder();
    this._deadline = new Deadline(clock, () => this._expired());
    const { protocol, connectionName = 'connection' } = _parts;
    // The end of `data$` (the peer's FIN, a reset, our own abort) is the end of the channel; so
    // is `closed`, which the Connection interface does not promise to fire only after `data$` ends.
    this._subscription = connection.data$.subscribe({
      next: (chunk) => this._received(chunk),
      error: (error: unknown) => this.fail(error as Error),
      complete: () => this.fail(new ConnectionDone(`the ${protocol} server closed the ${connectionName}`)),
    });
    connection.closed.addCallback((reason) => this.fail(reason));
  }

  /** Why the channel closed, once it has. */
  get closedReason(): Error | undefined {
    return this._state.type === 'closed' ? this._state.reason : undefined;
  }

  /** Replies read that nobody has asked for yet. */
  get unasked(): number {
    return this._unasked.length;
  }

  /**
   * Writes command lines, CR LF after each, in one write.
   *
   * @throws TypeError for a line with a CR or an LF in it: it would smuggle in another command.
   */
  send(lines: readonly string[]): void {
    if (lines.some((line) => /[\r\n]/.test(line))) {
      throw new TypeError(`an ${this._parts.protocol} command cannot hold a CR or an LF`);
    }
    this.connection.write(`${lines.join('\r\n')}\r\n`);
  }

  /** The next reply, given `seconds` once it is the one awaited; `label` names it in errors. */
  next(seconds: number, label?: string): Deferred<R> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    if (this._unasked.length > 0) return succeed(this._unasked.shift()!);
    const wait: Wait<R> = { reply: new Deferred<R>(), seconds, label };
    this._waits.push(wait);
    this._guard();
    return wait.reply;
  }

  /** Sends `line` and gives the reply to it; `label` names it in errors. */
  command(line: string, seconds: number, label = line): Deferred<R> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    try {
      this.send([line]);
    } catch (error) {
      return fail(error);
    }
    return this.next(seconds, label);
  }

  /** Drops the connection: every wait fails with `reason`. */
  fail(reason: Error): void {
    this._end(reason, 'abort');
  }

  /** Closes the connection after what was written; a wait still pending fails. Fires once closed. */
  close(): Deferred<void> {
    this._end(new ConnectionDone(`the ${this._parts.protocol} client closed the connection`), 'close');
    return this.connection.close();
  }

  /**
   * Turns the connection to TLS, right after the server's reply to `command` said to go ahead
   * (SMTP's 220 to STARTTLS, FTP's 234 to AUTH TLS), and fires once the handshake is done. The
   * handshake follows that reply at once (RFC 3207 section 4, RFC 4217 section 4), so a server
   * that keeps to its protocol sends nothing in between: whatever came after the reply came in
   * the clear, where an active attacker can write, and nothing read before the handshake may be
   * trusted after it (RFC 3207 section 6; seen from the client, the CVE-2011-0411 class).
   *
   * A whole reply already read, asked for or not, fails the channel with the protocol's
   * `replyError`: kept, it would answer the first command sent over TLS. That includes a reply
   * later in the same chunk as the go-ahead, which is still waiting to be handed out while the
   * go-ahead's callback runs and calls this. The part of a reply the decoder holds is dropped
   * with that decoder: the channel reads TLS with a new one.
   */
  startTLS(options: TLSOptions, command: string): Deferred<void> {
    if (this._state.type === 'closed') return fail(this._state.reason);
    if (this._unasked.length > 0 || this._reading.length > 0) {
      const error = this._parts.replyError(
        `the ${this._parts.protocol} server sent replies in the clear after its reply to ${command}`,
      );
      this.fail(error);
      return fail(error);
    }
    this._decoder = this._parts.decoder();
    return this.connection.startTLS(options);
  }

  private _end(reason: Error, how: 'abort' | 'close'): void {
    if (this._state.type === 'closed') return;
    this._state = { type: 'closed', reason };
    this._deadline.cancel();
    this._timed = undefined;
    this._subscription?.unsubscribe();
    this._unasked.length = 0;
    this._reading.length = 0;
    if (how === 'abort') this.connection.abort();
    for (const wait of this._waits.splice(0)) wait.reply.errback(reason);
  }

  /**
   * Hands the replies `chunk` completes to their waits, in order; a bad one fails the channel
   * after them. They wait in `_reading` meanwhile, where `startTLS` sees them, and where ending
   * the channel (a wait's callback may) drops them.
   */
  private _received(chunk: Uint8Array): void {
    let failure: Error | undefined;
    try {
      this._decoder.push(chunk, this._reading);
    } catch (error) {
      failure = error as Error;
    }
    while (this._reading.length > 0) {
      if (!this._deliver(this._reading.shift()!)) {
        const { protocol, maxUnasked } = this._parts;
        failure = this._parts.replyError(
          `the ${protocol} server sent more than ${maxUnasked} replies nobody asked for`,
        );
        break;
      }
    }
    if (failure !== undefined) this.fail(failure);
  }

  /** Hands `reply` to the wait awaiting it, or keeps it for the next one; false when too many are kept. */
  private _deliver(reply: R): boolean {
    const wait = this._waits.shift();
    if (wait === undefined) {
      if (this._unasked.length >= this._parts.maxUnasked) return false;
      this._unasked.push(reply);
      return true;
    }
    this._guard();
    wait.reply.callback(reply);
    return true;
  }

  /** Points the deadline at the first wait, timed from now if it has just become the one awaited. */
  private _guard(): void {
    const head = this._waits[0];
    if (head === this._timed) return;
    this._timed = head;
    if (head === undefined) this._deadline.clear();
    else this._deadline.set(this.clock.seconds() + head.seconds);
  }

  private _expired(): void {
    const timed = this._timed;
    if (timed !== undefined) this.fail(this._parts.timedOut(timed.seconds, timed.label));
  }
}

/**
 * Whether a reply `code` is one of `expected`: a whole code, or a single digit standing for its
 * class (`2` for any 2xx).
 *
 * @example
 * ```ts
 * isExpectedCode(250, [2]); // true
 * isExpectedCode(251, [250]); // false
 * ```
 */
export function isExpectedCode(code: number, expected: readonly number[]): boolean {
  return expected.some((one) => (one < 10 ? Math.floor(code / 100) === one : code === one));
}
