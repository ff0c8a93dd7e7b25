import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../db/index.js';

// Names come from the database catalog, never from a request; the check keeps quoting trivial.
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Unexpected table or column name in the database: ${name}`);
  return name;
}

/** Lists the application's tables (not the migration bookkeeping) with their primary key columns. */
export async function listTables(db: Kysely<any>, dialect: DialectName): Promise<{ name: string; primaryKey: string[] }[]> {
  if (dialect === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db);
    const result = [];
    for (const { name } of tables.rows) {
      const columns = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${assertIdentifier(name)})`.execute(db);
      const primaryKey = columns.rows.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name);
      result.push({ name, primaryKey });
    }
    return result;
  }

  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
    order by table_name`.execute(db);
  const keys = await sql<{ table_name: string; column_name: string }>`
    select k.table_name, k.column_name from information_schema.table_constraints c
    join information_schema.key_column_usage k on k.constraint_name = c.constraint_name and k.table_schema = c.table_schema and k.table_name = c.table_name
    where c.table_schema = current_schema() and c.constraint_type = 'PRIMARY KEY'
    order by k.table_name, k.ordinal_position`.execute(db);
  return tables.rows.map(({ name }) => ({ name, primaryKey: keys.rows.filter((key) => key.table_name === name).map((key) => key.column_name) }));
}

/** Reads one page of a table in primary key order; a snapshot transaction keeps pages consistent. */
export async function readTablePage(db: Kysely<any>, table: { name: string; primaryKey: string[] }, offset: number, limit: number): Promise<Record<string, unknown>[]> {
  const order = table.primaryKey.length > 0 ? table.primaryKey : [];
  // NOTE: a table without a primary key is read in storage order; every current table has one.
  const orderBy = order.length > 0 ? sql`order by ${sql.join(order.map((column) => sql.id(assertIdentifier(column))))}` : sql``;
  const result = await sql<Record<string, unknown>>`select * from ${sql.id(assertIdentifier(table.name))} ${orderBy} limit ${limit} offset ${offset}`.execute(db);
  return result.rows;
}

export async function listAppliedMigrations(db: Kysely<any>): Promise<string[]> {
  const result = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return result.rows.map((row) => row.name);
}
