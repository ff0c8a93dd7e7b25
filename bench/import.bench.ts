/**
 * Roster import of 10,000 generated clients: wall time and peak memory of the importing process.
 *
 * The roster is written by the demo generator (`npm run demo` uses the same code), then a child
 * process imports it on the embedded SQLite default through `ImportService.run`, the path of the
 * command-line and web imports. A child of its own keeps the parent's workbook writer out of
 * the memory figure. Budget: at most 10 s and 300 MB.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEMO_ASSIGNEES } from '../server/src/demo/demo.staff.js';
import { generateClients, writeRosterWorkbook } from '../server/src/demo/demo.data.js';
import { type Measurement, saveReport } from './lib/report.js';
import type { ImportChildResult } from './lib/roster-import-child.js';

const CLIENT_COUNT = 10_000;
const MAX_SECONDS = 10;
const MAX_PEAK_MB = 300;
// Runs of the child. The median time and the highest peak are reported, because other
// processes on the machine can slow down a single run.
const RUNS = 3;

const CHILD = fileURLToPath(new URL('./lib/roster-import-child.ts', import.meta.url));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs one import in a fresh child process and data folder, and returns what it measured. */
async function runChild(rosterFile: string, workDir: string, run: number): Promise<ImportChildResult> {
  const dataDir = path.join(workDir, `data-${run}`);
  const child = fork(CHILD, [rosterFile, dataDir], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  let result: ImportChildResult | undefined;
  child.on('message', (message) => {
    result = message as ImportChildResult;
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  await rm(dataDir, { recursive: true, force: true });

  if (exitCode !== 0 || !result) {
    throw new Error(`Import child process exited with code ${exitCode} before reporting; its output is above`);
  }
  if (result.status !== 'done' || result.created !== CLIENT_COUNT || result.clientsStored !== CLIENT_COUNT) {
    throw new Error(`Import of the generated roster did not store every client: status ${result.status} (${result.errorCode}), created ${result.created}, stored ${result.clientsStored}, rejected ${result.rejected}`);
  }
  return result;
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'lg-bench-import-'));
try {
  // The demo firm's seed and departments, with ten times the demo's clients.
  const generateStarted = performance.now();
  const generated = generateClients({ count: CLIENT_COUNT, seed: 20261204, departments: ['记账一部', '记账二部', '税务部'], assigneesByDepartment: DEMO_ASSIGNEES });
  const rosterFile = path.join(workDir, 'roster.xlsx');
  await writeRosterWorkbook(generated, rosterFile);
  const generateSeconds = (performance.now() - generateStarted) / 1000;
  const fileBytes = (await stat(rosterFile)).size;

  const results: ImportChildResult[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const result = await runChild(rosterFile, workDir, run);
    console.log(`run ${run + 1}: ${result.seconds.toFixed(2)} s, peak ${result.peakMb.toFixed(0)} MB (baseline ${result.baselineMb.toFixed(0)} MB)`);
    results.push(result);
  }

  const seconds = median(results.map((result) => result.seconds));
  const peakMb = Math.max(...results.map((result) => result.peakMb));
  const baselineMb = median(results.map((result) => result.baselineMb));
  const measurements: Measurement[] = [
    { name: 'import time, median', value: seconds, unit: 's', note: `${RUNS} runs: ${results.map((result) => result.seconds.toFixed(2)).join(', ')} s` },
    { name: 'import rate', value: CLIENT_COUNT / seconds, unit: 'clients/s' },
    { name: 'peak resident memory of the importing process, highest run', value: peakMb, unit: 'MB' },
    { name: 'resident memory before the import', value: baselineMb, unit: 'MB', note: 'application built, database open, staff created' },
    { name: 'roster workbook size', value: fileBytes / 1024, unit: 'KB' },
    { name: 'roster generation and workbook writing (not part of the budget)', value: generateSeconds, unit: 's' },
  ];

  const notes = [
    `Each run is a fresh process and SQLite database. The application is built and the demo firm's departments and staff are created. The clock then starts before the file is read, and stops when \`ImportService.run\` returns with all ${CLIENT_COUNT.toLocaleString('en-US')} clients committed in one transaction (parse, validate, resolve, encrypt, blind-index, write, audit).`,
    results.every((result) => result.peakReset)
      ? 'Peak memory is VmHWM from /proc/self/status, reset through /proc/self/clear_refs just before the import, so it is the highest resident set size of the whole process while it imports (baseline included), not the growth alone. MB here is MiB.'
      : 'Peak memory is VmHWM from /proc/self/status over the whole life of the child process, because the kernel refused the reset through /proc/self/clear_refs; it includes the set-up before the import. MB here is MiB.',
  ];

  saveReport({
    id: 'import',
    title: 'Roster import, 10,000 clients',
    method: `A ${CLIENT_COUNT.toLocaleString('en-US')}-client roster workbook from the demo generator, imported through ImportService.run on the embedded SQLite database in a child process; ${RUNS} runs, each in a fresh process and database.`,
    measurements,
    budgets: [
      { name: 'import time, median', measured: seconds, limit: MAX_SECONDS, comparison: '<=', unit: 's' },
      { name: 'peak memory, highest run', measured: peakMb, limit: MAX_PEAK_MB, comparison: '<=', unit: 'MB' },
    ],
    notes,
  });
} finally {
  await rm(workDir, { recursive: true, force: true });
}
