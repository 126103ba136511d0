/**
 * `formatSoak`: a soak's figures as a table per server, the process figures, and its checks.
 */
import { table } from '../bench/_report.js';
import { quantile } from './_probe.js';
import type { SoakResult } from './_soak-run.js';

const MiB = 1024 * 1024;
const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(1)} ms`);

/**
 * The soak's report: a table (connections, TLS handshakes and outcomes per server, the probe's latencies), the
 * descriptors and heap before and after, then each check, `ok` or `FAILED`.
 *
 * @example
 * ```ts
 * console.log(formatSoak(await runSoak({ seconds: 60 })));
 * ```
 */
export function formatSoak(result: SoakResult): string {
  const rows = Object.entries(result.tallies).map(([name, t]) => {
    const probe = result.probes[name]!;
    return [
      name,
      String(t.connections),
      String(t.tls),
      String(t.answered),
      `${t.refused} (${t.limited})`,
      String(t.reset),
      String(t.cut),
      String(t.failed),
      String(probe.latencies.length),
      ms(quantile(probe.latencies, 0.5)),
      ms(quantile(probe.latencies, 0.99)),
      ms(Math.max(...probe.latencies)),
    ];
  });
  const header = [
    'server',
    'connections',
    'TLS handshakes',
    'answered',
    'refused (at a limit)',
    'reset by client',
    'cut on timeout',
    'failed',
  ];
  const heap = result.heap;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
  return [
    `soak: ${result.seconds} s of load (seed ${result.seed}); for DNS over UDP, connections are queries and refusals REFUSED or FORMERR answers`,
    '',
    table([...header, 'probes', 'probe p50', 'probe p99', 'probe max'], rows),
    '',
    table(
      ['server process', 'at the start', 'after the warm-up', 'at the end'],
      [
        ['open descriptors', String(result.fds.start), '', String(result.fds.end)],
        ['heap after a forced GC', mib(heap.start.heapUsed), mib(heap.warm.heapUsed), mib(heap.end.heapUsed)],
        ['the same, less code', mib(heap.start.data), mib(heap.warm.data), mib(heap.end.data)],
        ['rss', mib(heap.start.rss), mib(heap.warm.rss), mib(heap.end.rss)],
      ],
    ),
    '',
    `event-loop delay of the server process: p99 ${result.loopDelay.p99} ms, max ${result.loopDelay.max} ms`,
    '',
    ...result.checks.map(
      (c) => `${c.ok ? 'ok    ' : 'FAILED'} ${c.what}${c.detail ? ` (${c.detail.trim()})` : ''}`,
    ),
  ].join('\n');
}
