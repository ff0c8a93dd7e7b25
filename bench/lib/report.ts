import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One raw figure as measured: a rate, a time or a size. */
export interface Measurement {
  readonly name: string;
  readonly value: number;
  /** `ops/s`, `µs`, `ms`, `MB`, `KB`, `req/s`, `%` or `×`. */
  readonly unit: string;
  readonly note?: string;
}

/**
 * A budget from DESIGN.md §12 or the benchmark issue, and the figure it was checked against.
 * Budgets are never relaxed to pass: a miss is reported with the measured figure.
 */
export interface BudgetCheck {
  readonly name: string;
  readonly measured: number;
  readonly limit: number;
  readonly comparison: '>=' | '<=';
  readonly unit: string;
}

export interface BenchReport {
  /** File-name stem, e.g. `decide` for bench/decide.bench.ts. */
  readonly id: string;
  readonly title: string;
  /** What was compared with what, in a sentence or two. */
  readonly method: string;
  readonly measurements: readonly Measurement[];
  readonly budgets: readonly BudgetCheck[];
  readonly notes?: readonly string[];
}

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function budgetMet(budget: BudgetCheck): boolean {
  return budget.comparison === '>=' ? budget.measured >= budget.limit : budget.measured <= budget.limit;
}

/** Writes the report where `bench/run.ts` collects it, and prints it for a run of one file. */
export function saveReport(report: BenchReport): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${report.id}.json`), `${JSON.stringify(report, null, 2)}\n`);

  console.log(`\n${report.title}`);
  for (const measurement of report.measurements) {
    console.log(`  ${measurement.name}: ${formatNumber(measurement.value)} ${measurement.unit}`);
  }
  for (const budget of report.budgets) {
    console.log(`  budget ${budget.name}: ${formatNumber(budget.measured)} ${budget.comparison} ${formatNumber(budget.limit)} ${budget.unit} → ${budgetMet(budget) ? 'met' : 'MISSED'}`);
  }
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Percentile of a sample by nearest rank; `p` in 0..100. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
