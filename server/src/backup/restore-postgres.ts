import { type Kysely, sql } from 'kysely';
import { BackupCorruptedError } from './backup-cipher.js';
import type { BackupManifest } from './backup-file.js';
import { orderRowsParentsFirst, orderTablesForInsert } from './insert-order.js';
import { countRows, deleteAllRows, findTablesWithRows, insertRows, listForeignKeys } from './postgres-target.repository.js';
import { listTables, readTablePage } from './snapshot.repository.js';

const PAGE_ROWS = 1_000;
// PostgreSQL accepts at most 65,535 bound parameters in one statement; this stays well below.
const PARAMETERS_PER_INSERT = 20_000;

/** Raised when the target PostgreSQL schema already contains data; the message names the fix. */
export class SchemaNotEmptyError extends Error {
  constructor(readonly schema: string, readonly tables: readonly string[]) {
    super(
      `目标 schema "${schema}" 已有数据（表 ${tables.slice(0, 5).join(', ')}），恢复不会覆盖它。请把 DATABASE_SCHEMA 设为一个新的 schema 名（恢复时会创建），或把 DATABASE_URL 指向一个新的数据库，再运行 backup restore。` +
        ` / Target schema "${schema}" already holds data (tables ${tables.slice(0, 5).join(', ')}); a restore never overwrites it. Set DATABASE_SCHEMA to a new schema name (the restore creates it) or point DATABASE_URL at a new database, then run backup restore again.`,
    );
    this.name = 'SchemaNotEmptyError';
  }
}

/** Throws SchemaNotEmptyError unless every table of the schema, apart from SEEDED_TABLES, is empty. */
export async function assertSchemaEmptyOrThrow(db: Kysely<any>, schema: string): Promise<void> {
  const tables = (await listTables(db, 'postgres')).map((table) => table.name);
  const withRows = await findTablesWithRows(db, tables);
  if (withRows.length > 0) throw new SchemaNotEmptyError(schema, withRows);
}

/**
 * Copies the backup's tables from a staged, checked SQLite copy into PostgreSQL inside the
 * caller's transaction. Parents go before children, so every foreign key is satisfied at each insert.
 * The target must have passed `assertSchemaEmptyOrThrow` in the same transaction.
 */
export async function copyStagedTablesIntoPostgres({ source, target, manifest }: { source: Kysely<any>; target: Kysely<any>; manifest: BackupManifest }): Promise<void> {
  // Only the tables that both sides know are copied. The migrations matched, so they are the same.
  const sourceTables = new Map((await listTables(source, 'sqlite')).map((table) => [table.name, table]));
  const names = manifest.tables.map((table) => table.name).filter((name) => sourceTables.has(name));
  const foreignKeys = await listForeignKeys(target);
  const order = orderTablesForInsert(names, foreignKeys);

  // Rows the migrations seeded make way for the backup's, children first.
  for (const table of [...order].reverse()) await deleteAllRows(target, table);

  for (const name of order) {
    const table = sourceTables.get(name)!;
    const selfKeys = foreignKeys.filter((key) => key.table === name && key.referencedTable === name);
    if (selfKeys.length > 0) {
      // NOTE: a self-referencing table is read whole to order parents first; today that is only departments.
      const rows = await readAllRows(source, table);
      await insertInBatches(target, name, orderRowsParentsFirst(rows, selfKeys));
      continue;
    }
    for (let offset = 0; ; offset += PAGE_ROWS) {
      const page = await readTablePage(source, table, offset, PAGE_ROWS);
      await insertInBatches(target, name, page);
      if (page.length < PAGE_ROWS) break;
    }
  }

  // A row the copy lost or doubled would otherwise go unnoticed until someone needs it.
  for (const table of manifest.tables) {
    if (sourceTables.has(table.name) && (await countRows(target, table.name)) !== table.rows) throw new BackupCorruptedError('row_count_mismatch');
  }
}

/** Takes the lock that keeps other writers out of the schema until the restore commits. */
export async function lockAgainstWriters(trx: Kysely<any>): Promise<void> {
  // Every change appends an audit event under a row lock on the chain head, so this blocks them all.
  await sql`lock table audit_head in exclusive mode`.execute(trx);
}

async function readAllRows(source: Kysely<any>, table: { name: string; primaryKey: string[] }): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += PAGE_ROWS) {
    const page = await readTablePage(source, table, offset, PAGE_ROWS);
    rows.push(...page);
    if (page.length < PAGE_ROWS) return rows;
  }
}

async function insertInBatches(target: Kysely<any>, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Math.max(1, Object.keys(rows[0]!).length);
  const batch = Math.max(1, Math.floor(PARAMETERS_PER_INSERT / columns));
  for (let start = 0; start < rows.length; start += batch) {
    await insertRows(target, table, rows.slice(start, start + batch));
  }
}
