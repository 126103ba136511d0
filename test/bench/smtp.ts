/**
 * SMTP messages stored per second, 10 KiB each, over 10 sessions at once, each message written
 * into a Maildir and fsynced (file and folder) before its 250: Spindle (the mail-server demo),
 * nodemailer's `smtp-server` (npm) and aiosmtpd (Debian's `python3-aiosmtpd`), the peers storing
 * the same Maildir the same way, each server in its own process on 127.0.0.1 with a temporary
 * Maildir of its own, driven by one load generator (`_smtp-load.ts`, no pipelining), beside a raw
 * node:net responder that stores the same way but speaks next to no SMTP (`_smtp-raw-server.ts`):
 * the ceiling the disk leaves a Node server. Runs alternate A B C D A B C D …; the table gives
 * medians in messages per second. After each run, the files in `new/` must be as many as the 250s
 * the load generator counted, and `tmp/` empty. Then the same with every server keeping nothing
 * (`--discard`): what SMTP itself costs each.
 *
 * Then the memory each server takes to receive one 50 MiB message: in a fresh process, after a
 * second of the load above, the idle VmRSS; then the peak while the message arrives (VmHWM when
 * it rose past its value before, else the highest VmRSS sampled every 5 ms).
 * Run: `npm run bench -- smtp`.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchScript,
  benchSource,
  Child,
  cpuSeconds,
  giveUpAfter,
  listeningPort,
  machineCpuSeconds,
  startServer,
} from './_children.js';
import { alternate, median, percent, printSection, table } from './_report.js';

const rounds = 7;
const discardRounds = 5;
const seconds = 4;
const sessions = 10;
const bigMessage = 50 * 1024 * 1024;
const memoryRounds = 3;
const title = 'SMTP into a Maildir (`test/bench/smtp.ts`)';
const python = '/usr/bin/python3';

giveUpAfter('smtp', 15 * 60);

type Contender = 'spindle' | 'smtpServer' | 'aiosmtpd' | 'raw';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (the mail-server demo, `maildirDelivery`)',
  smtpServer: "nodemailer's smtp-server (`onData` to the Maildir)",
  aiosmtpd: 'aiosmtpd (`handle_DATA` to the Maildir, in a thread)',
  raw: 'raw node:net responder storing the same way (ceiling)',
};

/** Where the servers put each message: into the Maildir, or nowhere (read and dropped). */
type Storage = 'maildir' | 'nothing';

/** A contender's server, started on its Maildir `root`, storing as `storage` says. */
function start(
  contender: Contender,
  root: string,
  storage: Storage,
): Promise<{ child: Child; port: number }> {
  mkdirSync(root, { recursive: true });
  const args = storage === 'nothing' ? [root, '--discard'] : [root];
  switch (contender) {
    case 'spindle':
      return startServer('spindle smtp', process.execPath, [benchScript('_smtp-spindle-server'), ...args], {
        port: listeningPort,
      });
    case 'smtpServer':
      return startServer('smtp-server', process.execPath, [benchScript('_smtp-nodemailer-server'), ...args]);
    case 'aiosmtpd':
      return startServer('aiosmtpd', python, [benchSource('_smtp-aiosmtpd-server.py'), ...args]);
    case 'raw':
      return startServer('raw responder', process.execPath, [benchScript('_smtp-raw-server'), ...args]);
  }
}

/** Runs the load generator with `args` and returns its line of JSON. */
async function load<T>(name: string, args: readonly string[], limitSeconds: number): Promise<T> {
  const child = new Child(name, process.execPath, [benchScript('_smtp-load'), ...args]);
  try {
    return JSON.parse(await child.nextLine(limitSeconds)) as T;
  } finally {
    await child.stop();
  }
}

/** The Maildir every server delivers `user@example.test` to, under `root`. */
const mailbox = (root: string) => join(root, 'example.test', 'user');

/**
 * Checks that `root`'s Maildir holds `expected` messages in `new/` of at least `minimum` octets
 * each and none in `tmp/`, then empties `new/`.
 */
function checkAndEmpty(contender: Contender, root: string, expected: number, minimum: number): void {
  const newFolder = join(mailbox(root), 'new');
  const files = existsSync(newFolder) ? readdirSync(newFolder) : [];
  const leftInTmp = existsSync(join(mailbox(root), 'tmp'))
    ? readdirSync(join(mailbox(root), 'tmp')).length
    : 0;
  if (files.length !== expected || leftInTmp !== 0) {
    throw new Error(
      `${contender}: ${files.length} messages in new/ and ${leftInTmp} in tmp/ for ${expected} 250s`,
    );
  }
  for (const file of files) {
    const path = join(newFolder, file);
    if (statSync(path).size < minimum) throw new Error(`${contender}: ${file} is short`);
    unlinkSync(path);
  }
}

interface RateRun {
  readonly rate: number;
  readonly accepted: number;
  readonly cpu: number;
}

/**
 * One run of the message load: messages per second; the server's CPU milliseconds per message
 * and its share of a core over the run; the load generator's share of a core while it counted;
 * and the cores busy on the whole machine over the run.
 */
interface Rate {
  readonly rate: number;
  readonly cpu: number;
  readonly server: number;
  readonly load: number;
  readonly machine: number;
}

/** One run of the message load against `server`; what it stored is checked unless it stores nothing. */
async function rate(
  contender: Contender,
  server: { child: Child; port: number },
  root: string,
  runSeconds: number,
  storage: Storage = 'maildir',
): Promise<Rate> {
  const pid = server.child.process.pid!;
  const start = { time: performance.now(), server: cpuSeconds(pid), machine: machineCpuSeconds() };
  const run = await load<RateRun>(
    `smtp load (${contender})`,
    ['rate', String(server.port), String(sessions), String(runSeconds)],
    runSeconds + 70,
  );
  const wall = (performance.now() - start.time) / 1000;
  const serverSeconds = cpuSeconds(pid) - start.server;
  const machine = machineCpuSeconds();
  const busy = machine.busy - start.machine.busy;
  if (storage === 'maildir') checkAndEmpty(contender, root, run.accepted, 10 * 1000);
  return {
    rate: run.rate,
    cpu: (serverSeconds * 1000) / run.accepted,
    server: serverSeconds / wall,
    load: run.cpu,
    machine: (busy / (busy + machine.idle - start.machine.idle)) * cpus().length,
  };
}

/** VmRSS and VmHWM of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

interface MemoryRun {
  readonly idle: number;
  readonly peak: number;
  readonly seconds: number;
}

/** A fresh server: a second of load, its idle RSS, then its peak RSS receiving one big message. */
async function memory(contender: Contender, root: string): Promise<MemoryRun> {
  const server = await start(contender, root, 'maildir');
  const { child, port } = server;
  try {
    await rate(contender, server, root, 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const pid = child.process.pid!;
    const before = memoryOf(pid);
    let sampled = before.rss;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, memoryOf(pid).rss);
    }, 5);
    let run: { seconds: number };
    try {
      run = await load<{ seconds: number }>(
        `smtp big (${contender})`,
        ['big', String(port), String(bigMessage)],
        70,
      );
    } finally {
      clearInterval(sampler);
    }
    const after = memoryOf(pid);
    checkAndEmpty(contender, root, 1, bigMessage * 0.99); // Spindle stores LF line ends
    return {
      idle: before.rss,
      peak: after.hwm > before.hwm ? after.hwm : Math.max(sampled, after.rss),
      seconds: run.seconds,
    };
  } finally {
    await child.stop();
  }
}

const folder = mkdtempSync(join(tmpdir(), 'spindle-bench-smtp-'));
const contenders = Object.keys(labels) as Contender[];
/** The raw responder holds each message whole: it has no place in the memory runs. */
const memoryContenders = contenders.filter((contender) => contender !== 'raw');
const memories = Object.fromEntries(contenders.map((c) => [c, [] as MemoryRun[]])) as Record<
  Contender,
  MemoryRun[]
>;

/** The message load's rounds, alternating, every server storing as `storage` says. */
async function rateRounds(
  storage: Storage,
  roundCount: number,
): Promise<{ samples: Record<Contender, number[]>; rates: Record<Contender, Rate[]> }> {
  const rates = Object.fromEntries(contenders.map((c) => [c, [] as Rate[]])) as Record<Contender, Rate[]>;
  const servers = new Map<Contender, { child: Child; port: number; root: string }>();
  try {
    for (const contender of contenders) {
      const root = join(folder, `${contender}-${storage}`);
      servers.set(contender, { ...(await start(contender, root, storage)), root });
    }
    for (const [contender, server] of servers) await rate(contender, server, server.root, 1, storage); // warm-up
    const samples = await alternate(
      roundCount,
      Object.fromEntries(
        [...servers].map(([contender, server]) => [
          contender,
          async () => {
            const run = await rate(contender, server, server.root, seconds, storage);
            console.error(
              `${contender} (${storage}): ${Math.round(run.rate)} messages/s, ${run.cpu.toFixed(3)} CPU ms each; CPU: ` +
                `server ${percent(run.server)}, load ${percent(run.load)}; machine ${run.machine.toFixed(2)} of ` +
                `${cpus().length} cores busy (other processes ${(run.machine - run.server - run.load).toFixed(2)})`,
            );
            rates[contender].push(run);
            return run.rate;
          },
        ]),
      ) as Record<Contender, () => Promise<number>>,
    );
    return { samples, rates };
  } finally {
    await Promise.all([...servers.values()].map(({ child }) => child.stop()));
  }
}

let stored = {} as Awaited<ReturnType<typeof rateRounds>>;
let discarded = {} as Awaited<ReturnType<typeof rateRounds>>;
try {
  stored = await rateRounds('maildir', rounds);
  discarded = await rateRounds('nothing', discardRounds);
  for (let round = 0; round < memoryRounds; round++) {
    for (const contender of memoryContenders) {
      const run = await memory(contender, join(folder, `${contender}-memory-${round}`));
      console.error(
        `${contender}: idle ${(run.idle / 1e6).toFixed(1)} MB, peak ${(run.peak / 1e6).toFixed(1)} MB`,
      );
      memories[contender].push(run);
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const med = (contender: Contender) => median(stored.samples[contender]);
const count = (value: number) => Math.round(value).toLocaleString('en');
const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
const goal = (achieved: number, wanted: number) =>
  `${achieved.toFixed(2)}× (${achieved >= wanted ? 'met' : '**not met**'})`;
/** The table of one set of rate rounds. */
function rateTable({ samples, rates }: Awaited<ReturnType<typeof rateRounds>>): string {
  const middle = (contender: Contender) => median(samples[contender]);
  const medianOf = (contender: Contender, field: 'cpu' | 'server' | 'load') =>
    median(rates[contender].map((run) => run[field]));
  return table(
    [
      'server',
      'messages/s (median)',
      'range',
      'ratio to smtp-server',
      'ratio to aiosmtpd',
      'share of the raw responder',
      'server CPU ms per message',
      'server CPU',
      'load CPU',
    ],
    contenders.map((contender) => [
      labels[contender],
      count(middle(contender)),
      `${count(Math.min(...samples[contender]))}–${count(Math.max(...samples[contender]))}`,
      (middle(contender) / middle('smtpServer')).toFixed(2),
      (middle(contender) / middle('aiosmtpd')).toFixed(2),
      percent(middle(contender) / middle('raw')),
      medianOf(contender, 'cpu').toFixed(2),
      percent(medianOf(contender, 'server')),
      percent(medianOf(contender, 'load')),
    ]),
  );
}
const kept = (contender: Contender) => median(discarded.samples[contender]);
const growth = (contender: Contender) => median(memories[contender].map((run) => run.peak - run.idle));
const memoryRows = memoryContenders.map((contender) => [
  labels[contender],
  megabytes(median(memories[contender].map((run) => run.idle))),
  megabytes(median(memories[contender].map((run) => run.peak))),
  megabytes(growth(contender)),
  median(memories[contender].map((run) => run.seconds)).toFixed(2),
]);
const spindleGrowth = growth('spindle');
printSection(
  title,
  `${sessions} sessions from one load generator (a Node process, one command at a time: no pipelining, for every ` +
    'server alike), each sending EHLO once, then MAIL, RCPT, DATA and a 10 KiB message again and again; every ' +
    'server in its own process on 127.0.0.1 storing each message into a Maildir of its own in the temporary folder ' +
    '(ext4 here) before its 250: a file in `tmp/`, fsynced, renamed into `new/`, `new/` fsynced. Messages with a 250 ' +
    `counted for ${seconds} s after a half-second warm-up; after each run the files in \`new/\` must be as many as ` +
    `the 250s, \`tmp/\` empty. Median of ${rounds} alternating rounds, messages per second; the server process's ` +
    'CPU time (user and system, all its threads) per message stored; and the CPU each process used (% of one ' +
    "core: the server's over the whole run, the load generator's while it counted), medians. Goals for Spindle: " +
    `≥ 1.5× smtp-server: ${goal(med('spindle') / med('smtpServer'), 1.5)}; ≥ 3× aiosmtpd: ` +
    `${goal(med('spindle') / med('aiosmtpd'), 3)}. The raw responder shows what the disk leaves: ` +
    `${count(med('raw'))} messages/s with no SMTP work at all, so 1.5× smtp-server would be ` +
    `${percent((1.5 * med('smtpServer')) / med('raw'))} of it and 3× aiosmtpd ${percent((3 * med('aiosmtpd')) / med('raw'))}.\n\n` +
    rateTable(stored) +
    `\n\nThe same load with every server keeping nothing (its delivery reads the message and drops it; ` +
    `aiosmtpd answers at once), which shows what each spends on SMTP itself: median of ${discardRounds} ` +
    `alternating rounds. Spindle ${(kept('spindle') / kept('smtpServer')).toFixed(2)}× smtp-server and ` +
    `${(kept('spindle') / kept('aiosmtpd')).toFixed(2)}× aiosmtpd.\n\n` +
    rateTable(discarded) +
    `\n\nMemory to receive one ${bigMessage / 2 ** 20} MiB (${(bigMessage / 1e6).toFixed(1)} MB) message (lines of 998 octets, sent as the socket ` +
    'drains): in a fresh server process, after one second of the load above and a second of rest, VmRSS (idle); ' +
    'then its peak while the message arrives and is stored (VmHWM from /proc when it rose, else the highest VmRSS ' +
    `sampled every 5 ms). Median of ${memoryRounds} alternating fresh processes each. Goal: Spindle's peak under ` +
    `32 MB above idle: ${megabytes(spindleGrowth)} MB (${spindleGrowth < 32e6 ? 'met' : '**not met**'}).\n\n` +
    table(['server', 'idle MB', 'peak MB', 'peak above idle, MB', 'seconds for the message'], memoryRows),
);
