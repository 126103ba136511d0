/**
 * `runWorkers`: one program on every core, with `node:cluster` sharing the listening sockets.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { Logger } from './log.js';

/** Options of `runWorkers`. */
export interface WorkersOptions {
  /** How many worker processes. Default: one per core (`os.availableParallelism()`). */
  count?: number;
  /** Start a new worker when one dies unexpectedly. Default true. */
  restart?: boolean;
  /** Stop restarting after this many unexpected deaths within a minute (a crash loop). Default 10. */
  maxRestartsPerMinute?: number;
}

const log = new Logger('spindle.workers');

/**
 * Runs `main` in `count` worker processes forked with `node:cluster`; in them, `listen('tcp:8080')`
 * shares one listening socket, and the reactor is the same API as in a single process. The
 * primary process only supervises: it restarts a worker that dies unexpectedly, and on SIGINT or
 * SIGTERM it asks every worker to shut down gracefully (SIGTERM: each stops accepting and drains
 * its connections) and exits once they all have.
 *
 * Returns `true` in the primary and `false` in a worker (where `main` has been called).
 *
 * @example
 * ```ts
 * runWorkers(() => {
 *   listen('tcp:8080').connections$.subscribe(conn => conn.data$.subscribe(conn));
 *   reactor.run();
 * }, { count: 2 });
 * ```
 */
export function runWorkers(main: () => unknown, options: WorkersOptions = {}): boolean {
  if (!cluster.isPrimary) {
    main();
    return false;
  }
  const count = options.count ?? availableParallelism();
  const restart = options.restart ?? true;
  const maxRestarts = options.maxRestartsPerMinute ?? 10;
  const restarts: number[] = [];
  let stopping = false;

  const fork = (): Worker => cluster.fork();
  for (let i = 0; i < count; i++) fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    log.warn(`worker ${worker.process.pid} died (${signal ?? `exit ${code}`})`);
    if (restart && restarts.length < maxRestarts) {
      restarts.push(now);
      fork();
    } else if (restart) {
      log.error(`workers keep dying (${maxRestarts} within a minute): not restarting`);
    }
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill('SIGTERM');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return true;
}
