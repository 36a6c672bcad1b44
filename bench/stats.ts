/** Small statistics for the bench: every figure it reports is a median over repeated runs. */

/**
 * The nearest-rank percentile (`p` in 0–100) of `values`; `NaN` for none.
 *
 * @example
 * percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/**
 * The median of `values` (the mean of the middle two for an even count); `NaN` for none.
 *
 * @example
 * median([3, 1, 2, 10]) // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Runs `measure` `runs` times, one after the other, and returns every run's figures with their
 * per-field medians.
 *
 * @example
 * const { median: figures } = await medianOfRuns(3, async () => ({ wallMs: await timeIt() }));
 */
export async function medianOfRuns<T extends Record<string, number>>(runs: number, measure: (run: number) => Promise<T>): Promise<{ runs: T[]; median: T }> {
  const results: T[] = [];
  for (let run = 0; run < runs; run += 1) results.push(await measure(run));
  return { runs: results, median: medianOfFields(results) };
}

/** Field-by-field medians of records that share their numeric fields. */
export function medianOfFields<T extends Record<string, number>>(records: readonly T[]): T {
  const first = records[0];
  if (first === undefined) throw new Error('no runs to take the median of');
  return Object.fromEntries(Object.keys(first).map((key) => [key, median(records.map((record) => record[key] as number))])) as T;
}

/** Rounds for display and for the JSON file alike (so both show the same figures). */
export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
