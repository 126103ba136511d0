/**
 * Reading the numbered replies of FTP and SMTP (`220 ready`, multi-line `250-…` … `250 …`) from
 * a soak `Peer`.
 */
import { Refused, wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';

/** A reply: its code and its last line's text. */
export interface Reply {
  readonly code: number;
  readonly text: string;
}

/** Reads one reply, through its last line (`NNN text`). */
export async function readReply(peer: Peer, deadline: number): Promise<Reply> {
  for (;;) {
    const line = (await peer.takeThrough('\r\n', deadline)).toString('latin1').slice(0, -2);
    const last = /^(\d{3})(?: (.*))?$/.exec(line);
    if (last !== null) return { code: Number(last[1]), text: last[2] ?? '' };
  }
}

/** Reads a reply and checks its code. */
export async function expectReply(peer: Peer, deadline: number, code: number, after: string): Promise<Reply> {
  const reply = await readReply(peer, deadline);
  if (reply.code !== code) throw wrongAnswer(`${reply.code} ${reply.text} after ${after}, not ${code}`);
  return reply;
}

/**
 * Reads the greeting: 220, or `Refused` for 421 (too many connections).
 *
 * @example
 * ```ts
 * await greeting(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function greeting(peer: Peer, deadline: number): Promise<void> {
  const reply = await readReply(peer, deadline);
  if (reply.code === 421) {
    await peer.serverClose(deadline);
    throw new Refused(reply.text);
  }
  if (reply.code !== 220) throw wrongAnswer(`a greeting ${reply.code} ${reply.text}`);
}

/** QUIT, 221, and the server's close. */
export async function quit(peer: Peer, deadline: number): Promise<void> {
  peer.write('QUIT\r\n');
  await expectReply(peer, deadline, 221, 'QUIT');
  await peer.serverClose(deadline);
}

/** A command and the reply code it should get. */
export type Exchange = readonly [command: string, code: number];

/**
 * Sends every command at once (pipelined), then reads the greeting and each command's reply,
 * checking their codes; with `halfClose`, sends FIN after the commands and waits for the
 * server's close at the end.
 *
 * @example
 * ```ts
 * await converse(peer, deadline, [['EHLO soak', 250], ['QUIT', 221]], true);
 * ```
 */
export async function converse(
  peer: Peer,
  deadline: number,
  exchanges: readonly Exchange[],
  halfClose = false,
): Promise<void> {
  peer.write(exchanges.map(([command]) => `${command}\r\n`).join(''));
  if (halfClose) peer.end();
  await greeting(peer, deadline);
  await replies(peer, deadline, exchanges);
  if (halfClose) await peer.serverClose(deadline);
}

/**
 * Sends every command at once (pipelined), then reads each command's reply, checking its code:
 * a conversation after the greeting (after AUTH TLS, say).
 *
 * @example
 * ```ts
 * await commands(control, deadline, [['PBSZ 0', 200], ['PROT P', 200]]);
 * ```
 */
export async function commands(peer: Peer, deadline: number, exchanges: readonly Exchange[]): Promise<void> {
  peer.write(exchanges.map(([command]) => `${command}\r\n`).join(''));
  await replies(peer, deadline, exchanges);
}

/** Reads each command's reply, checking its code. */
async function replies(peer: Peer, deadline: number, exchanges: readonly Exchange[]): Promise<void> {
  for (const [command, code] of exchanges) await expectReply(peer, deadline, code, command.split(' ')[0]!);
}
