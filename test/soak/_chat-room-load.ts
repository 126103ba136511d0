/**
 * The soak's members of the WebSocket chat room (`chatRoom()` of protocols/chat), which says
 * every message to every member, its sender included: members who talk and hear themselves and
 * each other in the room's order, then leave with a closing handshake; a half-close without one;
 * a message refused (too long: 1009; binary: 1003); a reset mid-message; a stall mid-message (the
 * room has no timeout: the member finishes it); and a flood that never reads (abandoned).
 */
import { randomBytes } from 'node:crypto';
import { type Attempt, type Behaviour, wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';
import { frame, handshake, readMessage } from './_websocket-load.js';

/** The most messages a member skips, waiting for one. */
const mostMessages = 100_000;

const text = (message: string) => frame(1, Buffer.from(message));

/** Skips what others say until the member hears `expected`. */
async function hear(peer: Peer, deadline: number, expected: string): Promise<void> {
  for (let count = 0; count < mostMessages; count++) {
    const message = await readMessage(peer, deadline);
    if (message.opcode === 8)
      throw wrongAnswer(`a close (${message.payload.readUInt16BE(0)}) before hearing a message`);
    if (message.opcode === 1 && message.payload.toString() === expected) return;
  }
  throw wrongAnswer(`${mostMessages} messages without ${JSON.stringify(expected)}`);
}

/** Skips what others say until the server's close frame; its code. */
async function closeFrame(peer: Peer, deadline: number): Promise<number> {
  for (let count = 0; count < mostMessages; count++) {
    const message = await readMessage(peer, deadline);
    if (message.opcode === 8) return message.payload.readUInt16BE(0);
  }
  throw wrongAnswer(`${mostMessages} messages without a close frame`);
}

/** The closing handshake the member starts, and the server's close. */
async function leave(peer: Peer, deadline: number): Promise<void> {
  peer.write(frame(8, Buffer.from([0x03, 0xe8])));
  const code = await closeFrame(peer, deadline);
  if (code !== 1000) throw wrongAnswer(`the room closed with ${code}, not 1000`);
  await peer.serverClose(deadline);
}

/** A new member of the room. */
async function member(attempt: Attempt): Promise<Peer> {
  const peer = await attempt.connect();
  await handshake(peer, attempt.deadline);
  return peer;
}

/** Messages to say, each its own. */
function messages(attempt: Attempt, count: number): string[] {
  return Array.from({ length: count }, () => `say ${randomBytes(attempt.between(1, 100)).toString('hex')}`);
}

export const chatRoomBehaviours: readonly Behaviour[] = [
  {
    name: 'chat room members talk',
    weight: 45,
    async run(attempt) {
      const members = [await member(attempt), await member(attempt)];
      for (const from of members) {
        const said = messages(attempt, attempt.between(1, 5));
        from.write(Buffer.concat(said.map(text)));
        for (const to of members) for (const message of said) await hear(to, attempt.deadline, message);
      }
      for (const peer of members) await leave(peer, attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'chat room half-close without a close frame',
    weight: 10,
    async run(attempt) {
      const peer = await member(attempt);
      const [message] = messages(attempt, 1) as [string];
      peer.write(text(message));
      await hear(peer, attempt.deadline, message);
      peer.end();
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'chat room message refused',
    weight: 5,
    async run(attempt) {
      const peer = await member(attempt);
      const tooLong = attempt.random() < 0.5;
      peer.write(tooLong ? text('x'.repeat(attempt.between(4097, 8192))) : frame(2, randomBytes(16)));
      const code = await closeFrame(peer, attempt.deadline);
      if (code !== (tooLong ? 1009 : 1003)) throw wrongAnswer(`close code ${code} for a refused message`);
      peer.write(frame(8, Buffer.from([0x03, 0xe8])));
      await peer.serverClose(attempt.deadline);
      return 'refused';
    },
  },
  {
    name: 'chat room reset mid-message',
    weight: 15,
    async run(attempt) {
      const peer = await member(attempt);
      const whole = text(messages(attempt, 1)[0]!);
      peer.write(whole.subarray(0, attempt.between(1, whole.length - 1)));
      await attempt.pause(attempt.between(0, 10));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'chat room stall mid-message',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await member(attempt);
      const [message] = messages(attempt, 1) as [string];
      const whole = text(message);
      const cut = attempt.between(1, whole.length - 1);
      peer.write(whole.subarray(0, cut));
      await attempt.pause(attempt.between(200, 2000));
      peer.write(whole.subarray(cut));
      await hear(peer, attempt.deadline, message);
      await leave(peer, attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'chat room flood, never read',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await member(attempt);
      const flood = Buffer.concat(Array.from({ length: 100 }, () => text('flood flood flood flood flood')));
      let left = 20; // 2,000 messages: 31 turns of the room's 64, said to every member
      return attempt.floodUnread(peer, () => (left-- > 0 ? flood : undefined));
    },
  },
];

/**
 * The probe's request: a member joins, says something and hears it said.
 *
 * @example
 * ```ts
 * await chatRoomAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function chatRoomAsk(peer: Peer, deadline: number): Promise<void> {
  await handshake(peer, deadline);
  const message = `probe ${randomBytes(8).toString('hex')}`;
  peer.write(text(message));
  await hear(peer, deadline, message);
}

/**
 * The crowd's admission check: the opening handshake (the crowd says nothing, so that it costs
 * the room little).
 *
 * @example
 * ```ts
 * await chatRoomJoin(await attempt.connect(), attempt.deadline);
 * ```
 */
export const chatRoomJoin = handshake;
