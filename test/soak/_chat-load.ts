/**
 * The soak's members of the line chat (`chat()` of protocols/chat): two members who talk and
 * hear each other (the second first asking for the first's name, which is taken), a half-close,
 * a line too long (the server says goodbye), a reset mid-line, a stall mid-line (the chat has no
 * timeout: the member finishes its line and leaves) and a flood that never reads (abandoned).
 */
import { randomBytes } from 'node:crypto';
import { type Attempt, type Behaviour, wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';

const prompt = "What's your name?";

/** The most lines a member skips, waiting for one. */
const mostLines = 100_000;

/** The next line the member is told, without its `\r\n`. */
async function nextLine(peer: Peer, deadline: number): Promise<string> {
  return (await peer.takeThrough('\r\n', deadline)).toString('latin1').slice(0, -2);
}

/** Reads the next line and checks it is `expected`. */
async function expectLine(peer: Peer, deadline: number, expected: string): Promise<void> {
  const line = await nextLine(peer, deadline);
  if (line !== expected)
    throw wrongAnswer(`${JSON.stringify(line.slice(0, 60))}, not ${JSON.stringify(expected)}`);
}

/** Skips what others say until the member is told `expected`. */
async function hear(peer: Peer, deadline: number, expected: string): Promise<void> {
  for (let count = 0; count < mostLines; count++) if ((await nextLine(peer, deadline)) === expected) return;
  throw wrongAnswer(`${mostLines} lines without ${JSON.stringify(expected)}`);
}

/** A name no other member has. */
const freshName = () => `m${randomBytes(6).toString('hex')}`;

/** The prompt, the name given, and the welcome. */
async function join(peer: Peer, deadline: number, name: string): Promise<void> {
  await expectLine(peer, deadline, prompt);
  peer.write(`${name}\r\n`);
  await expectLine(peer, deadline, `Welcome, ${name}!`);
}

/** A new member, joined under a fresh name. */
async function member(attempt: Attempt): Promise<{ peer: Peer; name: string }> {
  const peer = await attempt.connect();
  const name = freshName();
  await join(peer, attempt.deadline, name);
  return { peer, name };
}

/** `/quit`, the goodbye, and the server's close. */
async function quit(peer: Peer, deadline: number): Promise<void> {
  peer.write('/quit\r\n');
  await hear(peer, deadline, 'Bye!');
  await peer.serverClose(deadline);
}

/** Lines to say, each its own. */
function lines(attempt: Attempt, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `line ${i} ${randomBytes(attempt.between(1, 40)).toString('hex')}`,
  );
}

/** A line's end: telnet's `\r\n`, or the bare `\n` that nc sends. */
const ending = (attempt: Attempt) => (attempt.random() < 0.5 ? '\r\n' : '\n');

export const chatBehaviours: readonly Behaviour[] = [
  {
    name: 'chat two members talk',
    weight: 45,
    async run(attempt) {
      const a = await member(attempt);
      const b = await attempt.connect();
      await expectLine(b, attempt.deadline, prompt);
      b.write(`${a.name}\n`);
      await expectLine(b, attempt.deadline, 'Name taken, please choose another.');
      const bName = freshName();
      b.write(`${bName}\n`);
      await expectLine(b, attempt.deadline, `Welcome, ${bName}!`);
      await hear(a.peer, attempt.deadline, `* ${bName} has joined`);
      for (const [from, fromName, to] of [
        [a.peer, a.name, b],
        [b, bName, a.peer],
      ] as const) {
        const said = lines(attempt, attempt.between(1, 5));
        from.write(said.map((line) => `${line}${ending(attempt)}`).join(''));
        for (const line of said) await hear(to, attempt.deadline, `<${fromName}> ${line}`);
      }
      await quit(b, attempt.deadline);
      await hear(a.peer, attempt.deadline, `* ${bName} has left`);
      await quit(a.peer, attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'chat half-close after a line',
    weight: 10,
    async run(attempt) {
      const { peer } = await member(attempt);
      peer.write(`${lines(attempt, 1)[0]}\r\n`);
      peer.end();
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'chat line too long',
    weight: 5,
    async run(attempt) {
      const { peer } = await member(attempt);
      peer.write(`${'x'.repeat(attempt.between(1100, 4096))}\r\n`);
      await hear(peer, attempt.deadline, '* Line too long, goodbye.');
      await peer.serverClose(attempt.deadline);
      return 'refused';
    },
  },
  {
    name: 'chat reset mid-line',
    weight: 15,
    async run(attempt) {
      const { peer } = await member(attempt);
      const said = lines(attempt, attempt.between(1, 5)).join('\r\n');
      peer.write(said.slice(0, attempt.between(1, said.length)));
      await attempt.pause(attempt.between(0, 10));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'chat stall mid-line',
    long: true,
    weight: 5,
    async run(attempt) {
      const { peer } = await member(attempt);
      const [line] = lines(attempt, 1) as [string];
      const cut = attempt.between(1, line.length - 1);
      peer.write(line.slice(0, cut));
      await attempt.pause(attempt.between(200, 2000));
      peer.write(`${line.slice(cut)}\r\n`);
      await quit(peer, attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'chat flood, never read',
    long: true,
    weight: 5,
    async run(attempt) {
      const { peer } = await member(attempt);
      const flood = 'flood flood flood flood flood flood flood flood\r\n'.repeat(100);
      let left = 20; // 2,000 lines: 31 turns of the room's 64, fanned out to every member
      return attempt.floodUnread(peer, () => (left-- > 0 ? flood : undefined));
    },
  },
];

/**
 * The probe's request: a member joins under a fresh name and is welcomed.
 *
 * @example
 * ```ts
 * await chatAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function chatAsk(peer: Peer, deadline: number): Promise<void> {
  await join(peer, deadline, freshName());
}

/**
 * The crowd's admission check: the server asks the name (the crowd does not join, so that it
 * costs the room nothing).
 *
 * @example
 * ```ts
 * await chatPrompt(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function chatPrompt(peer: Peer, deadline: number): Promise<void> {
  await expectLine(peer, deadline, prompt);
}
