import { hash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Bench } from 'tinybench';
import { AuditLog } from '../server/src/audit/audit-log.js';
import type { AuditRow } from '../server/src/audit/audit.repository.js';
import { type ChainAnchor, ChainWalker, GENESIS_ANCHOR } from '../server/src/audit/chain.js';
import { findChainBreak } from '../server/src/audit/event-hash.js';
import { deriveServiceKey, ephemeralKeyring } from '../server/src/crypto/keyring.js';
import { type DatabaseHandle, migrateToLatestOrThrow, openDatabase } from '../server/src/db/index.js';
import { chainedBytes, openStorageCeiling, readEvent, readStoredRows } from './lib/audit-workload.js';
import { type BudgetCheck, type Measurement, saveReport } from './lib/report.js';

/**
 * Audit append and verification rates with the hash chain, on the embedded SQLite database as
 * the product opens it (SQLCipher-encrypted, WAL) and on PostgreSQL when BENCH_DATABASE_URL is
 * set. The reference is SHA-256 over the same bytes the chain hashes.
 */
const CONCURRENT_CALLERS = 64;
/** Events per timed round of the concurrent and batched paths; each path runs ROUNDS rounds. */
const EVENTS_PER_ROUND = 4_096;
const SEQUENTIAL_EVENTS_PER_ROUND = 256;
const BATCH_SIZE = 128;
const ROUNDS = 5;

let nextEvent = 0;

/** Times `round` once per iteration and reports the time of one event, so rates come from tinybench's statistics. */
function perEvent(events: number, round: () => unknown) {
  return async () => {
    const started = performance.now();
    await round();
    const elapsed = performance.now() - started;
    return { overriddenDuration: elapsed / events, overriddenIterationCost: elapsed };
  };
}

/** Events per second from the median round. */
function rateOf(bench: Bench, name: string): number {
  const result = bench.getTask(name)!.result;
  if (result.state !== 'completed') throw new Error(`Benchmark task ${name} did not complete (${result.state})`);
  return 1000 / result.latency.p50;
}

function newBench(): Bench {
  return new Bench({ time: 0, iterations: ROUNDS, warmupIterations: 1, warmupTime: 0 });
}

async function recordConcurrently(audit: AuditLog): Promise<void> {
  const perCaller = EVENTS_PER_ROUND / CONCURRENT_CALLERS;
  await Promise.all(
    Array.from({ length: CONCURRENT_CALLERS }, async () => {
      for (let index = 0; index < perCaller; index += 1) await audit.record(readEvent(nextEvent++));
    }),
  );
}

async function recordOneAtATime(audit: AuditLog): Promise<void> {
  for (let index = 0; index < SEQUENTIAL_EVENTS_PER_ROUND; index += 1) await audit.record(readEvent(nextEvent++));
}

async function appendInBatches(audit: AuditLog, handle: DatabaseHandle): Promise<void> {
  for (let done = 0; done < EVENTS_PER_ROUND; done += BATCH_SIZE) {
    const events = Array.from({ length: BATCH_SIZE }, () => readEvent(nextEvent++));
    await handle.db.transaction().execute((trx) => audit.append(trx, ...events));
  }
}

/** Walks rows already in memory with the check `AuditLog.verify()` applies to each stored row. */
function walkInMemory(rows: readonly AuditRow[]): void {
  let position: ChainAnchor = GENESIS_ANCHOR;
  for (const row of rows) {
    const broken = findChainBreak(position, row);
    if (broken) throw new Error(`Chain broken at ${broken.seq}: ${broken.problem}`);
    position = { seq: Number(row.seq), hash: row.hash };
  }
}

function walkWithChainWalker(rows: readonly AuditRow[]): void {
  const walker = new ChainWalker();
  for (const row of rows) {
    const broken = walker.accept(row);
    if (broken) throw new Error(`Chain broken at ${broken.seq}: ${broken.problem}`);
  }
}

interface DatabaseFigures {
  readonly rates: ReadonlyMap<string, number>;
  readonly events: number;
  readonly meanEventBytes: number;
}

const APPEND_TASKS = {
  concurrent: `record() from ${CONCURRENT_CALLERS} concurrent callers (group commit)`,
  sequential: 'record() one call at a time',
  batched: `append() in caller transactions of ${BATCH_SIZE}`,
  ceiling: `better-sqlite3 alone: prepared inserts of the same rows, ${CONCURRENT_CALLERS} per transaction`,
} as const;
const VERIFY_TASKS = {
  endToEnd: 'AuditLog.verify(): read from the database and check',
  inMemory: 'verifier over the rows in memory (AuditLog.verify()\'s check)',
  chainWalker: 'ChainWalker of chain.ts over the rows in memory',
  sha256: 'SHA-256 of the same bytes (crypto.hash)',
} as const;

async function measure(handle: DatabaseHandle, { postgresSchema, sqliteKey }: { postgresSchema?: string; sqliteKey?: Buffer }): Promise<DatabaseFigures> {
  await migrateToLatestOrThrow(handle.db, postgresSchema);
  const audit = new AuditLog({ db: handle.db, dialect: handle.dialect });
  await audit.initialize();

  const appends = newBench();
  appends
    .add(APPEND_TASKS.sequential, perEvent(SEQUENTIAL_EVENTS_PER_ROUND, () => recordOneAtATime(audit)))
    .add(APPEND_TASKS.concurrent, perEvent(EVENTS_PER_ROUND, () => recordConcurrently(audit)))
    .add(APPEND_TASKS.batched, perEvent(EVENTS_PER_ROUND, () => appendInBatches(audit, handle)));
  await appends.run();
  console.table(appends.table());

  // Verification walks the whole chain written above; the references work on the same rows and bytes, read beforehand.
  const events = nextEvent;
  const rows = await readStoredRows(handle);
  const bytes = rows.map(chainedBytes);
  if (rows.length !== events) throw new Error(`Expected ${events} stored events, found ${rows.length}`);
  const checks = newBench();
  checks
    .add(VERIFY_TASKS.endToEnd, perEvent(events, async () => {
      const verification = await audit.verify();
      if (!verification.intact || verification.checked !== events) throw new Error(`Verification failed: ${JSON.stringify(verification)}`);
    }))
    .add(VERIFY_TASKS.inMemory, perEvent(events, () => walkInMemory(rows)))
    .add(VERIFY_TASKS.chainWalker, perEvent(events, () => walkWithChainWalker(rows)))
    .add(VERIFY_TASKS.sha256, perEvent(events, () => {
      for (const item of bytes) hash('sha256', item, 'buffer');
    }));
  await checks.run();
  console.table(checks.table());

  const rates = new Map<string, number>();
  for (const name of Object.values(APPEND_TASKS)) if (appends.getTask(name)) rates.set(name, rateOf(appends, name));
  for (const name of Object.values(VERIFY_TASKS)) rates.set(name, rateOf(checks, name));

  // The storage alone, on a fresh file growing as the concurrent path's table did.
  if (sqliteKey) {
    const ceiling = await openStorageCeiling(sqliteKey);
    const sample = rows.slice(0, EVENTS_PER_ROUND);
    let offset = 0;
    const storage = newBench();
    storage.add(APPEND_TASKS.ceiling, perEvent(EVENTS_PER_ROUND, () => {
      for (let start = 0; start < sample.length; start += CONCURRENT_CALLERS) {
        ceiling.insert(sample.slice(start, start + CONCURRENT_CALLERS).map((row) => ({ ...row, seq: Number(row.seq) + offset })));
      }
      offset += EVENTS_PER_ROUND;
    }));
    await storage.run();
    console.table(storage.table());
    rates.set(APPEND_TASKS.ceiling, rateOf(storage, APPEND_TASKS.ceiling));
    ceiling.close();
  }

  return { rates, events, meanEventBytes: bytes.reduce((sum, item) => sum + item.length, 0) / bytes.length };
}

async function measureSqlite(): Promise<DatabaseFigures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lg-bench-audit-'));
  const sqliteKey = deriveServiceKey(ephemeralKeyring(), 'sqlite-database');
  const handle = openDatabase({ databaseUrl: undefined, dataDir, sqliteKey });
  try {
    return await measure(handle, { sqliteKey });
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Measures in a schema of its own, dropped afterwards, so the database's other contents stay untouched. */
async function measurePostgres(url: string): Promise<DatabaseFigures> {
  const schema = `bench_audit_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const handle = openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), postgresSchema: schema });
  try {
    return await measure(handle, { postgresSchema: schema });
  } finally {
    await handle.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

function figuresOf(label: string, { rates, events, meanEventBytes }: DatabaseFigures): Measurement[] {
  const sha256 = rates.get(VERIFY_TASKS.sha256)!;
  const measurements: Measurement[] = [...rates].map(([name, value]) => ({ name: `${label}: ${name}`, value, unit: 'events/s' }));
  measurements.push(
    { name: `${label}: events in the chain when verified`, value: events, unit: 'events', note: `${Math.round(meanEventBytes)} bytes hashed per event on average` },
    { name: `${label}: group-commit appends ÷ SHA-256`, value: (100 * rates.get(APPEND_TASKS.concurrent)!) / sha256, unit: '%' },
    { name: `${label}: AuditLog.verify() ÷ SHA-256`, value: (100 * rates.get(VERIFY_TASKS.endToEnd)!) / sha256, unit: '%' },
    { name: `${label}: in-memory verifier ÷ SHA-256`, value: (100 * rates.get(VERIFY_TASKS.inMemory)!) / sha256, unit: '%' },
  );
  const ceiling = rates.get(APPEND_TASKS.ceiling);
  if (ceiling) measurements.push({ name: `${label}: group-commit appends ÷ storage alone`, value: (100 * rates.get(APPEND_TASKS.concurrent)!) / ceiling, unit: '%' });
  return measurements;
}

nextEvent = 0;
const sqlite = await measureSqlite();
const measurements = figuresOf('SQLite', sqlite);
const sqliteSha256 = sqlite.rates.get(VERIFY_TASKS.sha256)!;
const budgets: BudgetCheck[] = [
  { name: 'SQLite appends through record() (group commit)', measured: sqlite.rates.get(APPEND_TASKS.concurrent)!, limit: 20_000, comparison: '>=', unit: 'events/s' },
  { name: 'SQLite in-memory verifier ÷ SHA-256', measured: (100 * sqlite.rates.get(VERIFY_TASKS.inMemory)!) / sqliteSha256, limit: 50, comparison: '>=', unit: '%' },
  { name: 'SQLite AuditLog.verify() end to end ÷ SHA-256', measured: (100 * sqlite.rates.get(VERIFY_TASKS.endToEnd)!) / sqliteSha256, limit: 50, comparison: '>=', unit: '%' },
];
const notes: string[] = [
  'The verification budget is checked twice: on the verifier over rows already in memory, which is the hashing scheme\'s own cost, ' +
    'and on `AuditLog.verify()` end to end, which also reads every row from the database (SQLCipher decrypts each page).',
  'The storage-alone line writes the same rows into a second encrypted file through better-sqlite3 with one cached statement, so it bounds ' +
    'what any audit code can reach on this schema (seven indexes on audit_events) and this machine.',
];

const postgresUrl = process.env.BENCH_DATABASE_URL;
if (postgresUrl) {
  nextEvent = 0;
  measurements.push(...figuresOf('PostgreSQL', await measurePostgres(postgresUrl)));
} else {
  notes.push('BENCH_DATABASE_URL was not set, so PostgreSQL was not measured.');
}

saveReport({
  id: 'audit',
  title: 'Audit append and verification',
  method:
    `Events shaped like a client-page read, on a fresh database per engine. tinybench ran each append path ${ROUNDS} times after one warm-up round: ` +
    `${SEQUENTIAL_EVENTS_PER_ROUND} events through \`record()\` one call at a time, ${EVENTS_PER_ROUND.toLocaleString('en-US')} through \`record()\` from ` +
    `${CONCURRENT_CALLERS} callers that each await their previous call, and ${EVENTS_PER_ROUND.toLocaleString('en-US')} through \`append()\` in caller transactions of ${BATCH_SIZE}. ` +
    'Then the whole chain was verified, and SHA-256 hashed the same bytes the chain hashes, one digest per event. Rates come from the median round.',
  measurements,
  budgets,
  notes,
});
