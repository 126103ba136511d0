/**
 * A harness for the FTP server's tests: a server over a `MemoryFileSystem` on a `MemoryReactor`
 * with a tracked virtual clock, a control connection played by the test (a `StringTransport`),
 * its replies read back, and data connections made from any address.
 *
 * @module
 */

import { MemoryFileSystem } from '../../../protocols/ftp/memory-file-system.js';
import { type FtpReply, ReplyDecoder } from '../../../protocols/ftp/reply.js';
import { type FtpServer, type FtpServerOptions, ftpServer } from '../../../protocols/ftp/server.js';
import { ftpUsers } from '../../../protocols/ftp/users.js';
import type { InetAddress } from '../../../source/address.js';
import type { Connection } from '../../../source/connection.js';
import {
  type Clock,
  connectedPair,
  MemoryReactor,
  type MemoryServer,
  StringTransport,
  trackedClock,
} from '../../../source/testing/index.js';

/** The client's address on the control connection. */
export const clientAddress: InetAddress = { type: 'tcp', host: '127.0.0.1', port: 40000, family: 'IPv4' };
/** The server's address on the control connection. */
export const serverAddress: InetAddress = { type: 'tcp', host: '127.0.0.1', port: 21, family: 'IPv4' };

/** A server on the virtual clock and its files; `connect()` opens a control connection. */
export interface Harness {
  readonly clock: Clock;
  readonly reactor: MemoryReactor;
  readonly fs: MemoryFileSystem;
  readonly app: FtpServer;
  /** A new control connection (from `from`, default `clientAddress`), greeted. */
  connect(from?: InetAddress): Control;
}

/** Makes a harness: alice (password `secret`) may write, anonymous may read. */
export function harness(options: Partial<FtpServerOptions> = {}, fsOptions = {}): Harness {
  const clock = trackedClock();
  const reactor = new MemoryReactor({ clock });
  const fs = new MemoryFileSystem({ clock, ...fsOptions });
  const app = ftpServer({
    fileSystem: fs,
    reactor,
    checker: ftpUsers({ alice: { password: 'secret' } }),
    ...options,
  });
  return {
    clock,
    reactor,
    fs,
    app,
    connect: (from = clientAddress) => {
      const transport = new StringTransport({
        allowHalfOpen: true,
        remoteAddress: from,
        localAddress: serverAddress,
      });
      app.serve(transport);
      return new Control(transport, reactor);
    },
  };
}

/** The test's end of a control connection: send lines, read replies. */
export class Control {
  private readonly _decoder = new ReplyDecoder();
  private readonly _replies: FtpReply[] = [];
  private _read = 0;

  constructor(
    readonly transport: StringTransport,
    private readonly _reactor: MemoryReactor,
  ) {}

  /** Sends raw bytes, then lets the session work. */
  async send(text: string | Uint8Array): Promise<void> {
    this.transport.receive(text);
    await this._reactor.flush();
  }

  /** Sends one command line and returns the replies it (and anything pending) brought. */
  async command(line: string): Promise<FtpReply[]> {
    await this.send(`${line}\r\n`);
    return this.replies();
  }

  /** The replies written since the last call. */
  replies(): FtpReply[] {
    const writes = this.transport.writes;
    for (; this._read < writes.length; this._read++) this._decoder.push(writes[this._read]!, this._replies);
    return this._replies.splice(0);
  }

  /** The codes of `command(line)`'s replies. */
  async codes(line: string): Promise<number[]> {
    return (await this.command(line)).map((reply) => reply.code);
  }

  /** Logs in as alice (or `user`/`password`). */
  async login(user = 'alice', password = 'secret'): Promise<void> {
    this.replies();
    await this.command(`USER ${user}`);
    const [reply] = await this.command(`PASS ${password}`);
    if (reply?.code !== 230) throw new Error(`login failed: ${reply?.code} ${reply?.text}`);
  }

  /** EPSV; the port it names. */
  async passive(): Promise<number> {
    const [reply] = await this.command('EPSV');
    const found = /\(\|\|\|(\d+)\|\)/.exec(reply?.text ?? '');
    if (reply?.code !== 229 || found === null) throw new Error(`EPSV failed: ${reply?.code} ${reply?.text}`);
    return Number(found[1]);
  }
}

let nextPort = 50000;

/** A data connection to passive `port`, from `host` (default the control connection's client). */
export function dataConnection(reactor: MemoryReactor, port: number, host = clientAddress.host): Connection {
  const server = [...reactor.servers].find(
    (candidate: MemoryServer) =>
      candidate.boundAddress.type === 'tcp' && candidate.boundAddress.port === port,
  );
  if (server === undefined) throw new Error(`nothing listens on port ${port}`);
  const pair = connectedPair({
    clientAddress: { type: 'tcp', host, port: nextPort++, family: 'IPv4' },
    serverAddress: server.boundAddress,
  });
  server.accept(pair.server);
  return pair.client;
}

/** Everything a connection sends until it closes, as text. */
export function readAll(connection: Connection): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    connection.data$.subscribe({
      next: (chunk) => chunks.push(chunk),
      error: reject,
      complete: () => resolve(Buffer.concat(chunks).toString('utf8')),
    });
  });
}
