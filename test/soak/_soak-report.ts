/**
 * `formatSoak`: a soak's figures as a table per server, the process figures, and its checks.
 */
import { table } from '../bench/_report.js';
import { quantile } from './_probe.js';
import type { SoakResult } from './_soak-run.js';

const MiB = 1024 * 1024;
const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(1)} ms`);

/**
 * The soak's report: a table (connections and outcomes per server, the probe's latencies), the
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
      String(t.answered),
      String(t.refused),
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
    'answered',
    'refused',
    'reset by client',
    'cut on timeout',
    'failed',
  ];
  const heap = result.heap;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
  return [
    `soak: ${result.seconds} s of load (seed ${result.seed}); UDP counts queries as connections`,
    '',
    table([...header, 'probes', 'probe p50', 'probe p99', 'probe max'], rows),
    '',
    `server process: descriptors ${result.fds.start} at the start, ${result.fds.end} at the end; heap after GC ${mib(heap.start.heapUsed)} at the start, ${mib(heap.warm.heapUsed)} after the warm-up, ${mib(heap.end.heapUsed)} at the end (rss ${mib(heap.end.rss)}); event-loop delay p99 ${result.loopDelay.p99} ms, max ${result.loopDelay.max} ms`,
    '',
    ...result.checks.map(
      (c) =>
        `${c.ok ? 'ok    ' : 'FAILED'} ${c.what}${c.ok && c.detail.length > 60 ? '' : c.detail === '' ? '' : ` (${c.detail.trim()})`}`,
    ),
  ].join('\n');
}
