import { type Kysely, sql } from 'kysely';
import type { DbOrTrx } from '../db/index.js';
import { type BlindIndexedColumn, blindIndexPrefixPattern } from './blind-index.js';

// Index columns are named by BLIND_INDEXED_COLUMNS, a constant in code, never by user input; the
// untyped view lets one query walk any of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (db: DbOrTrx) => db as unknown as Kysely<any>;

/**
 * Index key versions not yet retired, newest first; the first is the one new values use. An empty
 * table means version 1, the version every index value written before any rotation uses.
 */
export async function listActiveIndexVersions(db: DbOrTrx): Promise<number[]> {
  const rows = await db.selectFrom('blind_index_versions').select('version').where('retired_at', 'is', null).orderBy('version', 'desc').execute();
  return rows.length > 0 ? rows.map((row) => Number(row.version)) : [1];
}

/** The highest index key version ever created, retired or not. */
export async function findHighestIndexVersion(db: DbOrTrx): Promise<number> {
  const row = await db.selectFrom('blind_index_versions').select((eb) => eb.fn.max('version').as('version')).executeTakeFirst();
  return Number(row?.version ?? 1);
}

/** Adds an index key version, and version 1 first if the table is still empty (see listActiveIndexVersions). */
export async function insertIndexVersion(db: DbOrTrx, version: number, now: string): Promise<void> {
  const existing = await db.selectFrom('blind_index_versions').select('version').limit(1).executeTakeFirst();
  if (!existing && version !== 1) {
    await db.insertInto('blind_index_versions').values({ version: 1, created_at: now, retired_at: null }).execute();
  }
  await db.insertInto('blind_index_versions').values({ version, created_at: now, retired_at: null }).execute();
}

/** Marks every active version below `current` retired, so lookups stop computing them. */
export async function retireIndexVersionsBelow(db: DbOrTrx, current: number, now: string): Promise<number> {
  const result = await db.updateTable('blind_index_versions').set({ retired_at: now }).where('version', '<', current).where('retired_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Reads the next indexed rows of one column after `afterRowId`, in row id order, with their ciphertexts. */
export async function readIndexBatch(db: DbOrTrx, column: BlindIndexedColumn, afterRowId: string | null, limit: number): Promise<{ rowId: string; ciphertext: string; index: string }[]> {
  let query = untyped(db)
    .selectFrom(column.table)
    .select([`${column.rowIdColumn} as rowId`, `${column.encryptedColumn} as ciphertext`, `${column.indexColumn} as index`])
    .where(column.encryptedColumn, 'is not', null)
    .where(column.indexColumn, 'is not', null);
  if (afterRowId !== null) query = query.where(column.rowIdColumn, '>', afterRowId);
  return (await query.orderBy(column.rowIdColumn).limit(limit).execute()) as { rowId: string; ciphertext: string; index: string }[];
}

/**
 * Replaces an index value only while the row still holds the index that was read, so a change
 * made meanwhile by a request is never overwritten. The ciphertext is not compared, because the
 * data key re-encryption job may rewrite it without changing the plaintext. Returns whether the
 * row changed.
 */
export async function replaceIndexValue(db: DbOrTrx, column: BlindIndexedColumn, row: { rowId: string; index: string }, replacement: string): Promise<boolean> {
  const result = await untyped(db)
    .updateTable(column.table)
    .set({ [column.indexColumn]: replacement })
    .where(column.rowIdColumn, '=', row.rowId)
    .where(column.indexColumn, '=', row.index)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Counts the values of one column that are not under `current`. */
export async function countIndexValuesNotUnder(db: DbOrTrx, column: BlindIndexedColumn, current: number): Promise<number> {
  let query = untyped(db).selectFrom(column.table).select(sql<number>`count(*)`.as('count')).where(column.indexColumn, 'is not', null);
  // Version 1 values are bare base64url, so any value with a dot is under a later version.
  query = current === 1 ? query.where(column.indexColumn, 'like', '%.%') : query.where(column.indexColumn, 'not like', blindIndexPrefixPattern(current));
  const row = (await query.executeTakeFirst()) as { count: number | string } | undefined;
  return Number(row?.count ?? 0);
}
