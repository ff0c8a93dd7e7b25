import { describe, expect, it } from 'vitest';
import { anomalyThreshold, computeBaseline } from './baseline.js';

describe('computeBaseline', () => {
  it('gives mean and sample standard deviation', () => {
    const baseline = computeBaseline([2, 4, 4, 4, 5, 5, 7, 9]);

    expect(baseline.days).toBe(8);
    expect(baseline.mean).toBe(5);
    expect(baseline.stddev).toBeCloseTo(2.138, 3);
  });

  it('has no spread with fewer than two days', () => {
    expect(computeBaseline([6])).toEqual({ days: 1, mean: 6, stddev: 0 });
    expect(computeBaseline([])).toEqual({ days: 0, mean: 0, stddev: 0 });
  });
});

describe('anomalyThreshold', () => {
  it('uses mean plus deviations when that is above the floor', () => {
    expect(anomalyThreshold({ days: 10, mean: 40, stddev: 5 }, { deviations: 3, floor: 20 })).toBe(55);
  });

  it('never goes below the floor for a quiet member', () => {
    expect(anomalyThreshold({ days: 10, mean: 2, stddev: 1 }, { deviations: 3, floor: 20 })).toBe(20);
  });
});
