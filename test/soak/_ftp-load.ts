/**
 * The soak's FTP clients, against `ftpServer` over a temporary root (`hello.txt`, `big.bin`,
 * and `uploads/` that the user `soak` may write): downloads, listings and uploads over passive
 * data connections (each 226 after STOR counted, to be found on disk), an upload read back in TLS
 * (AUTH TLS, PROT P), a half-close after QUIT, resets mid-download and mid-upload, an idle session
 * and a stall in the AUTH TLS handshake (both cut by the idle timeout) and a download never read
 * (abandoned).
 */
import { randomBytes } from 'node:crypto';
import { type Attempt, type Behaviour, wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';
import { commands, converse, type Exchange, expectReply, quit, readReply } from './_replies.js';

/** The files the soak's FTP root holds, and their sizes. */
export const ftpFiles = { 'hello.txt': 'hello from the soak\n', bigSize: 2 * 1024 * 1024 } as const;

/** An anonymous login, the password naming `who`. */
const anonymous = (who: string): Exchange[] => [
  ['USER anonymous', 331],
  [`PASS ${who}@soak.test`, 230],
];

/** The login of `soak`, who may write to uploads/. */
const soakLogin: Exchange[] = [
  ['USER soak', 331],
  ['PASS soak', 230],
];

/** A control connection, logged in (anonymous: read-only; `soak`: may write) in binary mode. */
async function session(attempt: Attempt, user: 'anonymous' | 'soak'): Promise<Peer> {
  const control = await attempt.connect();
  const login = user === 'soak' ? soakLogin : anonymous('load');
  await converse(control, attempt.deadline, [...login, ['TYPE I', 200]]);
  return control;
}

/** Starts a transfer: a passive data connection, then `command` and its 150 (or 125). */
async function transfer(attempt: Attempt, control: Peer, command: string): Promise<Peer> {
  const data = await dataConnection(attempt, control);
  await startTransfer(attempt, control, command);
  return data;
}

/** EPSV, then a data connection to the port it names. */
async function dataConnection(attempt: Attempt, control: Peer): Promise<Peer> {
  control.write('EPSV\r\n');
  const reply = await expectReply(control, attempt.deadline, 229, 'EPSV');
  const port = Number(/\(\|\|\|(\d+)\|\)/.exec(reply.text)?.[1]);
  if (!(port > 0)) throw wrongAnswer(`EPSV named no port: ${reply.text}`);
  return attempt.connect({ port });
}

/** Sends `command` for a transfer and reads its 150 (or 125). */
async function startTransfer(attempt: Attempt, control: Peer, command: string): Promise<void> {
  control.write(`${command}\r\n`);
  const reply = await readReply(control, attempt.deadline);
  if (reply.code !== 150 && reply.code !== 125)
    throw wrongAnswer(`${reply.code} ${reply.text} for ${command}`);
}

/** Downloads `name` whole: its bytes, after the 226. */
async function download(attempt: Attempt, control: Peer, name: string): Promise<Buffer> {
  const data = await transfer(attempt, control, `RETR ${name}`);
  await data.serverClose(attempt.deadline);
  await expectReply(control, attempt.deadline, 226, `RETR ${name}`);
  return data.pending;
}

/** A cut transfer's last reply: 426, or 226 when the server had it all (or saw the reset as an end). */
async function finalReply(attempt: Attempt, control: Peer, after: string): Promise<number> {
  const reply = await readReply(control, attempt.deadline);
  if (reply.code !== 426 && reply.code !== 226)
    throw wrongAnswer(`${reply.code} ${reply.text} after ${after}`);
  return reply.code;
}

/** Sends `bytes` on a data connection in pieces, then FIN: the end of the file. */
async function upload(attempt: Attempt, data: Peer, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += 32 * 1024)
    await data.writeDrained(bytes.subarray(at, at + 32 * 1024), attempt.deadline);
  data.end();
}

/** A fresh name under uploads/. */
const uploadName = () => `uploads/${randomBytes(8).toString('hex')}.bin`;

export const ftpBehaviours: readonly Behaviour[] = [
  {
    name: 'ftp downloads and a listing',
    weight: 30,
    async run(attempt) {
      const control = await session(attempt, 'anonymous');
      const small = await download(attempt, control, 'hello.txt');
      if (small.toString() !== ftpFiles['hello.txt']) throw wrongAnswer('hello.txt');
      if (attempt.random() < 0.3) {
        const big = await download(attempt, control, 'big.bin');
        if (big.length !== ftpFiles.bigSize) throw wrongAnswer(`big.bin in ${big.length} bytes`);
      }
      const data = await transfer(attempt, control, 'LIST');
      await data.serverClose(attempt.deadline);
      await expectReply(control, attempt.deadline, 226, 'LIST');
      if (!data.pending.toString().includes('hello.txt')) throw wrongAnswer('a listing without hello.txt');
      await quit(control, attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'ftp upload',
    weight: 20,
    async run(attempt) {
      const control = await session(attempt, 'soak');
      const data = await transfer(attempt, control, `STOR ${uploadName()}`);
      await upload(attempt, data, randomBytes(attempt.between(0, 256 * 1024)));
      await expectReply(control, attempt.deadline, 226, 'STOR');
      attempt.tally.stored++;
      await quit(control, attempt.deadline);
      return 'answered';
    },
  },
  {
    // The server sends its mark (150) before the data connection's handshake, as vsftpd does.
    name: 'ftp in TLS: an upload read back',
    weight: 20,
    async run(attempt) {
      const control = await attempt.connect();
      await converse(control, attempt.deadline, [['AUTH TLS', 234]]);
      await attempt.startTls(control);
      await commands(control, attempt.deadline, [
        ...soakLogin,
        ['PBSZ 0', 200],
        ['PROT P', 200],
        ['TYPE I', 200],
      ]);
      const name = uploadName();
      const bytes = randomBytes(attempt.between(0, 256 * 1024));
      const up = await transfer(attempt, control, `STOR ${name}`);
      await attempt.startTls(up);
      await upload(attempt, up, bytes);
      await expectReply(control, attempt.deadline, 226, 'STOR in TLS');
      attempt.tally.stored++;
      const down = await transfer(attempt, control, `RETR ${name}`);
      await attempt.startTls(down);
      await down.serverClose(attempt.deadline);
      await expectReply(control, attempt.deadline, 226, 'RETR in TLS');
      if (!down.pending.equals(bytes))
        throw wrongAnswer(`${name} read back in ${down.pending.length} of ${bytes.length} bytes`);
      await quit(control, attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'ftp half-close after QUIT',
    weight: 10,
    async run(attempt) {
      await converse(
        await attempt.connect(),
        attempt.deadline,
        [...anonymous('load'), ['PWD', 257], ['QUIT', 221]],
        true,
      );
      return 'answered';
    },
  },
  {
    name: 'ftp reset mid-download',
    weight: 10,
    async run(attempt) {
      const control = await session(attempt, 'anonymous');
      const data = await transfer(attempt, control, 'RETR big.bin');
      await data.takeBytes(attempt.between(1, 256 * 1024), attempt.deadline);
      data.reset();
      if (attempt.random() < 0.5) control.reset();
      else await finalReply(attempt, control, 'a reset download');
      return 'reset';
    },
  },
  {
    // The control connection stays to read the transfer's end: a reset that reaches a data
    // connection with bytes still unread is reported by libuv as a plain end of stream (its
    // POLLHUP shortcut), and in stream mode the end of the data connection is the end of the
    // file, so the server may take the upload as whole (226) and install it.
    name: 'ftp reset mid-upload',
    weight: 10,
    async run(attempt) {
      const control = await session(attempt, 'soak');
      const data = await transfer(attempt, control, `STOR ${uploadName()}`);
      await data.writeDrained(randomBytes(attempt.between(1, 128 * 1024)), attempt.deadline);
      await attempt.pause(attempt.between(0, 20));
      data.reset();
      if ((await finalReply(attempt, control, 'a reset upload')) === 226) attempt.tally.stored++;
      return 'reset';
    },
  },
  {
    name: 'ftp idle session',
    long: true,
    weight: 3,
    async run(attempt) {
      const control = await session(attempt, 'anonymous');
      await expectReply(control, attempt.deadline, 421, 'an idle session');
      await control.serverClose(attempt.deadline);
      return 'cut';
    },
  },
  {
    name: 'ftp stall in the AUTH TLS handshake',
    long: true,
    weight: 2,
    async run(attempt) {
      const control = await attempt.connect();
      await converse(control, attempt.deadline, [['AUTH TLS', 234]]);
      await control.serverClose(attempt.deadline); // no ClientHello comes
      return 'cut';
    },
  },
  {
    name: 'ftp download never read',
    long: true,
    weight: 5,
    async run(attempt) {
      const control = await session(attempt, 'anonymous');
      const data = await dataConnection(attempt, control);
      data.stopReading();
      await startTransfer(attempt, control, 'RETR big.bin');
      await attempt.pause(attempt.between(200, 1500));
      data.reset();
      control.reset();
      return 'reset';
    },
  },
];

/**
 * The probe's request: greeting, anonymous login, PWD and QUIT.
 *
 * @example
 * ```ts
 * await ftpAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function ftpAsk(peer: Peer, deadline: number): Promise<void> {
  await converse(peer, deadline, [...anonymous('probe'), ['PWD', 257]]);
}
