/**
 * A crowd: more connections at once from one peer address than a server's per-peer limit, all
 * held open until each is admitted (answered) or refused, to show the limit holds under load.
 */
import { Attempt, isRefusal, note, type Tally, type Target } from './_attempt.js';
import type { Peer } from './_peer.js';

/** What proves a connection admitted: an answer to one small request (or the 220 greeting). */
export type Admission = (peer: Peer, deadline: number) => Promise<void>;

/**
 * Opens `size` connections to `target` from `localAddress` at once, each asking `admit`; counts
 * each as answered, refused or failed, and the crowd's admitted ones; then drops them all.
 *
 * @example
 * ```ts
 * await runCrowd(tally, { port, refusesByClosing: true }, '127.0.0.20', 56, httpAsk);
 * ```
 */
export async function runCrowd(
  tally: Tally,
  target: Target,
  localAddress: string,
  size: number,
  admit: Admission,
): Promise<void> {
  const attempt = new Attempt(tally, target, localAddress, Math.random);
  const results = await Promise.allSettled(
    Array.from({ length: size }, async () => admit(await attempt.connect(), attempt.deadline)),
  );
  attempt.dispose();
  let admitted = 0;
  for (const result of results) {
    if (result.status === 'fulfilled') {
      admitted++;
      tally.answered++;
    } else if (isRefusal(result.reason, target)) {
      tally.refused++;
    } else {
      tally.failed++;
      note(tally, 'crowd', result.reason);
    }
  }
  tally.crowds++;
  tally.crowdMostAdmitted = Math.max(tally.crowdMostAdmitted, admitted);
}
