/**
 * `ReplyChannel`: what a line-based client (SMTP's, FTP's) does with its connection, whatever its
 * protocol: command lines out, replies in, matched in order to the waits for them, a deadline on
 * the one awaited, a cap on replies nobody asked for, and the end of it all.
 *
 * @module
 */
import type { Subscription } from 'rxjs';
import type { ReactorTime } from './clock.js';
import type { Connection } from './connection.js';
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
  /** A new decoder: the channel's first, and each one `restartDecoder` asks for. */
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
 * replies can no longer be matched to commands. `close()` is the clean end. Cancelling a wait
 * does not take it out of line: the server still owes that reply, which is dropped when it comes.
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
   * Reads on with a new decoder, dropping a reply the old one had read part of: for a connection
   * turning to TLS, where nothing sent in the clear may pass for what comes after.
   */
  protected restartDecoder(): void {
    this._decoder = this._parts.decoder();
  }

  private _end(reason: Error, how: 'abort' | 'close'): void {
    if (this._state.type === 'closed') return;
    this._state = { type: 'closed', reason };
    this._deadline.cancel();
    this._timed = undefined;
    this._subscription?.unsubscribe();
    this._unasked.length = 0;
    if (how === 'abort') this.connection.abort();
    for (const wait of this._waits.splice(0)) wait.reply.errback(reason);
  }

  /** Hands the replies `chunk` completes to their waits, in order; a bad one fails the channel after them. */
  private _received(chunk: Uint8Array): void {
    const replies: R[] = [];
    let failure: Error | undefined;
    try {
      this._decoder.push(chunk, replies);
    } catch (error) {
      failure = error as Error;
    }
    for (const reply of replies) {
      if (this._state.type !== 'open') return; // a wait's callback ended the channel
      if (!this._deliver(reply)) {
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
