/**
 * DNS queries answered per second over UDP, one A record (`www.example.test` → 127.0.0.10), with
 * one load generator for all, `dnsperf` (Debian's `dnsperf`): Spindle (`dnsServer` on a zone
 * file), dnsmasq (the record from its options), Twisted Names (`twistd3 dns --pyzone`), dns2 (npm,
 * plain JavaScript) and a raw node:dgram responder that parses nothing (the runtime's ceiling),
 * each in its own process on 127.0.0.1. Runs alternate A B C D E A B C D E …; the table gives
 * medians in queries per second.
 * Run: `npm run bench -- dns`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dig } from '../support/dig.js';
import { startDnsmasq } from '../support/dnsmasq-peer.js';
import { freePort } from '../support/peer-process.js';
import { startTwistedDns } from '../support/twisted-dns-peer.js';
import { benchScript, giveUpAfter, startServer, twistedAvailable } from './_children.js';
import { alternate, median, printSection, table } from './_report.js';

const rounds = 5;
const seconds = 4;
/** dnsperf's clients (sockets) and queries in flight: enough to keep dnsmasq busy, few enough to lose none. */
const clients = 2;
const outstanding = 100;
const benchmarkLimit = 10 * 60;
const title = 'DNS queries over UDP (`test/bench/dns.ts`)';

giveUpAfter('dns', benchmarkLimit);

type Contender = 'spindle' | 'raw' | 'dnsmasq' | 'twisted' | 'dns2';
const labels: Record<Contender, string> = {
  spindle: 'Spindle (the dns-server demo, zone file)',
  raw: 'raw node:dgram responder (ceiling)',
  dnsmasq: 'dnsmasq (`--host-record`)',
  twisted: 'Twisted Names (`twistd3 dns --pyzone`)',
  dns2: 'dns2 (npm, `createUDPServer`)',
};
const name = 'www.example.test';
const address = '127.0.0.10';

/** One dnsperf run's figures. */
interface Run {
  readonly qps: number;
  readonly lost: number;
}

function dnsperf(port: number, queryFile: string, limit: number): Run {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(limit)];
  args.push('-c', String(clients), '-q', String(outstanding), '-t', '1');
  const run = spawnSync('dnsperf', args, { encoding: 'utf8', timeout: (limit + 20) * 1000 });
  const qps = /Queries per second:\s+([\d.]+)/.exec(run.stdout ?? '')?.[1];
  const lost = /Queries lost:\s+(\d+)/.exec(run.stdout ?? '')?.[1];
  if (run.status !== 0 || qps === undefined || lost === undefined) {
    throw new Error(`dnsperf failed: ${run.stderr || run.stdout}`);
  }
  const codes = /Response codes:\s+(.*)/.exec(run.stdout)?.[1] ?? '';
  if (!/^NOERROR \d+ \(100\.00%\)$/.test(codes.trim()))
    console.error(`port ${port}: response codes ${codes}`);
  return { qps: Number(qps), lost: Number(lost) };
}

if (spawnSync('dnsperf', ['-h'], { encoding: 'utf8' }).error !== undefined) {
  printSection(title, 'Skipped: `dnsperf` is not installed (`apt-get install dnsperf`).');
  process.exit(0);
}

const folder = mkdtempSync(join(tmpdir(), 'spindle-bench-dns-'));
const queryFile = join(folder, 'queries.txt');
writeFileSync(queryFile, `${name} A\n`);
const zoneFile = join(folder, 'example.test.zone');
writeFileSync(
  zoneFile,
  '$TTL 300\n' +
    'example.test. IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300\n' +
    `${name}. IN A ${address}\n`,
);

const servers = new Map<Contender, { port: number; stop(): Promise<void> }>();
const withTwisted = twistedAvailable();
/** Queries per second of each run, and queries lost over all runs, by contender. */
let samples: Partial<Record<Contender, number[]>> = {};
const lost: Partial<Record<Contender, number>> = {};
try {
  {
    const port = await freePort();
    const { child } = await startServer(
      'spindle dns',
      process.execPath,
      [benchScript('_dns-spindle-server'), zoneFile, String(port)],
      { port: (line) => Number(/^listening on (?:udp|tcp):(\d+)(?::|$)/.exec(line)?.[1]) },
    );
    servers.set('spindle', { port, stop: () => child.stop() });
  }
  servers.set('dnsmasq', await startDnsmasq({ hostRecords: [{ names: [name], ips: [address] }] }));
  if (withTwisted) {
    servers.set(
      'twisted',
      await startTwistedDns({ origin: 'example.test', records: [{ type: 'A', name, address }] }),
    );
  }
  const dns2 = await startServer('dns2', process.execPath, [benchScript('_dns-dns2-server')]);
  servers.set('dns2', { port: dns2.port, stop: () => dns2.child.stop() });
  const raw = await startServer('raw responder', process.execPath, [benchScript('_dns-raw-server')]);
  servers.set('raw', { port: raw.port, stop: () => raw.child.stop() });

  for (const [contender, server] of servers) {
    const reply = await dig(server.port, [name, 'A']);
    const data = reply.answer.map((record) => `${record.type} ${record.data}`).join(', ');
    if (reply.status !== 'NOERROR' || data !== `A ${address}`) {
      throw new Error(`${contender} answers ${name} with ${reply.status} ${data}`);
    }
    dnsperf(server.port, queryFile, 2); // warm up
  }
  samples = await alternate(
    rounds,
    Object.fromEntries(
      [...servers].map(([contender, server]) => [
        contender,
        () => {
          const run = dnsperf(server.port, queryFile, seconds);
          lost[contender] = (lost[contender] ?? 0) + run.lost;
          return run.qps;
        },
      ]),
    ) as Record<Contender, () => number>,
  );
} finally {
  await Promise.all([...servers.values()].map((server) => server.stop()));
  rmSync(folder, { recursive: true, force: true });
}

const med = (contender: Contender) => median(samples[contender] ?? [Number.NaN]);
const count = (rate: number) => Math.round(rate).toLocaleString('en');
const ratio = (rate: number, to: Contender) => (servers.has(to) ? (rate / med(to)).toFixed(2) : '—');
/** Why `contender` has no figures, if it has none. */
function absent(contender: Contender): string | undefined {
  if (contender === 'twisted' && !withTwisted)
    return 'skipped: `/usr/bin/python3 -c "import twisted"` failed';
  return undefined;
}
const rows = (Object.keys(labels) as Contender[]).map((contender) => {
  const why = absent(contender);
  if (why !== undefined) return [labels[contender], why, '—', '—', '—', '—', '—'];
  const qps = samples[contender] ?? [];
  const rate = med(contender);
  return [
    labels[contender],
    count(rate),
    `${count(Math.min(...qps))}–${count(Math.max(...qps))}`,
    String(lost[contender] ?? 0),
    ratio(rate, 'dnsmasq'),
    ratio(rate, 'dns2'),
    ratio(rate, 'twisted'),
  ];
});
const goal = (to: Contender, wanted: number) => {
  if (!servers.has(to)) return 'no peer';
  const achieved = med('spindle') / med(to);
  return `${achieved.toFixed(2)}× (${achieved >= wanted ? 'met' : '**not met**'})`;
};
printSection(
  title,
  `\`dnsperf -c ${clients} -q ${outstanding} -t 1 -l ${seconds}\` (${clients} sockets, at most ${outstanding} queries in ` +
    `flight, a query unanswered after 1 s lost) asking \`${name} A\` again and again of each server, each in its ` +
    `own process on 127.0.0.1; all answer 127.0.0.10, NOERROR. Median of ${rounds} alternating rounds (after a 2 s ` +
    'warm-up each), queries answered per second; "lost" sums all rounds. Goals for Spindle: ≥ 0.5× dnsmasq: ' +
    `${goal('dnsmasq', 0.5)}; ≥ 2× dns2: ${goal('dns2', 2)}; ≥ 5× Twisted: ${goal('twisted', 5)}.` +
    `\n\n${table(
      [
        'server',
        'queries/s (median)',
        'range',
        'lost',
        'ratio to dnsmasq',
        'ratio to dns2',
        'ratio to Twisted',
      ],
      rows,
    )}`,
);
