/**
 * The soak's HTTP clients, against the hello app (`GET /` answers `hello world\n`, `POST /echo`
 * streams the body back chunked): keep-alive, streamed echo, half-close, resets mid-request and
 * mid-response, a stalled head (cut by the header timeout), a pipelining flood and an echo that
 * never reads (both abandoned).
 */
import { type Attempt, type Behaviour, wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';

/** A response as the soak checks it. */
interface Response {
  readonly status: number;
  readonly body: Buffer;
  readonly closes: boolean;
}

/** Bytes of letters only, so a chunked body never holds the chunked terminator. */
function letters(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = 97 + (i % 26);
  return bytes;
}

/** Reads one response: its head, then a body framed by Content-Length or chunked. */
async function readResponse(peer: Peer, deadline: number): Promise<Response> {
  const head = (await peer.takeThrough('\r\n\r\n', deadline)).toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  if (!(status >= 100)) throw wrongAnswer(`a response head ${JSON.stringify(head.slice(0, 40))}`);
  const closes = /\r\nconnection: close\r\n/i.test(head);
  const length = /\r\ncontent-length: (\d+)\r\n/i.exec(head);
  if (length !== null) return { status, body: await peer.takeBytes(Number(length[1]), deadline), closes };
  if (!/\r\ntransfer-encoding: chunked\r\n/i.test(head)) return { status, body: Buffer.alloc(0), closes };
  const parts: Buffer[] = [];
  for (;;) {
    const size = Number.parseInt((await peer.takeThrough('\r\n', deadline)).toString('latin1'), 16);
    if (Number.isNaN(size)) throw wrongAnswer('a chunk size');
    if (size === 0) {
      await peer.takeThrough('\r\n', deadline); // no trailers
      return { status, body: Buffer.concat(parts), closes };
    }
    parts.push(await peer.takeBytes(size, deadline));
    await peer.takeThrough('\r\n', deadline);
  }
}

const get = 'GET / HTTP/1.1\r\nHost: soak\r\n\r\n';
const postHead = (length: number) =>
  `POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`;

/** `GET /` answered `hello world\n`. */
async function hello(peer: Peer, deadline: number): Promise<void> {
  const response = await readResponse(peer, deadline);
  if (response.status !== 200 || response.body.toString() !== 'hello world\n') {
    throw wrongAnswer(
      `GET / gave ${response.status} ${JSON.stringify(response.body.toString().slice(0, 20))}`,
    );
  }
}

/** Posts `size` bytes to /echo in pieces and checks they come back. */
async function echoed(attempt: Attempt, peer: Peer, size: number): Promise<void> {
  const body = letters(size);
  peer.write(postHead(size));
  for (let at = 0; at < size; at += 16 * 1024)
    await peer.writeDrained(body.subarray(at, at + 16 * 1024), attempt.deadline);
  const response = await readResponse(peer, attempt.deadline);
  if (response.status !== 200 || !response.body.equals(body)) {
    throw wrongAnswer(`/echo gave ${response.status} with ${response.body.length} of ${size} bytes`);
  }
}

export const httpBehaviours: readonly Behaviour[] = [
  {
    name: 'http keep-alive GETs',
    weight: 30,
    async run(attempt) {
      const peer = await attempt.connect();
      for (let i = attempt.between(1, 5); i > 0; i--) {
        peer.write(get);
        await hello(peer, attempt.deadline);
      }
      return 'answered';
    },
  },
  {
    name: 'http streamed echo',
    weight: 15,
    async run(attempt) {
      const peer = await attempt.connect();
      await echoed(attempt, peer, attempt.between(1, 256 * 1024));
      return 'answered';
    },
  },
  {
    name: 'http half-close after the request',
    weight: 10,
    async run(attempt) {
      const peer = await attempt.connect();
      peer.write(get);
      peer.end();
      await hello(peer, attempt.deadline);
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'http reset mid-request',
    weight: 10,
    async run(attempt) {
      const peer = await attempt.connect();
      const size = attempt.between(1024, 128 * 1024);
      peer.write(postHead(size));
      peer.write(letters(attempt.between(0, size - 1)));
      await attempt.pause(attempt.between(0, 20));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'http reset mid-response',
    weight: 10,
    async run(attempt) {
      const peer = await attempt.connect();
      const size = 512 * 1024;
      peer.write(postHead(size));
      peer.write(letters(size));
      await peer.takeBytes(attempt.between(1, 64 * 1024), attempt.deadline);
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'http stalled head',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect();
      peer.write(get);
      await hello(peer, attempt.deadline); // admitted
      peer.write('GET / HTTP/1.1\r\nHost: so');
      const response = await readResponse(peer, attempt.deadline);
      await peer.serverClose(attempt.deadline);
      if (response.status !== 408) throw wrongAnswer(`a stalled head got ${response.status}, not 408`);
      return 'cut';
    },
  },
  {
    name: 'http pipelining flood, never read',
    long: true,
    weight: 5,
    async run(attempt) {
      const requests = get.repeat(64);
      return attempt.floodUnread(await attempt.connect(), () => requests);
    },
  },
  {
    name: 'http echo, never read',
    long: true,
    weight: 5,
    async run(attempt) {
      const pieces = [postHead(8 * 1024 * 1024), ...Array.from({ length: 128 }, () => letters(64 * 1024))];
      return attempt.floodUnread(await attempt.connect(), () => pieces.shift());
    },
  },
];

/**
 * The probe's request and the crowd's admission check: one `GET /` answered.
 *
 * @example
 * ```ts
 * await httpAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function httpAsk(peer: Peer, deadline: number): Promise<void> {
  peer.write(get);
  await hello(peer, deadline);
}
