import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { testConfig } from '../../server/src/config/config.js';
import { type KeyringMaterial, loadOrCreateKeyFile } from '../../server/src/crypto/index.js';
import { type Application, composeApplication } from '../../server/src/main/compose.js';

export interface ClientBenchApp {
  readonly application: Application;
  /** `sqlite` or `postgres`, for measurement names. */
  readonly database: 'sqlite' | 'postgres';
  /** The keys the application was composed with, for services a benchmark builds beside it. */
  readonly keyring: KeyringMaterial;
  dispose(): Promise<void>;
}

/**
 * Composes the application as the server does, on a fresh encrypted SQLite file or, when
 * `databaseUrl` is given, in a private schema of that PostgreSQL database. The schema is named
 * `bench_…` and dropped again by `dispose()`. Background jobs are not started, and logs go nowhere.
 */
export async function openClientBenchApp(databaseUrl?: string): Promise<ClientBenchApp> {
  const schema = databaseUrl ? `bench_${randomBytes(6).toString('hex')}` : undefined;
  if (databaseUrl && schema) {
    await runOnPostgres(databaseUrl, `create schema ${schema}`);
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lg-bench-clients-'));
  const config = testConfig({ dataDir, databaseUrl, databaseSchema: schema, databasePoolSize: 10 });
  const keyring = loadOrCreateKeyFile(path.join(dataDir, 'keys', 'keyring.json'));
  const application = await composeApplication(config, { keyring, logger: pino({ level: 'silent' }) });

  return {
    application,
    database: databaseUrl ? 'postgres' : 'sqlite',
    keyring,
    async dispose() {
      await application.close();
      await rm(dataDir, { recursive: true, force: true });
      if (databaseUrl && schema) {
        await runOnPostgres(databaseUrl, `drop schema if exists ${schema} cascade`);
      }
    },
  };
}

async function runOnPostgres(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
