import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema, Db, DialectName } from './db.types.js';

export interface DatabaseHandle {
  readonly db: Db;
  readonly dialect: DialectName;
  /** The SQLite file, for tools that inspect or back it up; `undefined` on PostgreSQL. */
  readonly sqliteFile: string | undefined;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A `postgres://` URL, or `undefined` for the embedded SQLite file. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** PostgreSQL schema to use instead of `public`; tests give each file its own. */
  postgresSchema?: string;
  /** Connections in the PostgreSQL pool. */
  poolSize?: number;
}

export function openDatabase({ databaseUrl, dataDir, postgresSchema, poolSize = 10 }: OpenDatabaseOptions): DatabaseHandle {
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    return openPostgres(databaseUrl, postgresSchema, poolSize);
  }
  if (databaseUrl) {
    throw new Error('DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite database)');
  }
  return openSqlite(path.join(dataDir, 'ledgerguard.db'));
}

function openSqlite(file: string): DatabaseHandle {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(file);

  // WAL lets readers continue during a write; NORMAL keeps durability at each checkpoint, which
  // SQLite documents as safe against corruption in WAL mode.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');

  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: 'sqlite',
    sqliteFile: file,
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, schema: string | undefined, poolSize: number): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(schema ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
  });
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    sqliteFile: undefined,
    close: () => db.destroy(),
  };
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`Invalid PostgreSQL schema name: ${name}`);
  }
  return name;
}
