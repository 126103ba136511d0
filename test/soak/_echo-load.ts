/**
 * The soak's clients of the echo protocol (protocols/wire): round trips, half-close, resets
 * mid-stream, an idle client (echo has no timeout: the client leaves), and a writer that never
 * reads (abandoned once the server has stopped reading it).
 */
import { randomBytes } from 'node:crypto';
import type { Attempt, Behaviour } from './_attempt.js';
import { wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';

/** Sends `data` in pieces, reading back as it goes, and checks every byte came back. */
async function roundTrip(attempt: Attempt, peer: Peer, data: Buffer): Promise<void> {
  const piece = attempt.between(512, 16 * 1024);
  for (let at = 0; at < data.length; at += piece) {
    const part = data.subarray(at, at + piece);
    peer.write(part);
    const back = await peer.takeBytes(part.length, attempt.deadline);
    if (!back.equals(part)) throw wrongAnswer(`echo gave other bytes at ${at}`);
  }
}

export const echoBehaviours: readonly Behaviour[] = [
  {
    name: 'echo round trips',
    weight: 40,
    async run(attempt) {
      const peer = await attempt.connect();
      await roundTrip(attempt, peer, randomBytes(attempt.between(1, 64 * 1024)));
      peer.end();
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'echo half-close, then read it all',
    weight: 20,
    async run(attempt) {
      const peer = await attempt.connect();
      const data = randomBytes(attempt.between(1, 128 * 1024));
      peer.write(data);
      peer.end();
      const back = await peer.takeBytes(data.length, attempt.deadline);
      await peer.serverClose(attempt.deadline);
      if (!back.equals(data) || peer.pending.length > 0) throw wrongAnswer('echo after a half-close');
      return 'answered';
    },
  },
  {
    name: 'echo reset mid-stream',
    weight: 20,
    async run(attempt) {
      const peer = await attempt.connect();
      await roundTrip(attempt, peer, randomBytes(attempt.between(1, 8 * 1024)));
      peer.write(randomBytes(attempt.between(1, 256 * 1024)));
      await attempt.pause(attempt.between(0, 10));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'echo idle, then leaves',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect();
      await roundTrip(attempt, peer, Buffer.from('x'));
      await attempt.pause(attempt.between(200, 2000));
      peer.destroy();
      return 'reset';
    },
  },
  {
    name: 'echo writer that never reads',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect();
      await roundTrip(attempt, peer, Buffer.from('x'));
      const piece = randomBytes(64 * 1024);
      let left = 256;
      return attempt.floodUnread(peer, () => (left-- > 0 ? piece : undefined));
    },
  },
];

/**
 * The probe's request and the crowd's admission check: one byte echoed.
 *
 * @example
 * ```ts
 * await echoAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function echoAsk(peer: Peer, deadline: number): Promise<void> {
  peer.write('?');
  const back = await peer.takeBytes(1, deadline);
  if (back.toString() !== '?') throw wrongAnswer('echo of one byte');
}
