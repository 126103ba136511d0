/**
 * The soak's WebSocket clients (raw frames over `Peer`), against `webSocketHandler` echoing each
 * message: messages whole and fragmented with a closing handshake, a TCP half-close without one,
 * resets mid-handshake and mid-message, a silent client (cut by the server's pings) and a flood
 * that never reads (abandoned).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Attempt, type Behaviour, wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';

/** A client frame: masked, as RFC 6455 requires of a client. */
export function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const length = payload.length;
  const size = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const head = Buffer.alloc(size + 4);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (size === 2) head[1] = 0x80 | length;
  else if (size === 4) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(head, size);
  const masked = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) masked[i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return Buffer.concat([head, masked]);
}

/** Reads one server frame (unmasked). */
async function readFrame(
  peer: Peer,
  deadline: number,
): Promise<{ opcode: number; fin: boolean; payload: Buffer }> {
  const [b0, b1] = await peer.takeBytes(2, deadline);
  let length = (b1 as number) & 0x7f;
  if (length === 126) length = (await peer.takeBytes(2, deadline)).readUInt16BE(0);
  else if (length === 127) length = Number((await peer.takeBytes(8, deadline)).readBigUInt64BE(0));
  const payload = await peer.takeBytes(length, deadline);
  return { opcode: (b0 as number) & 0x0f, fin: ((b0 as number) & 0x80) !== 0, payload };
}

/** Reads one whole message (answering pings on the way); its opcode is the first frame's. */
export async function readMessage(
  peer: Peer,
  deadline: number,
): Promise<{ opcode: number; payload: Buffer }> {
  const parts: Buffer[] = [];
  let opcode = -1;
  for (;;) {
    const next = await readFrame(peer, deadline);
    if (next.opcode === 9) {
      peer.write(frame(10, next.payload));
      continue;
    }
    if (opcode === -1) opcode = next.opcode;
    parts.push(next.payload);
    if (next.fin) return { opcode, payload: Buffer.concat(parts) };
  }
}

const upgrade = (key: string) =>
  `GET /ws HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** The opening handshake: 101 with the right `Sec-WebSocket-Accept`. */
export async function handshake(peer: Peer, deadline: number): Promise<void> {
  const key = randomBytes(16).toString('base64');
  peer.write(upgrade(key));
  const head = (await peer.takeThrough('\r\n\r\n', deadline)).toString('latin1');
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  const given = /\r\nsec-websocket-accept: *([^\r]*)\r\n/i.exec(head)?.[1];
  if (!head.startsWith('HTTP/1.1 101 ') || given !== accept) {
    throw wrongAnswer(`a handshake answered ${JSON.stringify(head.slice(0, 40))}`);
  }
}

/** Sends a message (in `pieces` frames) and checks its echo. */
async function echoMessage(attempt: Attempt, peer: Peer, pieces: number): Promise<void> {
  const binary = attempt.random() < 0.5;
  const payload = binary
    ? randomBytes(attempt.between(0, 32 * 1024))
    : Buffer.from('soak '.repeat(attempt.between(0, 2000)));
  const step = Math.ceil(payload.length / pieces) || 1;
  for (let at = 0, first = true; first || at < payload.length; at += step, first = false) {
    const last = at + step >= payload.length;
    peer.write(frame(first ? (binary ? 2 : 1) : 0, payload.subarray(at, at + step), last));
  }
  const back = await readMessage(peer, attempt.deadline);
  if (back.opcode !== (binary ? 2 : 1) || !back.payload.equals(payload))
    throw wrongAnswer('an echoed message');
}

export const webSocketBehaviours: readonly Behaviour[] = [
  {
    name: 'websocket messages, closing handshake',
    weight: 40,
    async run(attempt) {
      const peer = await attempt.connect();
      await handshake(peer, attempt.deadline);
      for (let i = attempt.between(1, 5); i > 0; i--) await echoMessage(attempt, peer, attempt.between(1, 3));
      peer.write(frame(8, Buffer.from([0x03, 0xe8])));
      const closing = await readMessage(peer, attempt.deadline);
      if (closing.opcode !== 8) throw wrongAnswer(`opcode ${closing.opcode} instead of the close frame`);
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'websocket half-close without a close frame',
    weight: 10,
    async run(attempt) {
      const peer = await attempt.connect();
      await handshake(peer, attempt.deadline);
      await echoMessage(attempt, peer, 1);
      peer.end();
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'websocket reset mid-handshake',
    weight: 10,
    async run(attempt) {
      const peer = await attempt.connect();
      const request = upgrade(randomBytes(16).toString('base64'));
      peer.write(request.slice(0, attempt.between(1, request.length - 1)));
      await attempt.pause(attempt.between(0, 10));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'websocket reset mid-message',
    weight: 15,
    async run(attempt) {
      const peer = await attempt.connect();
      await handshake(peer, attempt.deadline);
      const whole = frame(2, randomBytes(64 * 1024));
      peer.write(whole.subarray(0, attempt.between(1, whole.length - 1)));
      await attempt.pause(attempt.between(0, 10));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'websocket silent client',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect();
      await handshake(peer, attempt.deadline);
      await peer.serverClose(attempt.deadline); // reads, but never answers the server's pings
      return 'cut';
    },
  },
  {
    name: 'websocket flood, never read',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect();
      await handshake(peer, attempt.deadline);
      const message = frame(2, randomBytes(16 * 1024));
      return attempt.floodUnread(peer, () => message);
    },
  },
];

/**
 * The probe's request and the crowd's admission check: the opening handshake, then one
 * message echoed.
 *
 * @example
 * ```ts
 * await webSocketAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function webSocketAsk(peer: Peer, deadline: number): Promise<void> {
  await handshake(peer, deadline);
  peer.write(frame(1, Buffer.from('probe')));
  const back = await readMessage(peer, deadline);
  if (back.payload.toString() !== 'probe') throw wrongAnswer('the probe message');
}
