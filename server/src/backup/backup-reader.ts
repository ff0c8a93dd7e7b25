import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Kysely, SqliteDialect } from 'kysely';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { migrateToLatestOrThrow } from '../db/index.js';
import type { DatabaseSchema } from '../db/db.types.js';
import { openEncryptedSqlite } from '../db/sqlite-cipher.js';
import { BackupCorruptedError, createBackupDecryptStream, unwrapContentKeyOrThrow } from './backup-cipher.js';
import type { CheckedBackup } from './backup-file.js';
import { RECORD_DOCUMENT_BYTES, RECORD_TABLE_ROWS, readRecords } from './backup-records.js';
import { assertIdentifier, listAppliedMigrations } from './snapshot.repository.js';

const DOCUMENT_PATH = /^[0-9a-f-]{36}\/[0-9a-f-]{36}\.lgd$/;

/** Raised when the backup was made by a build with other migrations than this one. */
export class BackupSchemaMismatchError extends Error {
  constructor() {
    super('The backup was made with a different database schema version; restore it with the LedgerGuard version that made it');
    this.name = 'BackupSchemaMismatchError';
  }
}

export interface RestoredDatabase {
  readonly db: Kysely<DatabaseSchema>;
  readonly connection: SqliteDatabase.Database;
  close(): Promise<void>;
}

/**
 * Restores a checked backup into a new encrypted SQLite file and its documents into a folder.
 * Whatever the source database kind, rows are written through the current migrations' schema.
 */
export async function restoreIntoSqlite({ checked, serviceKey, sqliteFile, sqliteKey, documentsDir }: { checked: CheckedBackup; serviceKey: Buffer; sqliteFile: string; sqliteKey: Buffer; documentsDir: string }): Promise<RestoredDatabase> {
  const { manifest } = checked;
  const contentKey = unwrapContentKeyOrThrow(serviceKey, manifest.backupId, manifest.encryption.wrappedKey);

  const connection = openEncryptedSqlite({ file: sqliteFile, key: sqliteKey });
  connection.pragma('journal_mode = WAL');
  connection.pragma('temp_store = MEMORY');
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: connection }) });
  const close = () => db.destroy();

  try {
    await migrateToLatestOrThrow(db);
    const migrations = await listAppliedMigrations(db);
    if (migrations.join('\n') !== manifest.migrations.join('\n')) throw new BackupSchemaMismatchError();

    // Rows that the migrations seed are replaced by the backup's; foreign keys are checked once at the end.
    connection.pragma('foreign_keys = OFF');
    for (const table of manifest.tables) connection.prepare(`delete from "${assertIdentifier(table.name)}"`).run();
    await mkdir(documentsDir, { recursive: true, mode: 0o700 });

    const body = createReadStream(checked.file, { start: checked.bodyStart, end: checked.bodyStart + manifest.body.bytes - 1 });
    const decrypt = createBackupDecryptStream({ key: contentKey, backupId: manifest.backupId, noncePrefix: Buffer.from(manifest.encryption.noncePrefix, 'base64'), bodyBytes: manifest.body.bytes });
    const gunzip = createGunzip();
    const done = pipeline(body, decrypt, gunzip).catch((error: unknown) => {
      gunzip.destroy(error as Error);
    });

    const insert = connection.transaction((table: string, rows: Record<string, unknown>[]) => {
      for (const row of rows) insertRow(connection, table, row);
    });
    const folders = new Set<string>();
    for await (const record of readRecords(gunzip)) {
      if (record.kind === RECORD_TABLE_ROWS) {
        const rows = record.data.toString('utf8').split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>);
        insert(assertIdentifier(record.name), rows);
      } else if (record.kind === RECORD_DOCUMENT_BYTES) {
        if (!DOCUMENT_PATH.test(record.name)) throw new BackupCorruptedError('document_path_invalid');
        const target = path.join(documentsDir, record.name);
        const folder = path.dirname(target);
        if (!folders.has(folder)) {
          await mkdir(folder, { recursive: true, mode: 0o700 });
          folders.add(folder);
        }
        await appendFile(target, record.data, { mode: 0o600 });
      } else {
        throw new BackupCorruptedError('record_kind_unknown');
      }
    }
    await done;

    connection.pragma('foreign_keys = ON');
    const violations = connection.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) throw new BackupCorruptedError('foreign_key_violation');
    return { db, connection, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const statements = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

function insertRow(connection: SqliteDatabase.Database, table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row).map(assertIdentifier);
  const signature = `${table}(${columns.join(',')})`;
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(signature);
  if (!statement) {
    statement = connection.prepare(`insert into "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`);
    cache.set(signature, statement);
  }
  statement.run(...columns.map((column) => toSqliteValue(row[column])));
}

// Rows exported from PostgreSQL may hold booleans or parsed JSON, which SQLite stores as 0/1 and text.
function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}
