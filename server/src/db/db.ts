import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema, Db, DialectName } from './db.types.js';
import { describePostgresConnectionError, postgresTlsSettings } from './postgres-tls.js';
import { openEncryptedSqlite } from './sqlite-cipher.js';

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
  /** PEM file of the CA that signed the PostgreSQL server's certificate (DATABASE_CA_FILE). */
  postgresCaFile?: string | undefined;
  /** The SQLite file's 32-byte raw key, derived from the keyring; required unless PostgreSQL is used. */
  sqliteKey?: Buffer | undefined;
  /** Whether to keep the plain file under a timestamped name when an unencrypted SQLite file is converted. */
  keepPlainSqliteCopy?: boolean | undefined;
}

export function openDatabase({ databaseUrl, dataDir, postgresSchema, poolSize = 10, postgresCaFile, sqliteKey, keepPlainSqliteCopy = false }: OpenDatabaseOptions): DatabaseHandle {
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    return openPostgres(databaseUrl, postgresSchema, poolSize, postgresCaFile);
  }
  if (databaseUrl) {
    throw new Error('DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite database)');
  }
  if (!sqliteKey) {
    throw new Error('The embedded SQLite database is encrypted and needs its key (sqliteKey) to open');
  }
  return openSqlite(path.join(dataDir, 'ledgerguard.db'), sqliteKey, keepPlainSqliteCopy);
}

function openSqlite(file: string, key: Buffer, keepPlainCopy: boolean): DatabaseHandle {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = openEncryptedSqlite({ file, key, keepPlainCopy });

  // WAL frames are encrypted with the same key as the main file. Temporary tables and sort spills go to
  // memory, because sqlite3mc 2.3 leaves temporary databases and their journals unencrypted.
  // WAL lets readers continue during a write; NORMAL keeps durability at each checkpoint, which
  // SQLite documents as safe against corruption in WAL mode.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('temp_store = MEMORY');

  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: 'sqlite',
    sqliteFile: file,
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, schema: string | undefined, poolSize: number, caFile: string | undefined): DatabaseHandle {
  const tls = postgresTlsSettings(url, caFile ? readCaFile(caFile) : undefined);
  const pool = new pg.Pool({
    connectionString: tls.connectionString,
    ssl: tls.ssl,
    max: poolSize,
    ...(schema ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
  });

  // The pool connects lazily, so a TLS failure surfaces at the first query; it is reworded there.
  const reportingPool = {
    connect: () => pool.connect().catch((error: unknown) => Promise.reject(describePostgresConnectionError(error, tls.sslMode))),
    end: () => pool.end(),
  };
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool: reportingPool }) });
  return {
    db,
    dialect: 'postgres',
    sqliteFile: undefined,
    close: () => db.destroy(),
  };
}

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`无法读取 DATABASE_CA_FILE / cannot read DATABASE_CA_FILE ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  }
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`Invalid PostgreSQL schema name: ${name}`);
  }
  return name;
}
