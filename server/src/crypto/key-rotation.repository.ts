import { type Kysely, sql } from 'kysely';
import type { DbOrTrx } from '../db/index.js';
import type { KeyRotationJobTable } from './crypto.tables.js';
import type { EncryptedColumn } from './encrypted-columns.js';

// Encrypted columns are named by ENCRYPTED_COLUMNS, a constant in code, never by user input; the
// untyped view lets one query walk any of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (db: DbOrTrx) => db as unknown as Kysely<any>;

export interface DataKeyRow {
  id: string;
  clientId: string | null;
  version: number;
  wrapped: string;
  kekVersion: number;
}

export async function listDataKeys(db: DbOrTrx): Promise<DataKeyRow[]> {
  const rows = await db.selectFrom('data_keys').select(['id', 'client_id', 'version', 'wrapped', 'kek_version']).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, clientId: row.client_id, version: row.version, wrapped: row.wrapped, kekVersion: row.kek_version }));
}

export async function updateWrappedDataKey(db: DbOrTrx, id: string, wrapped: string, kekVersion: number): Promise<void> {
  await db.updateTable('data_keys').set({ wrapped, kek_version: kekVersion }).where('id', '=', id).execute();
}

export async function deleteDataKeys(db: DbOrTrx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('data_keys').where('id', 'in', ids).execute();
}

/**
 * Whether a table exists in the connection's schema. It probes with a query rather than listing
 * tables, because PostgreSQL's catalogue also lists same-named tables of other schemas. Call it
 * outside a transaction: a failed statement would abort a PostgreSQL transaction.
 */
export async function tableExists(db: DbOrTrx, table: string): Promise<boolean> {
  try {
    await untyped(db).selectFrom(table).select(sql<number>`1`.as('one')).limit(1).execute();
    return true;
  } catch {
    return false;
  }
}

/** Reads the next rows of one encrypted column after `afterRowId`, in row id order, skipping empty values. */
export async function readCiphertextBatch(db: DbOrTrx, column: EncryptedColumn, afterRowId: string | null, limit: number): Promise<{ rowId: string; value: string }[]> {
  let query = untyped(db)
    .selectFrom(column.table)
    .select([`${column.rowIdColumn} as rowId`, `${column.column} as value`])
    .where(column.column, 'is not', null);
  if (afterRowId !== null) query = query.where(column.rowIdColumn, '>', afterRowId);
  const rows = (await query.orderBy(column.rowIdColumn).limit(limit).execute()) as { rowId: string; value: string }[];
  return rows;
}

/**
 * Replaces a value only if it is still the one that was read, so a write made meanwhile by a
 * request is never overwritten with the older value. Returns whether the row changed.
 */
export async function replaceCiphertext(db: DbOrTrx, column: EncryptedColumn, rowId: string, expected: string, replacement: string): Promise<boolean> {
  const result = await untyped(db)
    .updateTable(column.table)
    .set({ [column.column]: replacement })
    .where(column.rowIdColumn, '=', rowId)
    .where(column.column, '=', expected)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export type KeyRotationJob = KeyRotationJobTable;

export async function findLatestJob(db: DbOrTrx, kind: KeyRotationJob['kind'] = 'data'): Promise<KeyRotationJob | undefined> {
  return db.selectFrom('key_rotation_jobs').selectAll().where('kind', '=', kind).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function findRunningJob(db: DbOrTrx, kind: KeyRotationJob['kind'] = 'data'): Promise<KeyRotationJob | undefined> {
  return db.selectFrom('key_rotation_jobs').selectAll().where('kind', '=', kind).where('status', '=', 'running').orderBy('started_at').limit(1).executeTakeFirst();
}

export async function insertJob(db: DbOrTrx, job: KeyRotationJob): Promise<void> {
  await db.insertInto('key_rotation_jobs').values(job).execute();
}

/** Ends every running job of a kind; a new walk supersedes them. */
export async function supersedeRunningJobs(db: DbOrTrx, now: string, kind: KeyRotationJob['kind'] = 'data'): Promise<void> {
  await db.updateTable('key_rotation_jobs').set({ status: 'superseded', updated_at: now, finished_at: now }).where('kind', '=', kind).where('status', '=', 'running').execute();
}

export async function saveJobProgress(db: DbOrTrx, job: Pick<KeyRotationJob, 'id' | 'status' | 'column_index' | 'row_cursor' | 'rewritten' | 'failed' | 'updated_at' | 'finished_at'>): Promise<void> {
  await db
    .updateTable('key_rotation_jobs')
    .set({ status: job.status, column_index: job.column_index, row_cursor: job.row_cursor, rewritten: job.rewritten, failed: job.failed, updated_at: job.updated_at, finished_at: job.finished_at })
    .where('id', '=', job.id)
    .execute();
}
