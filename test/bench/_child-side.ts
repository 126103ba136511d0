/**
 * The child side of the benchmarks' process protocol: a child exits when its stdin closes (its
 * parent is gone or done), and a server answers one-line questions from the parent on stdin.
 */
import { createInterface } from 'node:readline';

/**
 * Answers each line read on stdin with `answer(line)` printed as one line, and exits when stdin
 * closes. Call once per process.
 */
export function serveParent(
  answer: (question: string) => string | Promise<string> = () => 'unknown question',
): void {
  const input = createInterface({ input: process.stdin });
  input.on('line', async (line) => console.log(await answer(line.trim())));
  input.on('close', () => process.exit(0));
}

/**
 * The process's memory after a full garbage collection, as one line of JSON: node must run with
 * `--expose-gc`. Collected twice, so that objects freed by finalisers of the first pass go too.
 */
export function memoryAfterGC(extra: Record<string, number> = {}): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run node with --expose-gc');
  gc();
  gc();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers, ...extra });
}
