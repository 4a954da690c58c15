/**
 * Anomaly scoring against a user's own history: a robust z-score over the median and the MAD (median
 * absolute deviation) of that user's past sessions, not the mean and standard deviation, so that one
 * earlier runaway session does not inflate the baseline and hide the next one (Iglewicz & Hoaglin's
 * modified z-score; 1.4826 * MAD estimates the standard deviation for normal data).
 *
 * A baseline of identical sessions has MAD 0; the scale then has a floor (a fraction of the median, and an
 * absolute minimum per metric) so that "a bit more than always" is not an infinite z.
 */
import { mad, median } from '../core/stats.js';

const MAD_TO_SIGMA = 1.4826;

export interface RobustScore {
  median: number;
  mad: number;
  z: number;
  n: number;
}

export function robustZ(
  value: number,
  baseline: readonly number[],
  opts: { relFloor: number; absFloor: number },
): RobustScore | null {
  const m = median(baseline);
  const d = mad(baseline);
  if (m === null || d === null) return null;
  const scale = Math.max(MAD_TO_SIGMA * d, opts.relFloor * Math.abs(m), opts.absFloor);
  return { median: m, mad: d, z: (value - m) / scale, n: baseline.length };
}
