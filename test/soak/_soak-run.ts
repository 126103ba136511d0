/**
 * `runSoak`: the soak, start to end. The servers run in one child process; two load processes
 * (each from its own 127.0.0.x, with crowds from another) open, use and drop thousands of
 * connections for the time asked, the first part of it a warm-up; a probe in this process asks
 * every server a small request every 100 ms throughout. At the end it checks that the servers'
 * descriptors are back to their start, their heap (after a forced GC) within a few percent of
 * what it was after the warm-up, every attempt answered or cleanly refused, the per-peer limit
 * held, every stored message and upload on disk, and the probe never failed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfSignedCertificate } from '../../source/index.js';
import { Child } from '../bench/_children.js';
import { addTally, emptyTally, type Tally } from './_attempt.js';
import { ftpFiles } from './_ftp-load.js';
import { Probe, type ProbeRecord } from './_probe.js';
import { type SoakPorts, serverNames, soakKinds } from './_soak-kinds.js';
import type { LoadPlan } from './_soak-load.js';

/** Options of `runSoak`. */
export interface SoakOptions {
  /** The load's whole time (at least 10), its first 40 % (at most a minute) a warm-up. */
  readonly seconds: number;
  /** The load's random seed. Default: from the clock. */
  readonly seed?: number;
  /**
   * Clients at once per load process, shared among the server kinds. Default 84 (twelve for each
   * of the first soak's seven kinds).
   */
  readonly clients?: number;
  /** Where progress lines go. Default nowhere. */
  readonly progress?: (line: string) => void;
}

/** One thing the soak checks, and whether it held. */
export interface SoakCheck {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The heap figures asked of the server process, after a forced GC. */
interface Memory {
  readonly heapUsed: number;
  /** The heap less compiled code and bytecode. */
  readonly data: number;
  readonly rss: number;
}

/** What the server process counted: each server's `stats`, and its refusals past a limit. */
interface ServerStats {
  readonly stats: Record<string, { accepted: number; refused: number; lost: number }>;
  readonly refused: Record<string, number>;
}

/** Everything a soak measured. */
export interface SoakResult {
  readonly seed: number;
  readonly seconds: number;
  readonly tallies: Record<string, Tally>;
  readonly probes: Record<string, ProbeRecord>;
  readonly fds: { readonly start: number; readonly end: number };
  readonly heap: { readonly start: Memory; readonly warm: Memory; readonly end: Memory };
  readonly serverStats: ServerStats;
  /** The server process's event-loop delay over the run, in milliseconds. */
  readonly loopDelay: { readonly p99: number; readonly max: number };
  readonly checks: readonly SoakCheck[];
  readonly ok: boolean;
}

/** A soak's per-peer limit, and the size of its crowds (past it). */
const perPeer = 48;
const crowdSize = perPeer + 8;
/** How much the heap may grow over the run, after a forced GC. */
const heapTolerance = 0.05;

const repository = fileURLToPath(new URL('../../', import.meta.url));
const script = (name: string) => fileURLToPath(new URL(`${name}.ts`, import.meta.url));

/** Starts a TypeScript child under tsx, with a collectable heap. */
function tsChild(name: string, file: string, args: readonly string[]): Child {
  return new Child(name, process.execPath, ['--expose-gc', '--import', 'tsx', script(file), ...args], {
    cwd: repository,
  });
}

/** The FTP root and the Maildir folder, under a fresh temporary folder. */
function prepareFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-soak-'));
  mkdirSync(join(folder, 'ftp', 'uploads'), { recursive: true });
  mkdirSync(join(folder, 'mail'));
  writeFileSync(join(folder, 'ftp', 'hello.txt'), ftpFiles['hello.txt']);
  writeFileSync(join(folder, 'ftp', 'big.bin'), Buffer.alloc(ftpFiles.bigSize, 7));
  return folder;
}

/** The names in `folder`, none if it does not exist. */
function entries(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** Starts the load processes (each from its own address, with crowds from another). */
function startLoad(clients: number, certificate: string): Child[] {
  return [0, 1].map((index) => {
    const plan: LoadPlan = {
      ...{ clients, crowdSize, certificate },
      ...{ address: `127.0.0.${10 + index}`, crowdAddress: `127.0.0.${20 + index}` },
    };
    return tsChild(`soak load ${index}`, '_soak-load', [JSON.stringify(plan)]);
  });
}

/** Runs the load processes for `seconds` and adds up their tallies into `tallies`. */
async function load(
  loaders: readonly Child[],
  ports: SoakPorts,
  seconds: number,
  seed: number,
  tallies: Record<string, Tally>,
): Promise<void> {
  const command = (index: number) => `run ${seconds} ${seed + index} ${JSON.stringify(ports)}`;
  const answers = loaders.map((child, index) => child.ask(command(index), seconds + 60));
  for (const answer of answers) {
    for (const [name, tally] of Object.entries(JSON.parse(await answer) as Record<string, Tally>)) {
      addTally(tallies[name]!, tally);
    }
  }
}

/** Waits until the servers hold no connection, nor one in its TLS handshake (at most 15 s); what they still hold. */
async function quiet(servers: Child): Promise<Record<string, number>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const open = JSON.parse(await servers.ask('open', 10)) as Record<string, number>;
    if (Object.values(open).every((n) => n === 0) || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs the soak and checks its figures.
 *
 * @example
 * ```ts
 * const result = await runSoak({ seconds: 30 });
 * console.log(formatSoak(result));
 * ```
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const seconds = Math.max(10, options.seconds);
  const seed = options.seed ?? Date.now() % 1_000_000;
  const clients = options.clients ?? 84;
  const began = performance.now();
  const say = options.progress ?? (() => {});
  const progress = (line: string) => say(`${((performance.now() - began) / 1000).toFixed(1)} s: ${line}`);
  // V8 goes on compiling (optimised code, source maps of stack traces) for a minute or so: a
  // baseline taken sooner would count that as growth.
  const warmUp = Math.min(60, Math.max(4, Math.round(seconds * 0.4)));
  const folder = prepareFolder();
  const certificate = selfSignedCertificate();
  const servers = tsChild('soak servers', '_soak-servers', [
    ...[folder, String(perPeer)],
    ...[certificate.cert, certificate.key],
  ]);
  const loaders = startLoad(clients, certificate.cert);
  try {
    const ports = JSON.parse(await servers.nextLine(60)) as SoakPorts;
    const fdsStart = Number(await servers.ask('fds', 10));
    const heapStart = JSON.parse(await servers.ask('memory', 30)) as Memory;
    for (const loader of loaders) await loader.nextLine(60); // ready
    const probe = new Probe(soakKinds, ports, '127.0.0.2', readFileSync(certificate.cert));
    progress(`servers up (seed ${seed}); warming up for ${warmUp} s`);
    const tallies: Record<string, Tally> = Object.fromEntries(soakKinds.map((k) => [k.name, emptyTally()]));
    await load(loaders, ports, warmUp, seed, tallies);
    const openAfterWarmUp = await quiet(servers);
    const heapWarm = JSON.parse(await servers.ask('memory', 30)) as Memory;
    progress(`warm; loading for ${seconds - warmUp} s more`);
    await load(loaders, ports, seconds - warmUp, seed + 2, tallies);
    progress('the load is over; waiting for the servers to close every connection');
    const probes = await probe.stop();
    await Promise.all(loaders.map((loader) => loader.stop()));
    const openAtEnd = await quiet(servers);
    progress('measuring');
    const fdsEnd = Number(await servers.ask('fds', 10));
    const heapEnd = JSON.parse(await servers.ask('memory', 30)) as Memory;
    const serverStats = JSON.parse(await servers.ask('stats', 10)) as ServerStats;
    const log = JSON.parse(await servers.ask('log', 10)) as { error: number; errors: string[] };
    const loopDelay = JSON.parse(await servers.ask('loop', 10)) as { p99: number; max: number };
    const mailbox = join(folder, 'mail', 'example.test', 'soak');
    const uploads = entries(join(folder, 'ftp', 'uploads'));
    const checks = check({
      ...{ tallies, probes, fdsStart, fdsEnd, heapWarm, heapEnd, serverStats, log },
      open: {
        ...openAfterWarmUp,
        ...Object.fromEntries(Object.entries(openAtEnd).map(([n, c]) => [`${n} at the end`, c])),
      },
      stored: {
        messages: entries(join(mailbox, 'new')).length,
        messagesHalfWritten: entries(join(mailbox, 'tmp')).length,
        uploads: uploads.filter((name) => !name.startsWith('.')).length,
        uploadsHalfWritten: uploads.filter((name) => name.startsWith('.')).length,
      },
    });
    return {
      ...{ seed, seconds, tallies, probes, serverStats, checks, loopDelay },
      fds: { start: fdsStart, end: fdsEnd },
      heap: { start: heapStart, warm: heapWarm, end: heapEnd },
      ok: checks.every((c) => c.ok),
    };
  } finally {
    await Promise.all([servers, ...loaders].map((child) => child.stop()));
    rmSync(folder, { recursive: true, force: true });
    certificate.remove();
  }
}

/** What `check` weighs. */
interface Figures {
  readonly tallies: Record<string, Tally>;
  readonly probes: Record<string, ProbeRecord>;
  readonly fdsStart: number;
  readonly fdsEnd: number;
  readonly heapWarm: Memory;
  readonly heapEnd: Memory;
  readonly serverStats: ServerStats;
  readonly log: { error: number; errors: string[] };
  readonly open: Record<string, number>;
  readonly stored: {
    messages: number;
    messagesHalfWritten: number;
    uploads: number;
    uploadsHalfWritten: number;
  };
}

/** The soak's verdicts on its figures. */
function check(f: Figures): SoakCheck[] {
  const checks: SoakCheck[] = [];
  const add = (what: string, ok: boolean, detail: string) => checks.push({ what, ok, detail });
  for (const kind of soakKinds) {
    const tally = f.tallies[kind.name]!;
    add(
      `${kind.name}: every attempt answered or cleanly refused`,
      tally.failed === 0,
      `${tally.failed} failed ${tally.failures.join('; ')}`,
    );
    const probe = f.probes[kind.name]!;
    add(
      `${kind.name}: the probe was always answered`,
      probe.failed === 0 && probe.latencies.length > 0,
      `${probe.failed} failed ${probe.failures.join('; ')}`,
    );
    if (kind.admit !== undefined) {
      add(
        `${kind.name}: no crowd had more than ${perPeer} connections admitted at once`,
        tally.crowds > 0 && tally.crowdMostAdmitted <= perPeer,
        `${tally.crowds} crowds, at most ${tally.crowdMostAdmitted} admitted`,
      );
    }
  }
  for (const server of serverNames) {
    const seen = soakKinds
      .filter((k) => k.server === server)
      .reduce((n, k) => n + f.tallies[k.name]!.limited, 0);
    const counted = f.serverStats.refused[server] ?? 0;
    add(
      `${server}: every connection a client saw refused at a limit was counted by the server`,
      seen <= counted,
      `clients saw ${seen}, the server counted ${counted}`,
    );
  }
  add(
    'descriptors back to their start',
    f.fdsEnd <= f.fdsStart,
    `${f.fdsStart} at the start, ${f.fdsEnd} at the end`,
  );
  const growth = f.heapEnd.data / f.heapWarm.data - 1;
  add(
    `heap data (less code) within ${heapTolerance * 100} % after a forced GC`,
    growth <= heapTolerance,
    `${(growth * 100).toFixed(1)} %`,
  );
  const open = Object.entries(f.open).filter(([, n]) => n > 0);
  add(
    'no connection left open after the load',
    open.length === 0,
    open.map(([n, c]) => `${n}: ${c}`).join(', '),
  );
  add(
    'no error logged by the servers',
    f.log.error === 0,
    `${f.log.error} errors ${f.log.errors.join('; ')}`,
  );
  const { messages, messagesHalfWritten, uploads, uploadsHalfWritten } = f.stored;
  const sent = f.tallies.smtp!.stored;
  const put = f.tallies.ftp!.stored;
  add(
    'every message given 250 is in the Maildir, and no other',
    messages === sent && messagesHalfWritten === 0,
    `${sent} given 250, ${messages} in new/, ${messagesHalfWritten} in tmp/`,
  );
  add(
    'every upload given 226 is on disk, and no other',
    uploads === put && uploadsHalfWritten === 0,
    `${put} given 226, ${uploads} on disk, ${uploadsHalfWritten} temporary`,
  );
  return checks;
}
