import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import type { Application } from '../../src/main/compose.js';

/** One stored value: where it is (table, column, row number) and its text. */
export interface StoredValue {
  readonly place: string;
  readonly text: string;
}

/**
 * Reads every row of every table of the application's database, column by column. Binary
 * columns are read as latin1 so their bytes can be searched like text.
 */
export async function dumpEveryRow(instance: Application): Promise<StoredValue[]> {
  const tables =
    instance.database.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(instance.db)).rows.map((row) => row.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(instance.db)).rows.map((row) => row.name);

  // Table names come from the database's own catalogue, so an untyped view may read any of them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = instance.db as unknown as Kysely<any>;
  const values: StoredValue[] = [];
  for (const table of tables) {
    const rows = (await db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    rows.forEach((row, index) => {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        values.push({ place: `${table}.${column} row ${index + 1}`, text: storedText(value) });
      }
    });
  }
  return values;
}

function storedText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Reads every file of the data folder except `skip` (paths relative to the folder), as a thief
 * with a copy of the folder would.
 */
export async function readDataFolderFiles(dataDir: string, skip: (relative: string) => boolean): Promise<{ file: string; bytes: Buffer }[]> {
  const files: { file: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dataDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dataDir, absolute);
    if (skip(relative)) continue;
    files.push({ file: relative, bytes: await readFile(absolute) });
  }
  return files;
}
