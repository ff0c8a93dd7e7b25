export interface Baseline {
  /** Days with activity in the baseline period. */
  readonly days: number;
  readonly mean: number;
  /** Sample standard deviation; 0 with fewer than two days. */
  readonly stddev: number;
}

export function computeBaseline(values: readonly number[]): Baseline {
  const days = values.length;
  if (days === 0) return { days: 0, mean: 0, stddev: 0 };

  const mean = values.reduce((sum, value) => sum + value, 0) / days;
  if (days < 2) return { days, mean, stddev: 0 };

  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (days - 1);
  return { days, mean, stddev: Math.sqrt(variance) };
}

/**
 * Returns the count above which a day is anomalous for this member: `deviations` standard deviations
 * above their own mean, but never below `floor`, so a member who usually opens one client does
 * not raise an alert for opening three.
 */
export function anomalyThreshold(baseline: Baseline, { deviations, floor }: { deviations: number; floor: number }): number {
  return Math.max(floor, baseline.mean + deviations * baseline.stddev);
}
