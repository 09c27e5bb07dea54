/** One benchmark row, as written to bench/results/latest.json (DESIGN section 6). */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same measure of the baseline, taken in the same run (null when the row has none). */
  baseline: number | null;
  /** value / baseline (null when there is no baseline). */
  ratio: number | null;
  /** What was measured, for the printed table. */
  note?: string;
}

export interface BenchOptions {
  quick: boolean;
}

export type Benchmark = (options: BenchOptions) => Promise<BenchRow[]>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));
