/**
 * The soak's SMTP clients, against `smtpServer` delivering to Maildirs: whole messages, in the
 * clear or after STARTTLS (each 250 counted, to be found on disk), a relay attempt (550), a
 * half-close after QUIT, a reset mid-message, stalls before a command, inside DATA and in the
 * STARTTLS handshake (cut by the command and data timeouts), and a command flood that never reads
 * (abandoned).
 */
import type { Attempt, Behaviour } from './_attempt.js';
import type { Peer } from './_peer.js';
import { converse, type Exchange, expectReply, greeting, quit } from './_replies.js';

/** A message of `lines` lines, one of them starting with a dot (sent stuffed). */
function message(lines: number): string {
  const body = Array.from({ length: lines }, (_, i) =>
    i === 1 ? '..a line that starts with a dot' : `line ${i} ${'m'.repeat(60)}`,
  );
  return `Subject: soak\r\nFrom: <load@soak.test>\r\n\r\n${body.join('\r\n')}\r\n.\r\n`;
}

/** Greeting and EHLO. */
async function hello(attempt: Attempt, peer: Peer): Promise<void> {
  await greeting(peer, attempt.deadline);
  peer.write('EHLO load.soak.test\r\n');
  await expectReply(peer, attempt.deadline, 250, 'EHLO');
}

/** MAIL, RCPT and DATA, up to the 354. */
async function envelope(attempt: Attempt, peer: Peer): Promise<void> {
  peer.write('MAIL FROM:<load@soak.test>\r\n');
  await expectReply(peer, attempt.deadline, 250, 'MAIL');
  peer.write('RCPT TO:<soak@example.test>\r\n');
  await expectReply(peer, attempt.deadline, 250, 'RCPT');
  peer.write('DATA\r\n');
  await expectReply(peer, attempt.deadline, 354, 'DATA');
}

/** STARTTLS and its 220: the server's go-ahead for the handshake. */
async function askForTls(attempt: Attempt, peer: Peer): Promise<void> {
  peer.write('STARTTLS\r\n');
  await expectReply(peer, attempt.deadline, 220, 'STARTTLS');
}

/** One to three messages delivered, each counted once given 250; then QUIT. */
async function deliver(attempt: Attempt, peer: Peer): Promise<void> {
  for (let i = attempt.between(1, 3); i > 0; i--) {
    await envelope(attempt, peer);
    peer.write(message(attempt.between(2, 1000)));
    await expectReply(peer, attempt.deadline, 250, 'the message');
    attempt.tally.stored++;
  }
  await quit(peer, attempt.deadline);
}

export const smtpBehaviours: readonly Behaviour[] = [
  {
    name: 'smtp messages delivered',
    weight: 40,
    async run(attempt) {
      const peer = await attempt.connect();
      await hello(attempt, peer);
      await deliver(attempt, peer);
      return 'answered';
    },
  },
  {
    name: 'smtp STARTTLS, then messages delivered',
    weight: 20,
    async run(attempt) {
      const peer = await attempt.connect();
      await hello(attempt, peer);
      await askForTls(attempt, peer);
      await attempt.startTls(peer);
      peer.write('EHLO load.soak.test\r\n'); // RFC 3207: the session starts again
      await expectReply(peer, attempt.deadline, 250, 'EHLO in TLS');
      await deliver(attempt, peer);
      return 'answered';
    },
  },
  {
    name: 'smtp relay attempt',
    weight: 10,
    async run(attempt) {
      const peer = await attempt.connect();
      await hello(attempt, peer);
      peer.write('MAIL FROM:<load@soak.test>\r\nRCPT TO:<someone@elsewhere.test>\r\n');
      await expectReply(peer, attempt.deadline, 250, 'MAIL');
      await expectReply(peer, attempt.deadline, 550, 'a foreign RCPT');
      await quit(peer, attempt.deadline);
      return 'refused';
    },
  },
  {
    name: 'smtp half-close after QUIT',
    weight: 10,
    async run(attempt) {
      const exchanges: Exchange[] = [
        ['EHLO load.soak.test', 250],
        ['NOOP', 250],
        ['QUIT', 221],
      ];
      await converse(await attempt.connect(), attempt.deadline, exchanges, true);
      return 'answered';
    },
  },
  {
    name: 'smtp reset mid-message',
    weight: 15,
    async run(attempt) {
      const peer = await attempt.connect();
      await hello(attempt, peer);
      await envelope(attempt, peer);
      const text = message(attempt.between(10, 1000));
      peer.write(text.slice(0, attempt.between(1, text.length - 6)));
      await attempt.pause(attempt.between(0, 20));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'smtp stall before a command',
    long: true,
    weight: 3,
    async run(attempt) {
      const peer = await attempt.connect();
      await hello(attempt, peer);
      await expectReply(peer, attempt.deadline, 421, 'a stall');
      await peer.serverClose(attempt.deadline);
      return 'cut';
    },
  },
  {
    name: 'smtp stall inside DATA',
    long: true,
    weight: 3,
    async run(attempt) {
      const peer = await attempt.connect();
      await hello(attempt, peer);
      await envelope(attempt, peer);
      peer.write('Subject: stalled\r\n\r\nhalf a');
      await expectReply(peer, attempt.deadline, 421, 'a stall in DATA');
      await peer.serverClose(attempt.deadline);
      return 'cut';
    },
  },
  {
    name: 'smtp stall in the STARTTLS handshake',
    long: true,
    weight: 2,
    async run(attempt) {
      const peer = await attempt.connect();
      await hello(attempt, peer);
      await askForTls(attempt, peer);
      await peer.serverClose(attempt.deadline); // no ClientHello comes
      return 'cut';
    },
  },
  {
    name: 'smtp command flood, never read',
    long: true,
    weight: 5,
    async run(attempt) {
      const noops = 'NOOP\r\n'.repeat(2000);
      return attempt.floodUnread(await attempt.connect(), () => noops);
    },
  },
];

/**
 * The probe's request: greeting, EHLO, NOOP and QUIT; and the crowd's admission check (the
 * greeting, 220 or 421).
 *
 * @example
 * ```ts
 * await smtpAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function smtpAsk(peer: Peer, deadline: number): Promise<void> {
  await converse(peer, deadline, [
    ['EHLO probe.soak.test', 250],
    ['NOOP', 250],
  ]);
}
