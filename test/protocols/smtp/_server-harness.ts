/**
 * A harness for the SMTP server's tests: a server on a tracked virtual clock whose delivery hook
 * keeps each message in memory, and sessions played by the test over a `StringTransport`.
 *
 * @module
 */

import { type SmtpServer, type SmtpServerOptions, smtpServer } from '../../../protocols/smtp/server.js';
import type { SmtpMessage } from '../../../protocols/smtp/smtp-hooks.js';
import type { InetAddress } from '../../../source/address.js';
import type { Session } from '../../../source/protocol.js';
import { type Clock, connectedPair, StringTransport, trackedClock } from '../../../source/testing/index.js';

const open = new Set<StringTransport>();

/** Drops every session the harness opened (for `after.each`: a test leaves nothing open). */
export function closeAll(): void {
  for (const transport of open) transport.abort();
  open.clear();
}

/** The client's address. */
export const clientAddress: InetAddress = { type: 'tcp', host: '127.0.0.1', port: 40000, family: 'IPv4' };

/** A message the harness's delivery hook stored, with its text. */
export interface Stored {
  readonly message: SmtpMessage;
  readonly text: string;
}

/** A server on the virtual clock; `connect()` opens a session. */
export interface Harness {
  readonly clock: Clock;
  readonly app: SmtpServer;
  readonly stored: Stored[];
  connect(from?: InetAddress): Client;
}

/** Makes a harness: mail taken for example.com, delivered into `stored`, named mx.example. */
export function harness(options: Partial<SmtpServerOptions> = {}): Harness {
  const clock = trackedClock();
  const stored: Stored[] = [];
  const app = smtpServer({
    domains: ['example.com'],
    hostname: 'mx.example',
    clock,
    ...(options.maildir === undefined && {
      deliver: async (message) => {
        const bytes = await message.body.readAll();
        stored.push({ message, text: Buffer.from(bytes).toString('utf8') });
      },
    }),
    ...options,
  });
  return {
    clock,
    app,
    stored,
    connect: (from = clientAddress) => {
      const transport = new StringTransport({ allowHalfOpen: true, remoteAddress: from });
      open.add(transport);
      return new Client(transport, app.serve(transport));
    },
  };
}

/** Lets the hooks' promises settle. */
export async function settle(): Promise<void> {
  for (let n = 0; n < 5; n++) await new Promise((resolve) => setImmediate(resolve));
}

/** The test's end of a session: send text, read replies. */
export class Client {
  private _read = 0;

  constructor(
    readonly transport: StringTransport,
    readonly session: Session | undefined,
  ) {}

  /** Sends raw text, then lets the session work. */
  async send(text: string | Uint8Array): Promise<void> {
    this.transport.receive(text);
    await settle();
  }

  /** Sends one line (CR LF added) and returns the replies since the last call. */
  async command(line: string): Promise<string[]> {
    await this.send(`${line}\r\n`);
    return this.replies();
  }

  /** Waits for the disk (polling, 20 s at most) for a reply that starts with `prefix`; the replies since the last call. */
  async waitFor(prefix: string): Promise<string[]> {
    const replies: string[] = [];
    for (let turn = 0; turn < 4000; turn++) {
      replies.push(...this.replies());
      if (replies.some((reply) => reply.startsWith(prefix))) return replies;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no reply starting with ${prefix}: ${replies.join(' | ')}`);
  }

  /** The codes of `command(line)`'s replies. */
  async codes(line: string): Promise<number[]> {
    return (await this.command(line)).map((reply) => Number(reply.slice(0, 3)));
  }

  /** The replies written since the last call, each whole (a multi-line one's lines joined with `\n`). */
  replies(): string[] {
    const text = Buffer.concat(this.transport.writes.slice(this._read)).toString('utf8');
    this._read = this.transport.writes.length;
    return parseReplies(text);
  }
}

/** Whole replies out of a server's output. */
export function parseReplies(text: string): string[] {
  const replies: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    current.push(line);
    if (line[3] !== '-') {
      replies.push(current.join('\n'));
      current = [];
    }
  }
  return replies;
}

/**
 * A session over a memory pair (so that TLS can run on it): `send` writes and gives the whole
 * replies it brought, `codes` their codes.
 */
export function pairedSession(h: Harness) {
  const pair = connectedPair({ clientAddress, server: { allowHalfOpen: true } });
  h.app.serve(pair.server);
  let text = '';
  pair.client.data$.subscribe({
    next: (chunk) => (text += Buffer.from(chunk).toString()),
    error: () => undefined,
  });
  const take = (): string[] => {
    const replies = parseReplies(text);
    text = '';
    return replies;
  };
  return {
    client: pair.client,
    async send(data: string): Promise<string[]> {
      pair.client.write(data);
      await pair.flush();
      return take();
    },
    async codes(data: string): Promise<number[]> {
      return (await this.send(data)).map((reply) => Number(reply.slice(0, 3)));
    },
    async close(): Promise<void> {
      pair.client.abort();
      await pair.flush();
    },
  };
}
