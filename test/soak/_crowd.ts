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
 * each as answered, refused or failed, and how many of the admitted ones were open at once at the
 * end; then drops them all.
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
    Array.from({ length: size }, async () => {
      const peer = await attempt.connect();
      await admit(peer, attempt.deadline);
      return peer;
    }),
  );
  // A loaded server may take longer than its idle timeout to answer the whole crowd, and close
  // the first ones admitted (making room) before it admits the last: the limit holds for those
  // open at once. A turn of the loop lets every close the server made before an answer be seen.
  await new Promise((resolve) => setTimeout(resolve, 100));
  let held = 0;
  for (const result of results) {
    if (result.status === 'fulfilled') {
      tally.answered++;
      if (!result.value.ended) held++;
    } else if (isRefusal(result.reason, target)) {
      tally.refused++;
      tally.limited++;
    } else {
      tally.failed++;
      note(tally, 'crowd', result.reason);
    }
  }
  attempt.dispose();
  tally.crowds++;
  tally.crowdMostAdmitted = Math.max(tally.crowdMostAdmitted, held);
}
