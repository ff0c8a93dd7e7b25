/**
 * Child process of bench/import.bench.ts: builds the application on a fresh embedded SQLite
 * database, creates the demo firm's departments and staff, then imports the roster file named
 * on the command line through `ImportService.run`, the code path of `ledgerguard import` and
 * `npm run demo`. It sends one `ImportChildResult` to the parent over the IPC channel.
 *
 * Usage (from the parent only): `node --expose-gc --import tsx roster-import-child.ts ROSTER DATA_DIR`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { testConfig } from '../../server/src/config/config.js';
import { loadOrCreateKeyFile } from '../../server/src/crypto/index.js';
import { DEMO_ACCOUNTS, DEMO_DEPARTMENTS, DEMO_FIRM, DEMO_PASSWORD } from '../../server/src/demo/demo.staff.js';
import { hashPassword, insertUser, usernameKey } from '../../server/src/identity/index.js';
import { type Application, composeApplication } from '../../server/src/main/compose.js';

export interface ImportChildResult {
  readonly seconds: number;
  /** Peak resident set size during the import (VmHWM after a reset), in MiB. */
  readonly peakMb: number;
  /** Resident set size just before the import started, in MiB. */
  readonly baselineMb: number;
  /** Whether the kernel accepted the peak reset; when false, the peak covers the whole process life. */
  readonly peakReset: boolean;
  readonly fileBytes: number;
  readonly status: string;
  readonly errorCode: string | null;
  readonly total: number;
  readonly created: number;
  readonly rejected: number;
  readonly clientsStored: number;
}

/** Reads a field of /proc/self/status in KiB and returns it in MiB. */
function procStatusMb(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error(`${field} not found in /proc/self/status; the import benchmark needs Linux`);
  return Number(match[1]) / 1024;
}

/**
 * Resets VmHWM to the current RSS (Linux 4.0+, `echo 5 > /proc/PID/clear_refs`), so the peak
 * excludes the set-up before the import, such as the Argon2 hash of the staff password.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function createDemoStaff(application: Application): Promise<void> {
  const { db } = application;
  const now = new Date().toISOString();
  const departmentIds = new Map<string, string>();

  const firmId = randomUUID();
  departmentIds.set(DEMO_FIRM, firmId);
  await db.insertInto('departments').values({ id: firmId, name: DEMO_FIRM, parent_id: null, created_at: now }).execute();
  for (const name of DEMO_DEPARTMENTS) {
    const id = randomUUID();
    departmentIds.set(name, id);
    await db.insertInto('departments').values({ id, name, parent_id: firmId, created_at: now }).execute();
  }

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const account of DEMO_ACCOUNTS) {
    await insertUser(db, { id: randomUUID(), username: account.username, usernameKey: usernameKey(account.username), displayName: account.displayName, departmentId: departmentIds.get(account.department) ?? null, passwordHash, roles: account.roles });
  }
}

async function main(): Promise<void> {
  const [rosterFile, dataDir] = process.argv.slice(2);
  if (!rosterFile || !dataDir || !process.send) {
    throw new Error('roster-import-child.ts is started by bench/import.bench.ts with ROSTER and DATA_DIR and an IPC channel');
  }

  const config = testConfig({ dataDir });
  const keyring = loadOrCreateKeyFile(path.join(dataDir, 'keys', 'keyring.json'));
  const application = await composeApplication(config, { keyring });

  try {
    await createDemoStaff(application);
    globalThis.gc?.();
    const peakReset = resetPeakRss();
    const baselineMb = procStatusMb('VmRSS');

    // The clock starts before the file is read, as for an upload that has just arrived.
    const started = performance.now();
    const content = await readFile(rosterFile);
    const job = await application.imports.run({ content, fileName: 'roster.xlsx', importer: { subject: undefined } });
    const seconds = (performance.now() - started) / 1000;
    const peakMb = procStatusMb('VmHWM');

    const stored = await application.db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    const result: ImportChildResult = { seconds, peakMb, baselineMb, peakReset, fileBytes: content.byteLength, status: job.status, errorCode: job.errorCode, total: job.total, created: job.created, rejected: job.rejected, clientsStored: Number(stored.count) };
    process.send(result);
  } finally {
    await application.close();
  }
}

await main();
