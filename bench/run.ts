import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchReport, RESULTS_DIR, budgetMet, formatNumber } from './lib/report.js';

/**
 * `npm run bench [-- name…]`: runs each bench/*.bench.ts in a process of its own, one after
 * another so they do not compete for the two cores, then writes docs/benchmarks.md from the
 * reports. A run of some benchmarks only prints them, unless `--page` requests that the page be
 * rewritten from every report present.
 */
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const PAGE = path.join(BENCH_DIR, '..', 'docs', 'benchmarks.md');

function benchFiles(only: readonly string[]): string[] {
  const all = readdirSync(BENCH_DIR)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort();
  if (only.length === 0) return all;
  return all.filter((name) => only.includes(name.replace(/\.bench\.ts$/, '')));
}

function runOne(file: string): { ok: boolean; seconds: number } {
  const started = Date.now();
  console.log(`\n== ${file} ==`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(BENCH_DIR, file)], { stdio: 'inherit', env: process.env });
  return { ok: result.status === 0, seconds: (Date.now() - started) / 1000 };
}

function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `${model}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}`;
}

function renderPage(reports: readonly BenchReport[], failed: readonly string[], command: string): string {
  const lines: string[] = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Each figure that has a',
    'reference is a ratio measured in the same process or the same run, so it holds on a noisy',
    'machine; the raw numbers are below each table. A budget that is missed stays on this page',
    'with the measured figure.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${machineLine()}`,
    `- Command: \`${command}\``,
    '',
    '## Budgets',
    '',
    '| benchmark | budget | measured | result |',
    '|---|---|---|---|',
  ];
  for (const report of reports) {
    for (const budget of report.budgets) {
      lines.push(`| ${report.title} | ${budget.name} ${budget.comparison} ${formatNumber(budget.limit)} ${budget.unit} | ${formatNumber(budget.measured)} ${budget.unit} | ${budgetMet(budget) ? 'met' : '**missed**'} |`);
    }
  }
  for (const name of failed) {
    lines.push(`| ${name} | — | — | **did not finish** |`);
  }

  for (const report of reports) {
    lines.push('', `## ${report.title}`, '', report.method, '', '| measurement | value |', '|---|---|');
    for (const measurement of report.measurements) {
      lines.push(`| ${measurement.name} | ${formatNumber(measurement.value)} ${measurement.unit}${measurement.note ? ` (${measurement.note})` : ''} |`);
    }
    for (const note of report.notes ?? []) {
      lines.push('', note);
    }
  }
  return `${lines.join('\n')}\n`;
}

// `--page` rewrites docs/benchmarks.md from every report present, after running the named ones.
const writePage = process.argv.includes('--page');
const only = process.argv.slice(2).filter((argument) => argument !== '--page');
const files = benchFiles(only);
if (files.length === 0) {
  console.error(`No benchmark matches: ${only.join(', ')}`);
  process.exit(2);
}

if (only.length === 0) rmSync(RESULTS_DIR, { recursive: true, force: true });
const failed: string[] = [];
for (const file of files) {
  const { ok, seconds } = runOne(file);
  console.log(`${file}: ${ok ? 'done' : 'FAILED'} in ${seconds.toFixed(1)} s`);
  if (!ok) failed.push(file);
}

if (only.length === 0 || writePage) {
  const reports = benchFiles([])
    .map((file) => path.join(RESULTS_DIR, `${file.replace(/\.bench\.ts$/, '')}.json`))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchReport);
  const command = only.length === 0 ? 'npm run bench' : `npm run bench, then npm run bench -- ${only.join(' ')} --page`;
  writeFileSync(PAGE, renderPage(reports, failed, command));
  console.log(`\nWrote ${path.relative(process.cwd(), PAGE)}`);
}
process.exitCode = failed.length === 0 ? 0 : 1;
