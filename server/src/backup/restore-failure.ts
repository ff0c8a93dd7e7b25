import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { AuditLog } from '../audit/index.js';
import { type KeyringMaterial, deriveServiceKey } from '../crypto/index.js';
import { type DatabaseHandle, openDatabase } from '../db/index.js';
import { findTablesWithRows } from './postgres-target.repository.js';
import { listTables } from './snapshot.repository.js';

export interface FailedRestore {
  readonly file: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databaseSchema?: string | undefined;
  readonly postgresCaFile?: string | undefined;
  readonly keyring: KeyringMaterial;
  readonly runningServerPid: number | undefined;
  /** Stable code of what went wrong, e.g. `schema_not_empty` or `checksum_mismatch`; never a message. */
  readonly problem: string;
  readonly now: () => Date;
}

/**
 * Appends a failed `backup.restored` event to the current database, and returns whether it did.
 * It writes nothing in three cases, where the command line's error output is the only record:
 * - SQLite while a server runs: opening the file would run the in-place encryption and the
 *   migrations under the live server, and the restore would become a second writer racing the
 *   server's audit appends.
 * - SQLite without a database file: there is nothing to record into yet.
 * - PostgreSQL whose schema is missing, not migrated or still empty: an event there would make
 *   the schema non-empty, so the next restore into it would be refused.
 * A failed write is reported as a process warning and never hides the restore's own error.
 */
export async function recordRestoreFailure(failure: FailedRestore): Promise<boolean> {
  const { databaseUrl, dataDir, runningServerPid } = failure;
  if (!databaseUrl && (runningServerPid !== undefined || !existsSync(path.join(dataDir, 'ledgerguard.db')))) return false;

  let handle: DatabaseHandle | undefined;
  try {
    handle = openDatabase({ databaseUrl, dataDir, postgresSchema: failure.databaseSchema, postgresCaFile: failure.postgresCaFile, poolSize: 1, sqliteKey: databaseUrl ? undefined : deriveServiceKey(failure.keyring, 'sqlite-database') });
    if (!(await holdsAuditedData(handle))) return false;

    const audit = new AuditLog({ db: handle.db, dialect: handle.dialect, now: failure.now });
    await audit.initialize();
    await audit.record({ action: 'backup.restored', outcome: 'failure', actor: null, targetType: 'backup_file', targetId: path.basename(failure.file), details: { problem: failure.problem } });
    return true;
  } catch (error) {
    process.emitWarning(`恢复失败未能写入审计日志 / could not record the failed restore in the audit log: ${(error as NodeJS.ErrnoException).code ?? (error as Error).name}`, 'LedgerGuardRestoreWarning');
    return false;
  } finally {
    await handle?.close();
  }
}

/** Checks that the database has an audit chain head and, on PostgreSQL, rows beyond the seeded ones. */
async function holdsAuditedData(handle: DatabaseHandle): Promise<boolean> {
  if (handle.dialect === 'sqlite') {
    const head = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = 'audit_head'`.execute(handle.db);
    return head.rows.length > 0;
  }
  const head = await sql<{ found: string | null }>`select to_regclass('audit_head')::text as found`.execute(handle.db);
  if (!head.rows[0]?.found) return false;
  const tables = (await listTables(handle.db, 'postgres')).map((table) => table.name);
  return (await findTablesWithRows(handle.db, tables)).length > 0;
}
