/** Small order statistics over bounded samples (summaries, anomaly baselines). */

/** The q-quantile (0..1) by linear interpolation between closest ranks; null for no samples. */
function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number | null {
  const m = median(values);
  if (m === null) return null;
  return median(values.map((v) => Math.abs(v - m)));
}

export interface Distribution {
  count: number;
  median: number | null;
  p90: number | null;
  max: number | null;
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, median: null, p90: null, max: null };
  let max = values[0]!;
  for (const v of values) if (v > max) max = v;
  return { count: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9), max };
}

/** Appends to a ring of at most `cap` samples (the most recent ones are kept). */
export function pushBounded(ring: number[], value: number, cap: number): void {
  ring.push(value);
  if (ring.length > cap) ring.splice(0, ring.length - cap);
}
