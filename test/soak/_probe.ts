/**
 * The soak's probe: a normal client that asks each server one small request on a new connection
 * every 100 ms, from its own address (so no per-peer limit of the load's applies to it), and
 * records how long each took and what failed (no answer within 10 s counts as a failure).
 */
import { Attempt, emptyTally } from './_attempt.js';
import type { SoakKind, SoakPorts } from './_soak-kinds.js';

/** What the probe saw of one server. */
export interface ProbeRecord {
  /** Milliseconds each answered request took, connection included. */
  readonly latencies: number[];
  /** The requests that failed, with why. */
  readonly failures: string[];
  failed: number;
}

/** The `share` quantile (0.99 for p99) of some samples; NaN without any. */
export function quantile(samples: readonly number[], share: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/**
 * Probes every kind until `stop()`.
 *
 * @example
 * ```ts
 * const probe = new Probe(soakKinds, ports, '127.0.0.2', readFileSync(certificate.cert));
 * // … the load …
 * const records = await probe.stop();
 * ```
 */
export class Probe {
  readonly records: Record<string, ProbeRecord> = {};
  private _running = true;
  private readonly _loops: Promise<void>[];

  /** `ca` is the servers' certificate, which the probe trusts. */
  constructor(kinds: readonly SoakKind[], ports: SoakPorts, address: string, ca: Buffer, everyMs = 100) {
    this._loops = kinds.map(async (kind) => {
      const record: ProbeRecord = { latencies: [], failures: [], failed: 0 };
      this.records[kind.name] = record;
      const target = { port: ports[kind.server], refusesByClosing: false, tls: kind.tls, ca };
      while (this._running) {
        const started = performance.now();
        const attempt = new Attempt(emptyTally(), target, address, Math.random, 10);
        try {
          await kind.probe(attempt);
          record.latencies.push(performance.now() - started);
        } catch (error) {
          record.failed++;
          if (record.failures.length < 5) record.failures.push(`${(error as Error).message}`);
        } finally {
          attempt.dispose();
        }
        const left = everyMs - (performance.now() - started);
        if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
      }
    });
  }

  /** Stops probing once the requests in flight are done. */
  async stop(): Promise<Record<string, ProbeRecord>> {
    this._running = false;
    await Promise.all(this._loops);
    return this.records;
  }
}
