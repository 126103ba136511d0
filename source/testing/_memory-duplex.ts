/**
 * Two in-memory `stream.Duplex` ends wired to each other (private to `spindle/testing`): what
 * one end writes, the other reads. Bytes cross one turn of the event loop later, as on a real
 * socket, copied as they cross (as a kernel copies them: the peer never sees the writer's memory
 * again, which the writer may reuse once the write's callback fired), and with real backpressure: a write's callback waits until the other end's reader has
 * taken the chunk, so a reader that does not read fills its read buffer, then the writer's buffer,
 * and the writer's `write()` returns false until the reader reads again (then `'drain'`).
 *
 * `end()` finishes at once and delivers EOF to the peer one turn later, after the bytes before
 * it. `destroy()` after a finished `end()` is a clean close: the peer reads what is left, gets
 * EOF, then closes. `destroy()` without it, or with an error, is a reset: the peer is destroyed
 * with `ECONNRESET`. Writing to a peer that is gone fails with `EPIPE`.
 *
 * @module
 */
import { Duplex } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** What is moving between memory ends: tasks still queued, and a count of everything that moved. */
const traffic = { queued: 0, moves: 0 };

/** Runs `task` on the next turn of the event loop, counted as traffic. */
function later(task: () => void): void {
  traffic.queued++;
  setImmediate(() => {
    traffic.queued--;
    traffic.moves++;
    task();
  });
}

/** An error as Node's sockets report them (`read ECONNRESET`, `write EPIPE`). */
function socketError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Options of one memory end. */
export interface MemoryDuplexOptions {
  /** Bytes each of its read and write buffers holds before backpressure. Default 16 KiB. */
  highWaterMark?: number;
  /** Sees each chunk this end sends, as it crosses to the peer. */
  tap?: (chunk: Uint8Array) => void;
}

/**
 * One end of an in-memory connection; make them with `memoryDuplexPair`.
 *
 * @example
 * ```ts
 * const [a, b] = memoryDuplexPair();
 * b.on('data', (chunk) => console.log(String(chunk))); // 'hi', one turn later
 * a.write('hi');
 * ```
 */
export class MemoryDuplex extends Duplex {
  private _peer: MemoryDuplex = this;
  /** The callback of the peer's write whose chunk sits in our read buffer; called once we read on. */
  private _unread: (() => void) | undefined = undefined;
  private readonly _tap: ((chunk: Uint8Array) => void) | undefined;

  constructor(options: MemoryDuplexOptions = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024, allowHalfOpen: true });
    this._tap = options.tap;
  }

  /** Wires two ends to each other. */
  static link(a: MemoryDuplex, b: MemoryDuplex): void {
    a._peer = b;
    b._peer = a;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    later(() => {
      const peer = this._peer;
      if (this.destroyed) return;
      if (peer.destroyed) {
        callback(socketError('write EPIPE', 'EPIPE'));
        return;
      }
      const bytes = Buffer.from(chunk);
      this._tap?.(bytes);
      peer._unread = callback;
      peer.push(bytes);
    });
  }

  override _read(): void {
    const callback = this._unread;
    if (callback === undefined) return;
    this._unread = undefined;
    traffic.moves++;
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    later(() => {
      if (!this._peer.destroyed) this._peer.push(null);
    });
    // Finished at once (as a socket's end() is once the kernel has its FIN), not when the EOF has
    // crossed: under TLS, Node wraps this end in its JSStreamSocket, whose shutdown runs from
    // `end()` to this callback and which fails an internal assertion, crashing the process, if
    // TLS writes meanwhile. TLS writes when a record arrives, and records arrive on a later turn
    // of the event loop: finishing within this turn leaves none the time to.
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this._read(); // the peer's pending write goes nowhere now: let its writer go on
    const peer = this._peer;
    if (!peer.destroyed) {
      if (error !== null || !this.writableFinished)
        later(() => peer.destroy(socketError('read ECONNRESET', 'ECONNRESET')));
      else if (peer.readableEnded) peer.destroy();
      else peer.once('end', () => peer.destroy());
    }
    callback(error);
  }
}

/**
 * Two memory ends wired to each other: what `a` writes, `b` reads, and back.
 *
 * @example
 * ```ts
 * const [client, server] = memoryDuplexPair({ highWaterMark: 1024 });
 * ```
 */
export function memoryDuplexPair(
  a: MemoryDuplexOptions = {},
  b: MemoryDuplexOptions = a,
): [MemoryDuplex, MemoryDuplex] {
  const first = new MemoryDuplex(a);
  const second = new MemoryDuplex(b);
  MemoryDuplex.link(first, second);
  return [first, second];
}

/**
 * Waits, one turn of the event loop at a time, until nothing moves between memory ends for two
 * turns in a row (and the stream callbacks, `'drain'`, `'end'`, `'close'` … have run).
 *
 * @throws Error when traffic is still moving after `maxTurns` turns (two ends that keep talking).
 * @example
 * ```ts
 * client.write('ping'); await flushMemory(); // the server has read it, and replied
 * ```
 */
export async function flushMemory(maxTurns = 1000): Promise<void> {
  let quiet = 0;
  for (let turn = 0; turn < maxTurns; turn++) {
    const moves = traffic.moves;
    await nextTurn();
    if (traffic.queued === 0 && traffic.moves === moves) {
      quiet++;
      if (quiet === 2) return;
    } else {
      quiet = 0;
    }
  }
  throw new Error(`memory connections still busy after ${maxTurns} turns of the event loop`);
}
