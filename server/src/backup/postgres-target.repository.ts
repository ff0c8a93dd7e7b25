import { type Kysely, sql } from 'kysely';
import { assertIdentifier } from './snapshot.repository.js';

/** A foreign key of the target schema: `table(columns)` references `referencedTable(referencedColumns)`. */
export interface ForeignKey {
  readonly table: string;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
}

/**
 * Tables whose rows the migrations or the first start insert (detector cursor, alert revision,
 * audit chain head). A schema whose only rows are in these tables counts as empty.
 */
export const SEEDED_TABLES: ReadonlySet<string> = new Set(['alert_revision', 'audit_head', 'detector_cursors']);

/** Creates the schema when it is missing, so an operator can restore into a new DATABASE_SCHEMA. */
export async function ensureSchema(db: Kysely<any>, schema: string): Promise<void> {
  // Looked up first: CREATE SCHEMA IF NOT EXISTS still needs the CREATE right on the database,
  // which a role that only owns an existing schema lacks.
  const existing = await sql<{ found: number }>`select 1 as found from pg_namespace where nspname = ${schema}`.execute(db);
  if (existing.rows.length > 0) return;
  await sql`create schema ${sql.id(assertIdentifier(schema))}`.execute(db);
}

/** Lists the foreign keys of the current schema with their columns in key order. */
export async function listForeignKeys(db: Kysely<any>): Promise<ForeignKey[]> {
  const result = await sql<{ table_name: string; columns: string[]; referenced_table: string; referenced_columns: string[] }>`
    select child.relname as table_name, parent.relname as referenced_table,
      array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, position)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.position) as columns,
      array(select a.attname::text from unnest(con.confkey) with ordinality k(attnum, position)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.position) as referenced_columns
    from pg_constraint con
    join pg_class child on child.oid = con.conrelid
    join pg_class parent on parent.oid = con.confrelid
    where con.contype = 'f' and con.connamespace = current_schema()::regnamespace
    order by child.relname, con.conname`.execute(db);
  return result.rows.map((row) => ({ table: row.table_name, columns: row.columns, referencedTable: row.referenced_table, referencedColumns: row.referenced_columns }));
}

/** Returns the tables among `tables` that hold at least one row, leaving out SEEDED_TABLES. */
export async function findTablesWithRows(db: Kysely<any>, tables: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of tables) {
    if (SEEDED_TABLES.has(table)) continue;
    const result = await sql<{ found: number }>`select 1 as found from ${sql.id(assertIdentifier(table))} limit 1`.execute(db);
    if (result.rows.length > 0) found.push(table);
  }
  return found;
}

/**
 * Deletes every row of a table. DELETE rather than TRUNCATE: the audit tables' statement
 * triggers reject TRUNCATE, while their row triggers never fire on a table without rows.
 */
export async function deleteAllRows(db: Kysely<any>, table: string): Promise<void> {
  await sql`delete from ${sql.id(assertIdentifier(table))}`.execute(db);
}

export async function insertRows(db: Kysely<any>, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  for (const column of Object.keys(rows[0]!)) assertIdentifier(column);
  await db.insertInto(assertIdentifier(table)).values(rows as Record<string, unknown>[]).execute();
}

export async function countRows(db: Kysely<any>, table: string): Promise<number> {
  const { count } = (await sql<{ count: string | number }>`select count(*) as count from ${sql.id(assertIdentifier(table))}`.execute(db)).rows[0]!;
  return Number(count);
}
