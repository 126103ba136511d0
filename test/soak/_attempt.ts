/**
 * One client's try at a soak server (`Attempt`), how it ended (`Outcome`), and the counts kept
 * per server (`Tally`): what the load processes report and the table prints.
 */
import { Peer, PeerClosed, PeerTimeout } from './_peer.js';

/** The server turned the client away with its protocol's refusal (FTP's or SMTP's 421 greeting). */
export class Refused extends Error {}

/**
 * How an attempt ended:
 * - `answered`: the server did what was asked, and the client checked the answer;
 * - `refused`: the server turned the client away cleanly (a limit: 421, or a connection closed
 *   before its first byte where the server counts refusals itself);
 * - `reset`: the client itself reset, abandoned or stopped the exchange on purpose;
 * - `cut`: the server closed a stalling client on its timeout, as configured;
 * - `failed`: anything else (a wrong answer, no answer in time, a close unasked for).
 */
export type Outcome = 'answered' | 'refused' | 'reset' | 'cut' | 'failed';

/** What a load process counted against one server. */
export interface Tally {
  /** TCP connections opened (UDP: queries sent). */
  connections: number;
  /** TLS handshakes done (HTTPS, STARTTLS, AUTH TLS, PROT P). */
  tls: number;
  answered: number;
  refused: number;
  /** Of the refused, the connections turned away at a connection limit (the rest: requests refused). */
  limited: number;
  reset: number;
  cut: number;
  failed: number;
  /** The first few failures, for the report. */
  failures: string[];
  /** Crowds sent from one peer address past its limit, and the most of one crowd admitted and open at once. */
  crowds: number;
  crowdMostAdmitted: number;
  /** Messages given 250 after DATA (SMTP), files given 226 after STOR (FTP). */
  stored: number;
}

/** A tally of nothing yet. */
export function emptyTally(): Tally {
  return {
    ...{ connections: 0, tls: 0, answered: 0, refused: 0, limited: 0, reset: 0, cut: 0, failed: 0 },
    failures: [],
    ...{ crowds: 0, crowdMostAdmitted: 0, stored: 0 },
  };
}

/** Adds `more` into `into`, keeping at most five failure samples. */
export function addTally(into: Tally, more: Tally): void {
  for (const key of [
    'connections',
    'tls',
    'answered',
    'refused',
    'limited',
    'reset',
    'cut',
    'failed',
    'crowds',
    'stored',
  ] as const)
    into[key] += more[key];
  into.crowdMostAdmitted = Math.max(into.crowdMostAdmitted, more.crowdMostAdmitted);
  into.failures.push(...more.failures.slice(0, 5 - into.failures.length));
}

/** Where a server listens, how it refuses, and whether it speaks TLS at once. */
export interface Target {
  readonly port: number;
  /** Whether a connection closed before its first byte is the server's refusal (listen's limits). */
  readonly refusesByClosing: boolean;
  /** Whether a connection starts with the TLS handshake (HTTPS) rather than in the clear. */
  readonly tls: boolean;
  /** The servers' self-signed certificate, which the clients trust. */
  readonly ca: Buffer;
}

/**
 * One client's try: the connections it opens (each counted, all dropped when it ends) and the
 * deadline every wait of it honours.
 */
export class Attempt {
  readonly deadline: number;
  private readonly _peers: Peer[] = [];

  constructor(
    readonly tally: Tally,
    readonly target: Target,
    readonly localAddress: string,
    readonly random: () => number,
    seconds = 10,
  ) {
    this.deadline = Date.now() + seconds * 1000;
  }

  /**
   * Opens a connection to the target, in TLS if it speaks TLS at once; or to another `port` (an
   * FTP data connection), in the clear; with `tls: false`, in the clear whatever the target speaks.
   */
  async connect(how: { readonly port?: number; readonly tls?: boolean } = {}): Promise<Peer> {
    this.tally.connections++;
    const peer = await Peer.connect(how.port ?? this.target.port, this.localAddress, this.deadline);
    this._peers.push(peer);
    if (how.tls ?? (how.port === undefined && this.target.tls)) await this.startTls(peer);
    return peer;
  }

  /** Starts TLS on `peer` as its client, trusting the servers' certificate (and counts it once done). */
  async startTls(peer: Peer): Promise<void> {
    await peer.startTls(this.target.ca, this.deadline);
    this.tally.tls++;
  }

  /** A whole number in [low, high]. */
  between(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  /** Waits `ms` (bounded by the deadline). */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Math.min(ms, this.deadline - Date.now()))),
    );
  }

  /**
   * A client that never reads: writes what `next()` gives (until it gives nothing) while the
   * socket takes it, for 0.2 to 1.5 s in all, then resets the connection.
   */
  async floodUnread(peer: Peer, next: () => string | Uint8Array | undefined): Promise<'reset'> {
    peer.stopReading();
    const until = Date.now() + this.between(200, 1500);
    for (let data = next(); data !== undefined && Date.now() < until && peer.write(data); data = next()) {
      await this.pause(1);
    }
    await this.pause(until - Date.now());
    peer.reset();
    return 'reset';
  }

  /** Drops every connection still open. */
  dispose(): void {
    for (const peer of this._peers) peer.destroy();
  }
}

/** A kind of client: how often it is picked, and what it does. */
export interface Behaviour {
  readonly name: string;
  readonly weight: number;
  /** It takes seconds (a stall waits for the server's timeout, a flood holds on): not started at a run's very end. */
  readonly long?: boolean;
  run(attempt: Attempt): Promise<Outcome>;
}

/** Runs `behaviour` once, counts how it ended in its tally, and drops its connections. */
export async function runAttempt(behaviour: Behaviour, attempt: Attempt): Promise<Outcome> {
  let outcome: Outcome;
  try {
    outcome = await behaviour.run(attempt);
  } catch (error) {
    const refused = isRefusal(error, attempt.target);
    outcome = refused ? 'refused' : 'failed';
    if (refused) attempt.tally.limited++;
    else note(attempt.tally, behaviour.name, error);
  } finally {
    attempt.dispose();
  }
  attempt.tally[outcome]++;
  return outcome;
}

/** Whether `error` is `target`'s clean refusal: its 421, or a close before any byte where it refuses so. */
export function isRefusal(error: unknown, target: Target): boolean {
  if (error instanceof Refused) return true;
  return error instanceof PeerClosed && error.bytesIn === 0 && target.refusesByClosing;
}

/** Records a failure sample: the behaviour and what went wrong. */
export function note(tally: Tally, name: string, error: unknown): void {
  const known =
    error instanceof PeerClosed || error instanceof PeerTimeout || /^wrong answer/.test(String(error));
  const text = known ? (error as Error).message : String((error as Error)?.stack ?? error);
  if (tally.failures.length < 5) tally.failures.push(`${name}: ${text}`);
}

/** A failed check of an answer. */
export function wrongAnswer(what: string): Error {
  return new Error(`wrong answer: ${what}`);
}
