/**
 * `Peer`: one raw TCP client of the soak's load, over `node:net` (and `node:tls` once it starts
 * TLS), that can be everything a hostile or careless client is (reset, half-close, stall, never
 * read), with every wait bounded by the attempt's deadline.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** The server closed (FIN or reset) before what was waited for came. */
export class PeerClosed extends Error {
  constructor(
    readonly bytesIn: number,
    waiting: string,
  ) {
    super(`closed by the server after ${bytesIn} bytes, waiting for ${waiting}`);
  }
}

/** The attempt's deadline passed while waiting. */
export class PeerTimeout extends Error {
  constructor(waiting: string) {
    super(`no answer in time, waiting for ${waiting}`);
  }
}

/** The most unconsumed bytes a peer keeps; past it, the oldest are dropped (a waiter sees the rest). */
const keepBytes = 4 * 1024 * 1024;

/** The errors of a TLS handshake that mean the server closed or reset the connection. */
const closedCodes = new Set(['ECONNRESET', 'EPIPE']);

/**
 * A TCP client socket to 127.0.0.1 from a chosen local address. Received bytes pile up in a
 * buffer the waits consume; `serverClose` waits for the socket to go, whoever closed it.
 * `startTls` puts TLS over it: from then on the waits see the decrypted bytes.
 */
export class Peer {
  /** Bytes received in all (in TLS, the decrypted ones). */
  bytesIn = 0;
  /** What is read and written: the TCP socket, or the TLS socket over it. */
  private _socket: Socket;
  private _buffer: Buffer = Buffer.alloc(0);
  private _ended = false;
  private _wake: (() => void) | undefined;

  private constructor(private readonly _tcp: Socket) {
    this._socket = _tcp;
    this._read(_tcp);
  }

  /** Connects to `127.0.0.1:port` from `localAddress`; fails as `PeerClosed` if refused or reset. */
  static connect(port: number, localAddress: string, deadline: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new PeerTimeout('the connection'));
      }, deadline - Date.now());
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new Peer(socket));
      });
      socket.once('error', () => {
        clearTimeout(timer);
        socket.destroy();
        reject(new PeerClosed(0, 'the connection'));
      });
    });
  }

  /**
   * Starts TLS as the client (at once for HTTPS, or after STARTTLS, AUTH TLS or PROT P),
   * trusting `ca` for the name `localhost`.
   * @throws PeerClosed if the server closes or resets first, PeerTimeout past `deadline`, an
   * Error for any other failed handshake (a certificate not trusted, bytes in the clear before it).
   */
  async startTls(ca: Buffer, deadline: number): Promise<void> {
    if (this._buffer.length > 0) throw new Error(`${this._buffer.length} bytes in the clear before TLS`);
    const clear = this._socket;
    clear.removeAllListeners('data');
    clear.removeAllListeners('close');
    const secure = tlsConnect({ socket: clear, ca, servername: 'localhost' });
    this._socket = secure;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        secure.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new PeerTimeout('the TLS handshake')), deadline - Date.now());
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.removeAllListeners('error');
        secure.removeAllListeners('close');
        this._read(secure);
        resolve();
      });
      secure.once('error', (error: NodeJS.ErrnoException) =>
        fail(
          closedCodes.has(error.code ?? '')
            ? new PeerClosed(this.bytesIn, 'the TLS handshake')
            : new Error(`the TLS handshake failed: ${error.message}`),
        ),
      );
      secure.once('close', () => fail(new PeerClosed(this.bytesIn, 'the TLS handshake')));
    });
  }

  /** Whether the socket is gone (closed by either side). */
  get ended(): boolean {
    return this._ended;
  }

  /** The bytes received and not consumed yet. */
  get pending(): Buffer {
    return this._buffer;
  }

  write(data: string | Uint8Array): boolean {
    return !this._ended && this._socket.write(data);
  }

  /**
   * Writes, then waits for the socket's buffer to drain if it is full.
   * @throws PeerClosed if the server closes first, PeerTimeout past `deadline`.
   */
  async writeDrained(data: string | Uint8Array, deadline: number): Promise<void> {
    if (this.write(data)) return;
    await this._wait('the write buffer to drain', deadline, () => this._socket.writableLength === 0);
  }

  /** Sends FIN (in TLS, after its close_notify): the half-close. */
  end(): void {
    this._socket.end();
  }

  /** Stops reading: the kernel's buffers fill, then the server's writes back up. */
  stopReading(): void {
    this._socket.pause();
  }

  /** Resets the connection (RST), now: the TCP socket's, under TLS too. */
  reset(): void {
    if (!this._ended) this._tcp.resetAndDestroy();
  }

  /** Closes the socket, now, without waiting. */
  destroy(): void {
    this._socket.destroy();
    this._tcp.destroy();
  }

  /**
   * Waits until `match(pending)` gives a length, then consumes and returns that many bytes.
   * @throws PeerClosed if the server closes first, PeerTimeout past `deadline`.
   */
  async take(
    what: string,
    deadline: number,
    match: (pending: Buffer) => number | undefined,
  ): Promise<Buffer> {
    let length: number | undefined;
    await this._wait(what, deadline, () => {
      length = match(this._buffer);
      return length !== undefined;
    });
    const taken = this._buffer.subarray(0, length);
    this._buffer = this._buffer.subarray(length);
    return taken;
  }

  /** Takes exactly `count` bytes. */
  takeBytes(count: number, deadline: number): Promise<Buffer> {
    return this.take(`${count} bytes`, deadline, (pending) => (pending.length >= count ? count : undefined));
  }

  /** Takes everything through the first `marker`. */
  takeThrough(marker: string, deadline: number): Promise<Buffer> {
    return this.take(JSON.stringify(marker), deadline, (pending) => {
      const at = pending.indexOf(marker, 0, 'latin1');
      return at < 0 ? undefined : at + marker.length;
    });
  }

  /** Waits for the server to close the connection (what remains is left in `pending`). */
  async serverClose(deadline: number): Promise<void> {
    await this._wait('the server to close', deadline, () => this._ended, true);
  }

  /**
   * Returns once `done()` holds, checked at each received chunk, drain and close; a close is
   * what `endOk` waits for, else it throws PeerClosed; past `deadline`, PeerTimeout.
   */
  private async _wait(what: string, deadline: number, done: () => boolean, endOk = false): Promise<void> {
    for (;;) {
      if (done()) return;
      if (this._ended) {
        if (endOk) return;
        throw new PeerClosed(this.bytesIn, what);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new PeerTimeout(what);
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          this._socket.off('drain', finish);
          this._wake = undefined;
          resolve();
        };
        const timer = setTimeout(finish, left);
        this._socket.once('drain', finish);
        this._wake = finish;
      });
    }
  }

  /** Piles up what `socket` receives, and notes its close. */
  private _read(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      this._buffer = this._buffer.length === 0 ? chunk : Buffer.concat([this._buffer, chunk]);
      if (this._buffer.length > keepBytes) this._buffer = this._buffer.subarray(-keepBytes);
      this._notify();
    });
    socket.on('error', () => {}); // a reset is an ordinary end here; the waits tell it
    socket.once('close', () => {
      this._ended = true;
      this._notify();
    });
  }

  private _notify(): void {
    this._wake?.();
  }
}
