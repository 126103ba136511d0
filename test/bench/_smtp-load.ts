/**
 * The load generator of `smtp.ts`, one SMTP client of its own on node:net, in two modes:
 *
 * - `node _smtp-load.js rate PORT SESSIONS SECONDS`: SESSIONS sessions to 127.0.0.1:PORT, each
 *   EHLO, then MAIL, RCPT, DATA and a 10 KiB message again and again, one command at a time
 *   (no pipelining, for every server alike), until SECONDS have passed after a half-second
 *   warm-up; then each finishes its message and QUITs. Prints one line of JSON: `{ "messages"
 *   (250s after DATA while counting), "seconds", "rate", "accepted" (250s after DATA in all),
 *   "cpu" (its own CPU time while counting, as a fraction of one core) }`.
 * - `node _smtp-load.js big PORT BYTES`: one session sending one message of BYTES octets (lines
 *   of 998 octets, written as the socket drains); prints `{ "bytes", "seconds" }`.
 *
 * Every reply code is checked (220, 250, 354, 250, 221): any other ends the process with code 1.
 * Bounded: SESSIONS sessions, one message in flight on each, and an exit with code 2 if the run
 * is not done within SECONDS + 60.
 */
import { connect, type Socket } from 'node:net';

const [mode, port, third, fourth] = process.argv.slice(2) as [string, string, string, string?];
const limitSeconds = (mode === 'rate' ? Number(fourth) : 0) + 60;
setTimeout(() => {
  console.error(`smtp load: not done within ${limitSeconds} s`);
  process.exit(2);
}, limitSeconds * 1000).unref();

/** A message of exactly `bytes` octets (CR LF line ends, no line starting with a dot), without its end. */
function message(bytes: number): Buffer {
  const header = Buffer.from(
    'From: <load@client.test>\r\nTo: <user@example.test>\r\nSubject: bench\r\n' +
      'Message-ID: <bench@client.test>\r\n\r\n',
  );
  const out = Buffer.alloc(bytes, 'x');
  header.copy(out);
  for (let end = header.length + 998; end <= bytes - 4; end += 1000) out.write('\r\n', end);
  out.write('\r\n', bytes - 2);
  return out;
}

/** A session: one socket, replies read as lines, one expected code at a time. */
class Session {
  private _buffer = '';
  private _waiting: { code: number; resolve: () => void } | undefined;

  constructor(private readonly _socket: Socket) {
    _socket.setEncoding('latin1');
    _socket.on('data', (text: string) => this._read(text));
    _socket.on('error', (error) => fail(`socket: ${error.message}`));
  }

  /** Opens a session and waits for the 220 greeting. */
  static async open(): Promise<Session> {
    const socket = connect({ port: Number(port), host: '127.0.0.1', noDelay: true });
    const session = new Session(socket);
    await session.expect(220);
    return session;
  }

  /** Sends `data` (when given) and waits for the reply `code`. */
  async command(data: string | Buffer, code: number): Promise<void> {
    const reply = this.expect(code);
    if (!this._socket.write(data)) await new Promise((resolve) => this._socket.once('drain', resolve));
    await reply;
  }

  /** Waits for the next reply, which must have the code `code`. */
  expect(code: number): Promise<void> {
    return new Promise((resolve) => {
      this._waiting = { code, resolve };
      this._read('');
    });
  }

  get socket(): Socket {
    return this._socket;
  }

  private _read(text: string): void {
    this._buffer += text;
    for (let end = this._buffer.indexOf('\r\n'); end >= 0; end = this._buffer.indexOf('\r\n')) {
      const line = this._buffer.slice(0, end);
      this._buffer = this._buffer.slice(end + 2);
      if (line[3] === '-') continue; // a multi-line reply goes on
      const waiting = this._waiting;
      this._waiting = undefined;
      if (waiting === undefined) fail(`unexpected reply ${JSON.stringify(line)}`);
      else if (Number(line.slice(0, 3)) !== waiting.code)
        fail(`expected ${waiting.code}, got ${JSON.stringify(line)}`);
      else waiting.resolve();
    }
  }
}

function fail(why: string): never {
  console.error(`smtp load: ${why}`);
  process.exit(1);
}

/** Sends one message in the session: MAIL, RCPT, DATA, the text and its end. */
async function send(session: Session, text: Buffer): Promise<void> {
  await session.command('MAIL FROM:<load@client.test>\r\n', 250);
  await session.command('RCPT TO:<user@example.test>\r\n', 250);
  await session.command('DATA\r\n', 354);
  await session.command(text, 250);
}

async function quit(session: Session): Promise<void> {
  await session.command('QUIT\r\n', 221);
  session.socket.end();
}

if (mode === 'rate') {
  const sessions = await Promise.all(Array.from({ length: Number(third) }, () => Session.open()));
  for (const session of sessions) await session.command('EHLO client.test\r\n', 250);
  const text = Buffer.concat([message(10 * 1024), Buffer.from('.\r\n')]);
  let counting = false;
  let running = true;
  let messages = 0;
  let accepted = 0;
  const loops = sessions.map(async (session) => {
    while (running) {
      await send(session, text);
      accepted++;
      if (counting) messages++;
    }
    await quit(session);
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  counting = true;
  const start = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, Number(fourth) * 1000));
  counting = false;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { user, system } = process.cpuUsage(startCpu);
  const cpu = (user + system) / 1e6 / seconds;
  running = false;
  await Promise.all(loops);
  console.log(JSON.stringify({ messages, seconds, rate: messages / seconds, accepted, cpu }));
} else if (mode === 'big') {
  const bytes = Number(third);
  const session = await Session.open();
  await session.command('EHLO client.test\r\n', 250);
  const start = process.hrtime.bigint();
  await session.command('MAIL FROM:<load@client.test>\r\n', 250);
  await session.command('RCPT TO:<user@example.test>\r\n', 250);
  await session.command('DATA\r\n', 354);
  const text = message(bytes);
  const done = session.expect(250);
  for (let offset = 0; offset < bytes; offset += 64 * 1000) {
    if (!session.socket.write(text.subarray(offset, offset + 64 * 1000)))
      await new Promise((resolve) => session.socket.once('drain', resolve));
  }
  session.socket.write('.\r\n');
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await quit(session);
  console.log(JSON.stringify({ bytes, seconds }));
} else fail(`unknown mode ${mode}`);
process.exit(0);
