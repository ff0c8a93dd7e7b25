import { createHash } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import type { TestApp } from '../test-app.js';

/**
 * Tables left out of the digest, because the product writes them on purpose when it rejects a
 * request: the audit log records every rejection (and its chain head moves with it), and the
 * sign-in throttle counts failed passwords and second factors so it can lock an account.
 */
const BOOKKEEPING_TABLES = new Set(['audit_events', 'audit_head', 'sign_in_throttle']);

/** Columns every authenticated request moves: a session's idle timeout slides with each use. */
const BOOKKEEPING_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  sessions: ['last_seen_at', 'idle_expires_at'],
};

export type DatabaseDigest = ReadonlyMap<string, string>;

export interface DatabaseDigester {
  digest(): Promise<DatabaseDigest>;
  close(): Promise<void>;
}

/**
 * Builds a digest function for the test database (its own PostgreSQL schema, or the SQLite
 * file). One query renders every row of every table but the bookkeeping above as JSON, in a
 * fixed order, so a digest costs one round trip. Tables and columns come from the database's
 * own catalog when the function is built.
 *
 * On PostgreSQL the query runs as a named prepared statement on a connection of its own:
 * planning a union of some fifty subqueries takes far longer than running it, and a prepared
 * statement without parameters is planned once.
 */
export async function databaseDigester(app: TestApp): Promise<DatabaseDigester> {
  const schema = app.config.databaseSchema;
  const tables = (await app.db.introspection.getTables())
    .filter((table) => !schema || table.schema === schema)
    .filter((table) => !BOOKKEEPING_TABLES.has(table.name))
    .sort((a, b) => a.name.localeCompare(b.name));

  const parts = tables.map((table) => {
    const columns = table.columns.map((column) => column.name).filter((name) => !(BOOKKEEPING_COLUMNS[table.name] ?? []).includes(name));
    return sql`select ${sql.lit(table.name)} as name, (select ${rowsText(Boolean(schema), columns, table.name)}) as content`;
  });
  const query = sql<{ name: string; content: string | null }>`${sql.join(parts, sql` union all `)}`;
  const toDigest = (rows: { name: string; content: string | null }[]): DatabaseDigest => new Map(rows.map((row) => [row.name, createHash('sha256').update(row.content ?? '').digest('hex')]));

  if (!schema) {
    return { digest: async () => toDigest((await query.execute(app.db)).rows), close: async () => undefined };
  }

  const client = new pg.Client({ connectionString: app.config.databaseUrl });
  await client.connect();
  await client.query(`set search_path to "${schema}"`);
  const text = query.compile(app.db).sql;
  return {
    digest: async () => toDigest((await client.query<{ name: string; content: string | null }>({ name: 'security-fuzz-digest', text })).rows),
    close: () => client.end(),
  };
}

/** Renders every row of one table as JSON text, sorted and joined, so that row order does not matter. */
function rowsText(postgres: boolean, columns: readonly string[], table: string): RawBuilder<string> {
  if (postgres) {
    const pairs = sql.join(columns.map((column) => sql`${sql.lit(column)}, ${sql.ref(`source.${column}`)}`));
    return sql`string_agg(row_text, chr(10) order by row_text) from (select json_build_object(${pairs})::text as row_text from ${sql.table(table)} as source) as rendered`;
  }
  const pairs = sql.join(columns.map((column) => sql`${sql.lit(column)}, ${sql.ref(`source.${column}`)}`));
  return sql`group_concat(row_text, char(10)) from (select json_object(${pairs}) as row_text from ${sql.table(table)} as source order by row_text) as rendered`;
}

/** Names the tables whose digest differs between two snapshots. */
export function changedTables(before: DatabaseDigest, after: DatabaseDigest): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}
