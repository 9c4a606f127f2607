/** Nearest-rank percentile of an unsorted list; NaN for an empty one. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summary(values: readonly number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? values.reduce((m, v) => (v > m ? v : m), values[0]!) : Number.NaN,
  };
}

/** The tests' seeded PRNG (mulberry32), so bench runs replay the same way. */
export { prng } from '@padmesh/server/testing';

export type Cell = string | number;

/**
 * Rows of the same workload from several rounds (same servers, same order) merged into one
 * set: every numeric cell is the median over the rounds, text cells come from the first.
 * A round whose rows don't line up (an error row) is left out.
 */
export function medianRows(rounds: readonly Record<string, Cell>[][]): Record<string, Cell>[] {
  const first = rounds[0] ?? [];
  const aligned = rounds.filter(
    (rows) => rows.length === first.length && rows.every((r, i) => r.server === first[i]!.server && !('error' in r)),
  );
  if (aligned.length === 0) return [...first];
  return first.map((row, i) => {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(row)) {
      const values = aligned.map((rows) => rows[i]![k]).filter((x): x is number => typeof x === 'number');
      out[k] =
        typeof v === 'number' && values.length === aligned.length ? Number(percentile(values, 50).toFixed(1)) : v;
    }
    return out;
  });
}
