/**
 * Shared by the benchmarks: medians, alternating rounds, and the markdown section each
 * benchmark prints for `run.ts` to collect into RESULTS.md.
 */

/** The median of some samples. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A fraction of one core as a percentage: `percent(0.834)` is `'83 %'`. */
export const percent = (fraction: number): string => `${Math.round(fraction * 100)} %`;

/**
 * Runs each contender once per round, alternating (A B C A B C …), and returns every contender's
 * samples. Alternating spreads the machine's noise over all of them.
 */
export async function alternate<K extends string>(
  rounds: number,
  contenders: Record<K, () => number | Promise<number>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(contenders) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) samples[name].push(await contenders[name]());
  }
  return samples;
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Marks the start of the section `run.ts` copies into RESULTS.md. */
export const sectionMarker = '<!-- bench-section -->';

/** Prints a benchmark's section for RESULTS.md (and for a person reading the output). */
export function printSection(title: string, body: string): void {
  console.log(`${sectionMarker}\n## ${title}\n\n${body}\n`);
}
